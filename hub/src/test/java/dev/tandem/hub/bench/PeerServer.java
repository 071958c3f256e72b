package dev.tandem.hub.bench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The peer: the public Durable Streams reference server (npm {@code @durable-streams/server},
 * file-backed and fsyncing), installed with npm into the harness's work directory and run with
 * Node as its own process.
 */
final class PeerServer implements AutoCloseable {

  private static final List<String> FILES = List.of("package.json", "package-lock.json", "server.mjs");

  private final Process process;
  private final URI url;

  private PeerServer(Process process, URI url) {
    this.process = process;
    this.url = url;
  }

  static PeerServer start(Path dir) throws Exception {
    Path app = dir.resolve("app");
    Files.createDirectories(app);
    for (String file : FILES) {
      try (InputStream in = PeerServer.class.getResourceAsStream("/bench/peer/" + file)) {
        if (in == null) {
          throw new IllegalStateException("missing harness resource bench/peer/" + file);
        }
        Files.copy(in, app.resolve(file), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Bench.progress("  installing @durable-streams/server with npm");
    run(app, dir.resolve("npm-install.log"), "npm", "install", "--no-audit", "--no-fund", "--loglevel=error");
    Process process = new ProcessBuilder("node", "server.mjs", dir.resolve("data").toString())
        .directory(app.toFile())
        .redirectErrorStream(true)
        .start();
    CompletableFuture<URI> listening = new CompletableFuture<>();
    Thread reader = new Thread(() -> pump(process, dir.resolve("peer.log"), listening), "peer-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return new PeerServer(process, listening.get(2, TimeUnit.MINUTES));
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("the reference server did not start; see " + dir.resolve("peer.log"), e);
    }
  }

  /** Copies the server's output to its log, noting the URL it prints when listening. */
  private static void pump(Process process, Path log, CompletableFuture<URI> listening) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         var out = Files.newBufferedWriter(log)) {
      String line;
      while ((line = lines.readLine()) != null) {
        out.write(line);
        out.newLine();
        out.flush();
        if (line.startsWith("listening ")) {
          listening.complete(URI.create(line.substring("listening ".length()).trim()));
        }
      }
    } catch (Exception e) {
      listening.completeExceptionally(e);
    }
    listening.completeExceptionally(new IllegalStateException("the reference server exited"));
  }

  private static void run(Path dir, Path log, String... command) throws Exception {
    Process process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed; see " + log);
    }
  }

  Target target() {
    return new Target("reference", url.getHost(), url.getPort(), null);
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
