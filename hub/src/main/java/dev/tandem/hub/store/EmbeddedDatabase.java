package dev.tandem.hub.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * event loop. If a previous hub process died without stopping its Postgres (kill -9), that
 * orphan still holds the data directory; it is stopped first so the hub can always restart.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

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
    stopOrphanedPostmaster(dir);
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    if (port > 0) {
      builder.setPort(port);
    }
    EmbeddedPostgres postgres = builder
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
        .setServerConfig("shared_buffers", "128MB")
        .start();
    return new EmbeddedDatabase(postgres, dir);
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
   * Stops a postmaster left running by a hub that was killed, so its data directory is free.
   * A directory still locked by a live hub is refused instead: two hubs never share one.
   */
  private static void stopOrphanedPostmaster(Path dir) throws IOException {
    Path pidFile = dir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(dir.resolve("epg-lock"),
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
      java.nio.channels.FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new IllegalStateException("the data directory " + dir + " is in use by another running hub");
      }
      lock.release();
    }
    try {
      List<String> lines = Files.readAllLines(pidFile);
      long pid = Long.parseLong(lines.get(0).trim());
      Optional<ProcessHandle> process = ProcessHandle.of(pid);
      if (process.isEmpty() || !process.get().info().command().orElse("").contains("postgres")) {
        return;
      }
      LOG.warn("stopping an orphaned Postgres (pid {}) that still holds {}", pid, dir);
      ProcessHandle handle = process.get();
      handle.destroy(); // SIGTERM: Postgres finishes a clean shutdown
      try {
        handle.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception timedOut) {
        handle.destroyForcibly();
        handle.onExit().get(10, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      LOG.warn("could not inspect {}: {}", pidFile, e.toString());
    }
  }
}
