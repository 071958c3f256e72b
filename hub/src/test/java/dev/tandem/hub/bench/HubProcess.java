package dev.tandem.hub.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hub under test, as its own process ({@code java -jar tandem-hub.jar}) on the harness's
 * Postgres, with its output in {@code hub.log}. Reads the hub's memory with {@code jcmd} and
 * {@code /proc}.
 */
final class HubProcess implements AutoCloseable {

  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

  private final Process process;
  private final int port;
  private final String adminToken;

  private HubProcess(Process process, int port, String adminToken) {
    this.process = process;
    this.port = port;
    this.adminToken = adminToken;
  }

  /**
   * Starts the hub and waits until it answers. {@code settings} are extra {@code --name value}
   * flags (the harness raises the limits a single benchmark principal would hit).
   */
  static HubProcess start(Path jar, Path dir, String databaseUrl, List<String> jvmFlags, List<String> settings)
      throws Exception {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no hub jar at " + jar + ": build it first (./mvnw package -DskipTests)");
    }
    Files.createDirectories(dir);
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    command.addAll(List.of("-jar", jar.toString(), "--host", "127.0.0.1", "--port", String.valueOf(port),
        "--data-dir", dir.resolve("data").toString(), "--database-url", databaseUrl, "--dev-mode", "true"));
    command.addAll(settings);
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("hub.log").toFile())
        .start();
    String token = awaitToken(process, port, dir.resolve("hub.log"));
    return new HubProcess(process, port, token);
  }

  /** Polls the dev-token listing until the hub serves it: that is when it is ready. */
  private static String awaitToken(Process process, int port, Path log) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/dev/tokens"))
        .timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the hub exited with " + process.exitValue() + "; see " + log);
      }
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          io.vertx.core.json.JsonObject tokens = new io.vertx.core.json.JsonObject(response.body());
          for (Object entry : tokens.getJsonArray("tokens")) {
            io.vertx.core.json.JsonObject token = (io.vertx.core.json.JsonObject) entry;
            if (token.getString("name").equals("admin")) {
              return token.getString("token");
            }
          }
          throw new IllegalStateException("the hub lists no admin dev token: " + response.body());
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      try {
        process.onExit().get(200, TimeUnit.MILLISECONDS); // the poll interval, or the hub's exit
      } catch (java.util.concurrent.TimeoutException stillStarting) {
        // poll again
      }
    }
    throw new IllegalStateException("the hub did not answer within 3 minutes; see " + log);
  }

  int port() {
    return port;
  }

  String adminToken() {
    return adminToken;
  }

  long pid() {
    return process.pid();
  }

  /** Live heap after a full collection, and resident set size. */
  Memory memory() throws Exception {
    jcmd("GC.run");
    jcmd("GC.run");
    Matcher used = HEAP_USED.matcher(jcmd("GC.heap_info"));
    if (!used.find()) {
      throw new IllegalStateException("cannot read the hub's heap from jcmd GC.heap_info");
    }
    long heap = Long.parseLong(used.group(1)) * 1024;
    long rss = 0;
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return new Memory(heap, rss);
  }

  record Memory(long heapBytes, long rssBytes) {}

  /** The live heap by class (after a full GC), the top of it: where the bytes per connection go. */
  String classHistogram(int lines) throws Exception {
    return jcmd("GC.class_histogram").lines().limit(lines + 3L)
        .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
  }

  private String jcmd(String command) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process run = new ProcessBuilder(jcmd.toString(), String.valueOf(process.pid()), command)
        .redirectErrorStream(true).start();
    String output = new String(run.getInputStream().readAllBytes());
    if (!run.waitFor(2, TimeUnit.MINUTES) || run.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + command + " failed: " + output);
    }
    return output;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
