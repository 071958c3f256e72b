package dev.tandem.hub.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Postgres server run from the binaries on the classpath (io.zonky.test), with its data
 * in a directory that survives restarts. This is the default store: nothing to install.
 *
 * <p>Starting is blocking (initdb on first use, then pg_ctl start): callers run it off the
 * event loop. After a crash the hub can always restart: a Postgres left running by a killed hub
 * is stopped first, and a stale {@code postmaster.pid} that would block Postgres is removed
 * ({@link #recoverFromCrash}).
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  /** A log over this size is rotated at the next start. */
  private static final long LOG_ROTATE_BYTES = 16L << 20;
  /** How much of the log a failed start quotes. */
  private static final int TAIL_LINES = 20;

  private final EmbeddedPostgres postgres;
  private final Path dataDir;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDir) {
    this.postgres = postgres;
    this.dataDir = dataDir;
  }

  public static EmbeddedDatabase start(Path dataDir) throws IOException {
    return start(dataDir, 0);
  }

  /** Starts on {@code port} (0: a free one). */
  public static EmbeddedDatabase start(Path dataDir, int port) throws IOException {
    Path dir = dataDir.toAbsolutePath().normalize();
    Files.createDirectories(dir);
    recoverFromCrash(dir);
    Path log = logFile(dir);
    long logStart = startLog(log);
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    if (port > 0) {
      builder.setPort(port);
    }
    ProcessBuilder.Redirect toLog = ProcessBuilder.Redirect.appendTo(log.toFile());
    try {
      return new EmbeddedDatabase(configure(builder, dir).setOutputRedirector(toLog).setErrorRedirector(toLog).start(), dir);
    } catch (IOException | RuntimeException failed) {
      throw new IllegalStateException("embedded Postgres did not start in " + dir + ": "
          + failed.getMessage() + "\n" + tail(log, logStart) + "(Postgres' log: " + log + ")", failed);
    }
  }

  /**
   * Where the output of initdb, pg_ctl and the Postgres server goes: beside the data directory,
   * named after it ({@code <data-dir>/pg.log} for the hub's {@code <data-dir>/pg}), since initdb
   * needs the directory itself empty.
   */
  static Path logFile(Path dir) {
    return dir.resolveSibling(dir.getFileName() + ".log");
  }

  /** Rotates a log over {@link #LOG_ROTATE_BYTES} to {@code <name>.log.1}; returns where this start's lines begin. */
  private static long startLog(Path log) throws IOException {
    if (Files.exists(log) && Files.size(log) > LOG_ROTATE_BYTES) {
      Files.move(log, log.resolveSibling(log.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
    }
    return Files.exists(log) ? Files.size(log) : 0;
  }

  /** The last lines this start wrote to the log, indented, each ending in a newline. */
  private static String tail(Path log, long from) {
    try (FileChannel channel = FileChannel.open(log, StandardOpenOption.READ)) {
      long length = Math.min(channel.size() - from, 64 * 1024);
      ByteBuffer bytes = ByteBuffer.allocate((int) Math.max(0, length));
      channel.read(bytes, channel.size() - bytes.capacity());
      List<String> lines = new String(bytes.array(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
      StringBuilder out = new StringBuilder();
      lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()).forEach(l -> out.append("  ").append(l).append('\n'));
      return out.toString();
    } catch (IOException e) {
      return "";
    }
  }

  private static EmbeddedPostgres.Builder configure(EmbeddedPostgres.Builder builder, Path dir) {
    return builder
        .setDataDirectory(dir.toFile())
        .setCleanDataDirectory(false)
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("listen_addresses", "localhost")
        // The library starts Postgres for throwaway test databases (fsync off, asynchronous
        // commit). Tandem's acknowledgements promise durability: every commit is flushed.
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("max_connections", "200")
        .setServerConfig("shared_buffers", "128MB");
  }

  public int port() {
    return postgres.getPort();
  }

  public Path dataDir() {
    return dataDir;
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }

  /**
   * Makes a data directory that a crash left behind usable again. A directory still locked by a
   * live hub is refused: two hubs never share one. Otherwise {@code postmaster.pid} names the
   * Postgres of the previous run, and one of three things is true:
   * <ul>
   *   <li>that Postgres still runs on this directory (the hub was killed, its Postgres was not):
   *       it is stopped, so the hub can start its own;
   *   <li>the process is gone: Postgres itself recognises the file as stale and recovers;
   *   <li>the number now belongs to another process (the machine restarted and reused it), the
   *       process is a zombie nobody has reaped, or the file is empty or garbled (a crash while
   *       Postgres was starting): Postgres would refuse to start over it, so the file is removed.
   * </ul>
   * A file is only removed when the process it names is known not to be a Postgres of this
   * directory: removing the lock of a live postmaster would let two of them write one cluster.
   */
  private static void recoverFromCrash(Path dir) throws IOException {
    Path pidFile = dir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    refuseIfInUse(dir);
    long pid = readPid(pidFile);
    if (pid <= 0) {
      LOG.warn("removing {}: it names no process (empty or garbled, left by a crash while Postgres was starting)", pidFile);
      Files.deleteIfExists(pidFile);
      return;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty()) {
      LOG.info("the previous Postgres (pid {}) of {} is gone; it recovers from its write-ahead log on start", pid, dir);
      return;
    }
    switch (owner(process.get(), dir)) {
      case THIS_DIRECTORY -> stop(process.get(), dir);
      case OTHER_PROCESS -> {
        LOG.warn("removing the stale {}: pid {} now belongs to another process ({}), not to a Postgres of {}",
            pidFile, pid, describe(process.get()), dir);
        Files.deleteIfExists(pidFile);
      }
      case DEFUNCT -> {
        LOG.warn("removing the stale {}: pid {} is a dead process its parent has not reaped yet (a zombie), "
            + "which Postgres would take for a running server", pidFile, pid);
        Files.deleteIfExists(pidFile);
      }
      case UNKNOWN -> LOG.warn("{} names pid {} ({}), which may be a Postgres of {}; if Postgres does not start, "
          + "stop that process", pidFile, pid, describe(process.get()), dir);
    }
  }

  private static void refuseIfInUse(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir.resolve("epg-lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new IllegalStateException("the data directory " + dir + " is in use by another running hub");
      }
      lock.release();
    }
  }

  /** The pid on the first line of {@code postmaster.pid}, or -1 when there is none. */
  private static long readPid(Path pidFile) throws IOException {
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.ISO_8859_1);
    try {
      return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  enum Owner { THIS_DIRECTORY, OTHER_PROCESS, DEFUNCT, UNKNOWN }

  /**
   * Whether {@code process} is a Postgres serving {@code dir}: a postmaster runs in its data
   * directory, as the directory's owner, and is started with {@code -D <dir>}. What the system
   * does not show is UNKNOWN.
   */
  static Owner owner(ProcessHandle process, Path dir) {
    if (defunct(process)) {
      return Owner.DEFUNCT;
    }
    ProcessHandle.Info info = process.info();
    Optional<String> command = info.command();
    if (command.isPresent() && !Path.of(command.get()).getFileName().toString().startsWith("postgres")) {
      return Owner.OTHER_PROCESS;
    }
    Optional<Path> cwd = workingDirectory(process);
    if (cwd.isPresent()) {
      return sameFile(cwd.get(), dir) ? Owner.THIS_DIRECTORY : Owner.OTHER_PROCESS;
    }
    Optional<String> user = info.user();
    if (user.isPresent() && !user.equals(ProcessHandle.current().info().user())) {
      return Owner.OTHER_PROCESS; // Postgres only serves a data directory owned by its user, and this one is ours
    }
    Optional<String[]> arguments = info.arguments();
    if (arguments.isPresent()) {
      String[] args = arguments.get();
      for (int i = 0; i + 1 < args.length; i++) {
        if (args[i].equals("-D")) {
          return sameFile(Path.of(args[i + 1]), dir) ? Owner.THIS_DIRECTORY : Owner.OTHER_PROCESS;
        }
      }
    }
    return Owner.UNKNOWN;
  }

  /** A zombie: dead, but still counted as running until its parent reaps it (Linux {@code /proc/<pid>/stat}). */
  private static boolean defunct(ProcessHandle process) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"), StandardCharsets.ISO_8859_1);
      int afterName = stat.lastIndexOf(')');
      return afterName > 0 && stat.length() > afterName + 2 && stat.charAt(afterName + 2) == 'Z';
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  /** Where the process runs, on systems that show it ({@code /proc/<pid>/cwd} on Linux). */
  private static Optional<Path> workingDirectory(ProcessHandle process) {
    try {
      return Optional.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd")));
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return Optional.empty();
    }
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  private static String describe(ProcessHandle process) {
    return process.info().commandLine().or(() -> process.info().command()).orElse("command not visible");
  }

  /** Stops the Postgres a killed hub left running: SIGTERM (a clean shutdown), SIGKILL after 30 s. */
  private static void stop(ProcessHandle postmaster, Path dir) {
    LOG.warn("stopping an orphaned Postgres (pid {}) that still holds {}", postmaster.pid(), dir);
    postmaster.destroy();
    try {
      postmaster.onExit().get(30, TimeUnit.SECONDS);
    } catch (Exception timedOut) {
      LOG.warn("the orphaned Postgres (pid {}) did not stop within 30 s; killing it", postmaster.pid());
      postmaster.destroyForcibly();
      try {
        postmaster.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("could not stop the orphaned Postgres (pid {}): {}", postmaster.pid(), e.toString());
      }
    }
  }
}
