package dev.tandem.hub;

import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.Role;
import dev.tandem.governance.access.Scope;
import dev.tandem.hub.config.ConfigLoader;
import dev.tandem.hub.config.HubConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real hub for tests: in-process, on an embedded Postgres in a temporary data directory,
 * listening on a free port. {@link #restart()} stops and starts it on the same data.
 */
public final class TestHub implements AutoCloseable {

  /** The HS256 secret test hubs verify tokens with. */
  public static final String SECRET = "test-secret-0123456789abcdef0123456789";

  private final Vertx vertx;
  private final Path dataDir;
  private String adminToken;
  private final Map<String, String> settings;
  private Hub hub;
  public final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private TestHub(Vertx vertx, Path dataDir, Map<String, String> settings) {
    this.vertx = vertx;
    this.dataDir = dataDir;
    this.settings = settings;
  }

  /** Starts a hub; {@code settings} are option names and values as on the command line. */
  public static TestHub start(Vertx vertx, String... settings) throws Exception {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i + 1 < settings.length; i += 2) {
      map.put(settings[i], settings[i + 1]);
    }
    TestHub testHub = new TestHub(vertx, Files.createTempDirectory("tandem-test-"), map);
    testHub.startHub();
    return testHub;
  }

  private void startHub() throws Exception {
    Map<String, String> all = new HashMap<>(settings);
    all.put("port", "0");
    all.putIfAbsent("data-dir", dataDir.toString());
    all.putIfAbsent("http-instances", "2");
    all.putIfAbsent("auth", "jwt");
    all.putIfAbsent("jwt-secret", SECRET);
    all.putIfAbsent("dev-mode", "false");
    String[] args = all.entrySet().stream()
        .flatMap(e -> java.util.stream.Stream.of("--" + e.getKey(), e.getValue()))
        .toArray(String[]::new);
    HubConfig config = ConfigLoader.load(args, Map.of());
    hub = Hub.start(vertx, config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    adminToken = hub.authenticator().enabled()
        ? token("test-admin", EnumSet.of(Role.ADMIN), new Scope("", EnumSet.allOf(Action.class)))
        : null;
  }

  /** A token for {@code subject} with these roles and scopes, signed with the test secret. */
  public String token(String subject, Set<Role> roles, Scope... scopes) {
    return hub.authenticator().mint(new Principal(subject, roles, List.of(scopes)), 3600);
  }

  /** A token that may read and append everywhere. */
  public String participantToken(String subject, Role role) {
    return token(subject, EnumSet.of(role), new Scope("", EnumSet.of(Action.READ, Action.APPEND)));
  }

  public String adminToken() {
    return adminToken;
  }

  public void restart() throws Exception {
    hub.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    startHub();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + hub.port();
  }

  public String streamUrl(String path) {
    return baseUrl() + "/v1/stream/" + path;
  }

  public Hub hub() {
    return hub;
  }

  /** Sends as the test admin unless the request already carries an Authorization header. */
  public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
    if (adminToken != null && built.headers().firstValue("Authorization").isEmpty()) {
      built = request.header("Authorization", "Bearer " + adminToken).build();
    }
    return http.send(built, HttpResponse.BodyHandlers.ofString());
  }

  /** Sends exactly as built: no token added. */
  public HttpResponse<String> sendRaw(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> put(String path, String contentType) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(streamUrl(path)))
        .header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.noBody()));
  }

  public HttpResponse<String> post(String path, String contentType, String body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(streamUrl(path)))
        .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(streamUrl(pathAndQuery))).GET());
  }

  @Override
  public void close() throws Exception {
    if (hub != null) {
      hub.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    TempDirs.delete(dataDir);
  }
}
