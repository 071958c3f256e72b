package dev.tandem.hub.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.hub.Eventually;
import dev.tandem.hub.TempDirs;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Starting on a data directory another hub holds, or one a crash left behind. The crash cases
 * that need a real {@code kill -9} of a hub process are in {@code reliability/CrashIT}.
 */
class EmbeddedDatabaseTest {

  private final List<Path> dirs = new ArrayList<>();

  @AfterEach
  void removeDataDirectories() throws Exception {
    for (Path dir : dirs) {
      TempDirs.delete(dir);
      Files.deleteIfExists(EmbeddedDatabase.logFile(dir));
    }
  }

  private Path newDir() throws Exception {
    Path dir = Files.createTempDirectory("tandem-embedded-");
    dirs.add(dir);
    return dir;
  }

  /** A start that fails says why in Postgres' own words, and where its whole log is. */
  @Test
  void aFailedStartQuotesPostgresAndNamesItsLog() throws Exception {
    Path dir = newDir();
    Files.writeString(dir.resolve("notes.txt"), "not a Postgres data directory");
    IllegalStateException failed = assertThrows(IllegalStateException.class, () -> EmbeddedDatabase.start(dir));
    String message = failed.getMessage();
    assertTrue(message.contains("exists but is not empty"), message);
    assertTrue(message.contains(EmbeddedDatabase.logFile(dir).toString()), message);
    assertTrue(Files.readString(EmbeddedDatabase.logFile(dir)).contains("exists but is not empty"));
  }

  @Test
  void aDataDirectoryInUseByARunningHubIsRefusedNotTakenOver() throws Exception {
    Path dir = newDir();
    try (EmbeddedDatabase first = EmbeddedDatabase.start(dir)) {
      IllegalStateException refused = assertThrows(IllegalStateException.class, () -> EmbeddedDatabase.start(dir));
      assertTrue(refused.getMessage().contains("in use"), refused.getMessage());
      try (Socket stillUp = new Socket("localhost", first.port())) {
        assertTrue(stillUp.isConnected(), "the first hub's Postgres was not touched");
      }
    }
  }

  /** After a machine restart the pid in postmaster.pid may belong to anything; Postgres would refuse to start. */
  @Test
  void aStalePostmasterPidNamingAnotherProcessIsRemoved() throws Exception {
    Path dir = initialised();
    Process unrelated = new ProcessBuilder("sleep", "300").start();
    try {
      writeLockFile(dir, unrelated.pid());
      try (EmbeddedDatabase restarted = EmbeddedDatabase.start(dir)) {
        assertTrue(postmasterPid(dir) != unrelated.pid(), "Postgres started and wrote its own lock file");
      }
      assertTrue(unrelated.isAlive(), "the process the stale file named was left alone");
    } finally {
      unrelated.destroyForcibly();
    }
  }

  /** The reused pid may even be another Postgres: it must be left alone, not stopped as an orphan. */
  @Test
  void aPostgresOfAnotherDirectoryIsNeverStopped() throws Exception {
    Path other = newDir();
    try (EmbeddedDatabase bystander = EmbeddedDatabase.start(other)) {
      long bystanderPid = postmasterPid(other);
      Path dir = initialised();
      writeLockFile(dir, bystanderPid);
      try (EmbeddedDatabase restarted = EmbeddedDatabase.start(dir)) {
        assertTrue(postmasterPid(dir) != bystanderPid, "this directory got its own Postgres");
      }
      assertTrue(ProcessHandle.of(bystanderPid).map(ProcessHandle::isAlive).orElse(false),
          "the other directory's Postgres is still running");
      try (Socket stillUp = new Socket("localhost", bystander.port())) {
        assertTrue(stillUp.isConnected());
      }
    }
  }

  /** A killed Postgres whose parent has not reaped it is still "running" to Postgres's own lock check. */
  @Test
  void aStalePostmasterPidNamingAZombieIsRemoved() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc")), "zombies are recognised through /proc (Linux)");
    Path dir = initialised();
    // sh starts a child, then becomes a sleep that never reaps it: once the child exits, a zombie.
    // The child lives a second so that it exits after the exec; one that exited at once could be
    // reaped by sh itself before it became the sleep, and never be a zombie at all.
    Process parent = new ProcessBuilder("sh", "-c", "sleep 1 & echo $!; exec sleep 300").start();
    try {
      long zombie = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(parent.getInputStream()))
          .readLine().trim());
      Path stat = Path.of("/proc", Long.toString(zombie), "stat");
      Eventually.await(() -> {
        try {
          String text = Files.readString(stat);
          return text.charAt(text.lastIndexOf(')') + 2) == 'Z';
        } catch (Exception e) {
          return false;
        }
      }, 10_000, "the child is a zombie");
      writeLockFile(dir, zombie);
      try (EmbeddedDatabase restarted = EmbeddedDatabase.start(dir)) {
        assertTrue(postmasterPid(dir) != zombie, "Postgres started and wrote its own lock file");
      }
    } finally {
      parent.destroyForcibly();
    }
  }

  /** A crash while Postgres was starting can leave an empty lock file, which Postgres refuses. */
  @Test
  void anEmptyPostmasterPidIsRemoved() throws Exception {
    Path dir = initialised();
    Files.writeString(dir.resolve("postmaster.pid"), "");
    try (EmbeddedDatabase restarted = EmbeddedDatabase.start(dir)) {
      assertFalse(Files.readString(dir.resolve("postmaster.pid")).isBlank());
    }
  }

  /** A data directory that has been initialised and cleanly stopped. */
  private Path initialised() throws Exception {
    Path dir = newDir();
    EmbeddedDatabase.start(dir).close();
    assertFalse(Files.exists(dir.resolve("postmaster.pid")), "a clean stop removes the lock file");
    return dir;
  }

  /** A lock file as Postgres writes it (pid, directory, start time, port, socket dir, host, shmem key, status). */
  private static void writeLockFile(Path dir, long pid) throws Exception {
    List<String> lines = new ArrayList<>(List.of(Long.toString(pid), dir.toString(), "1795429119", "5432", "/tmp",
        "localhost", "  3293572    819226", "ready   "));
    Files.write(dir.resolve("postmaster.pid"), lines);
  }

  private static long postmasterPid(Path dir) {
    try {
      return Long.parseLong(Files.readAllLines(dir.resolve("postmaster.pid")).get(0).trim());
    } catch (Exception e) {
      throw new AssertionError("no readable postmaster.pid in " + dir, e);
    }
  }
}
