package dev.tandem.hub.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The packaged hub ({@code java -jar target/tandem-hub.jar}) as a separate process on a data
 * directory that outlives it, so it can be killed like a real server.
 *
 * <p>Clients never talk to a process directly: they wait on {@link #up()}, which completes with
 * the base URL once a started hub answers {@code /readyz}, and is replaced by a new, pending one
 * just before every kill. A client whose connection fails waits on it again and continues.
 */
final class HubProcess implements AutoCloseable {

  /** How much of the machine dies. */
  enum Kill {
    /** {@code kill -9} of the hub's JVM only: its Postgres keeps running, orphaned. */
    HUB,
    /** The hub, everything it started and every Postgres process of its data directory, at once (the OS page cache survives). */
    MACHINE
  }

  /** What a kill hit. {@code postgresLeftRunning}: a Postgres of the data directory survived it. */
  record Killed(Kill kind, boolean wasReady, int processes, boolean postgresLeftRunning) {}

  private static final Pattern BANNER = Pattern.compile("streams\\s+http://[^/]+:(\\d+)/v1/stream");

  private final Path jar;
  private final Path dataDir;
  private final Path pgDir;
  private final Path log;
  private final List<String> settings;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private CompletableFuture<String> up = new CompletableFuture<>();
  private Generation current;
  private int generations;

  /** One run of the process, from start to exit. */
  private final class Generation {
    final Process process;
    final CompletableFuture<String> ready = new CompletableFuture<>();
    final long startedNanos = System.nanoTime();
    volatile boolean killed;

    Generation(Process process) {
      this.process = process;
    }
  }

  HubProcess(Path jar, Path dataDir, Path log, String... settings) {
    this.jar = jar.toAbsolutePath();
    this.dataDir = dataDir.toAbsolutePath();
    this.pgDir = this.dataDir.resolve("pg");
    this.log = log;
    this.settings = List.of(settings);
  }

  /** Completes with the base URL while a hub is up; a new, pending future from just before each kill. */
  synchronized CompletableFuture<String> up() {
    return up;
  }

  /** Waits until a hub is up and returns its base URL. */
  String awaitUp() throws InterruptedException {
    try {
      return up().get(5, TimeUnit.MINUTES);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("no hub came up within 5 minutes", e);
    }
  }

  /** Waits until the hub at {@code base} is no longer the one up (it is being killed), at most {@code max}. */
  synchronized void awaitReplaced(String base, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (base.equals(up.getNow(null))) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return;
      }
      wait(left);
    }
  }

  /** Marks the running hub as going down: clients wait for the next one from now on. */
  private synchronized Generation goingDown() {
    Generation generation = current;
    if (generation != null) {
      generation.killed = true;
    }
    if (up.isDone()) {
      up = new CompletableFuture<>();
    }
    notifyAll();
    return generation;
  }

  /** Starts a new hub process; {@link #awaitReady} waits for it. */
  synchronized void start() throws IOException {
    if (current != null && current.process.isAlive()) {
      throw new IllegalStateException("a hub is already running");
    }
    int number = ++generations;
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString(), "--port", "0", "--data-dir", dataDir.toString()));
    command.addAll(settings);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Generation generation = new Generation(process);
    current = generation;
    Thread watcher = new Thread(() -> watch(generation, number), "hub-" + number + "-output");
    watcher.setDaemon(true);
    watcher.start();
  }

  /** Waits until the hub started last answers {@code /readyz}; returns how long that took. */
  Duration awaitReady() throws Exception {
    Generation generation;
    synchronized (this) {
      generation = current;
    }
    try {
      generation.ready.get(3, TimeUnit.MINUTES);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("the hub did not start: " + e.getCause().getMessage() + " (see " + log + ")", e.getCause());
    }
    return Duration.ofNanos(System.nanoTime() - generation.startedNanos);
  }

  /** Copies the process's output into the log, finds the port in the banner, then waits for readiness. */
  private void watch(Generation generation, int number) {
    try (BufferedReader output = new BufferedReader(new InputStreamReader(generation.process.getInputStream(),
        StandardCharsets.UTF_8));
         Writer writer = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
             StandardOpenOption.APPEND)) {
      writer.write("===== hub start " + number + " (pid " + generation.process.pid() + ")\n");
      writer.flush();
      String line;
      while ((line = output.readLine()) != null) {
        writer.write(line);
        writer.write('\n');
        writer.flush();
        Matcher banner = BANNER.matcher(line);
        if (banner.find() && !generation.ready.isDone()) {
          String url = "http://127.0.0.1:" + banner.group(1);
          Thread ready = new Thread(() -> awaitReadyz(generation, url), "hub-" + number + "-readyz");
          ready.setDaemon(true);
          ready.start();
        }
      }
      writer.write("===== hub " + number + " exited" + exitCode(generation.process) + "\n");
    } catch (IOException e) {
      // the log could not be written: the readiness future reports the process's fate anyway
    }
    generation.ready.completeExceptionally(new IllegalStateException("the hub process exited"
        + exitCode(generation.process) + (generation.killed ? " (killed)" : "")));
  }

  private static String exitCode(Process process) {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? " with code " + process.exitValue() : "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** Polls {@code /readyz} (the database answers, the listener is connected) until it says 200. */
  private void awaitReadyz(Generation generation, String url) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/readyz")).timeout(Duration.ofSeconds(5)).build();
    while (generation.process.isAlive() && !generation.killed) {
      try {
        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          synchronized (this) {
            if (current == generation && !generation.killed) {
              generation.ready.complete(url);
              up.complete(url);
            }
          }
          return;
        }
        Thread.sleep(50); // polling an endpoint: the hub cannot call us back
      } catch (IOException e) {
        // not listening yet, or gone
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Kills the running hub with SIGKILL, and with it, for {@link Kill#MACHINE}, every Postgres process of its data. */
  Killed kill(Kill kind) throws Exception {
    Generation generation = goingDown();
    boolean wasReady = generation.ready.isDone() && !generation.ready.isCompletedExceptionally();
    ProcessHandle jvm = generation.process.toHandle();
    List<ProcessHandle> victims = new ArrayList<>();
    victims.add(jvm);
    if (kind == Kill.MACHINE) {
      // Postgres is not the hub's descendant: pg_ctl starts it as a daemon. Find it by its data directory.
      victims.addAll(jvm.descendants().toList());
      for (ProcessHandle postgres : postgresProcesses()) {
        victims.add(postgres);
        victims.addAll(postgres.descendants().toList());
      }
    }
    victims.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle victim : victims) {
      awaitDeath(victim);
    }
    generation.process.waitFor(30, TimeUnit.SECONDS);
    return new Killed(kind, wasReady, victims.size(), !postgresProcesses().isEmpty());
  }

  /**
   * After a {@link Kill#MACHINE} kill, makes {@code postmaster.pid} name a live process that is
   * not a Postgres, as after a reboot that handed the old number to someone else. Postgres
   * refuses to start over such a file; the hub must see that it is stale. False if there was none.
   */
  boolean reusePostmasterPid(long livePid) throws IOException {
    Path pidFile = pgDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return false;
    }
    List<String> lines = new ArrayList<>(Files.readAllLines(pidFile, StandardCharsets.ISO_8859_1));
    if (lines.isEmpty()) {
      return false;
    }
    lines.set(0, Long.toString(livePid));
    Files.write(pidFile, lines, StandardCharsets.ISO_8859_1);
    return true;
  }

  /** Waits until a killed process is gone, or a zombie: an init that reaps slowly must not fail the test. */
  private static void awaitDeath(ProcessHandle victim) throws Exception {
    try {
      victim.onExit().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      Path stat = Path.of("/proc", Long.toString(victim.pid()), "stat");
      String text = Files.exists(stat) ? Files.readString(stat) : "";
      if (!text.isEmpty() && text.charAt(text.lastIndexOf(')') + 2) != 'Z') {
        throw new IllegalStateException("process " + victim.pid() + " survived SIGKILL: " + text);
      }
    }
  }

  /** Stops the hub as an operator would (SIGTERM); it must stop its Postgres too. Returns false if it did not. */
  boolean stop() throws Exception {
    Generation generation = goingDown();
    if (generation == null) {
      return true;
    }
    generation.process.destroy();
    boolean exited = generation.process.waitFor(60, TimeUnit.SECONDS);
    return exited && postgresProcesses().isEmpty();
  }

  /** Processes of a Postgres serving this hub's data directory (postmaster, pg_ctl), by their command line. */
  List<ProcessHandle> postgresProcesses() {
    try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
      return all.filter(p -> servesDataDirectory(p.info().arguments().orElse(new String[0]))).toList();
    }
  }

  private boolean servesDataDirectory(String[] args) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("-D") && Path.of(args[i + 1]).toAbsolutePath().normalize().equals(pgDir)) {
        return true;
      }
    }
    return false;
  }

  /** Leaves nothing running: the hub and any Postgres of its data directory. */
  @Override
  public void close() throws Exception {
    Generation generation;
    synchronized (this) {
      generation = current;
    }
    if (generation != null && generation.process.isAlive()) {
      kill(Kill.MACHINE);
    }
    for (ProcessHandle postgres : postgresProcesses()) {
      postgres.destroyForcibly();
    }
  }

  /** Sends a request to whichever hub is up (waiting for one), as {@code token}. */
  HttpResponse<String> send(HttpClient http, String token, String method, String path, String body,
                            String contentType) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(awaitUp() + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
