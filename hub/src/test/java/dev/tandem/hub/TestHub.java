package dev.tandem.hub;

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
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real hub for tests: in-process, on an embedded Postgres in a temporary data directory,
 * listening on a free port. {@link #restart()} stops and starts it on the same data.
 */
public final class TestHub implements AutoCloseable {

  private final Vertx vertx;
  private final Path dataDir;
  private final Map<String, String> settings;
  private Hub hub;
  public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

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
    String[] args = all.entrySet().stream()
        .flatMap(e -> java.util.stream.Stream.of("--" + e.getKey(), e.getValue()))
        .toArray(String[]::new);
    HubConfig config = ConfigLoader.load(args, Map.of());
    hub = Hub.start(vertx, config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
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

  public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
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
  }
}
