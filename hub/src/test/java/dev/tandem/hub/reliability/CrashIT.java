package dev.tandem.hub.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.Role;
import dev.tandem.governance.access.Scope;
import dev.tandem.hub.Eventually;
import dev.tandem.hub.TempDirs;
import dev.tandem.hub.auth.Authenticator;
import dev.tandem.hub.config.ConfigLoader;
import dev.tandem.hub.reliability.HubProcess.Kill;
import dev.tandem.hub.reliability.WsSubscriber.Resume;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The crash test: the packaged hub runs as its own process on a persistent embedded Postgres,
 * idempotent producers append, WebSocket subscribers and long-poll readers follow, an agent and
 * a manager go through approval gates — and the hub is killed with SIGKILL at random moments,
 * then restarted on the same data directory. A kill is either the hub's JVM alone (its Postgres
 * keeps running, orphaned) or the whole machine (the hub and every Postgres process of its data
 * directory); now and then the restarting hub is killed again during its start-up, and after
 * some machine kills the stale {@code postmaster.pid} is made to name a live process, as when a
 * rebooted machine hands the old process number to someone else.
 *
 * <p>After the last round: every acknowledged event is stored exactly once, in each producer's
 * order and where its acknowledgement said; offsets are consecutive; every subscriber and reader
 * received exactly the stored sequence; the approval requested before the first kill is still
 * pending and can be approved; every approval's events are in its stream once.
 *
 * <p>{@code -Dcrash.rounds=N} (default 3; the {@code reliability} profile runs 20) and
 * {@code -Dcrash.seed=S} to replay a run's schedule of kills (thread timing is not replayed).
 * Figures: {@code target/reliability/crash.json}; the hubs' output: {@code target/reliability/hub.log}.
 */
class CrashIT {

  private static final String SECRET = "crash-test-secret-0123456789abcdef0123456789";
  private static final List<String> DATA_STREAMS = List.of("crash/a", "crash/b");
  private static final String GATED = "crash/gated";
  private static final List<String> ALL_STREAMS = List.of("crash/a", "crash/b", GATED);
  private static final int WRITERS = 4;
  private static final int EVENTS_PER_APPROVAL_TURN = 150;

  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private HubProcess hub;
  private Process bystander;

  @Test
  void acknowledgedEventsSurviveKillNineExactlyOnce() throws Exception {
    Path jar = Path.of("target", "tandem-hub.jar");
    if (!Files.exists(jar)) {
      throw new AssertionError("target/tandem-hub.jar is missing: run through ./mvnw verify");
    }
    int rounds = Integer.getInteger("crash.rounds", 3);
    long seed = Long.getLong("crash.seed", System.nanoTime());
    System.out.println("CrashIT: " + rounds + " rounds, seed " + seed + " (replay the kills with -Dcrash.seed=" + seed + ")");
    Random random = new Random(seed);
    Path out = Path.of("target", "reliability");
    TempDirs.delete(out.resolve("data"));
    Files.createDirectories(out);
    Files.deleteIfExists(out.resolve("hub.log"));
    CrashReport report = new CrashReport(seed, rounds);
    long started = System.nanoTime();
    Vertx vertx = Vertx.vertx();
    try (HubProcess process = new HubProcess(jar, out.resolve("data"), out.resolve("hub.log"),
        "--jwt-secret", SECRET, "--dev-mode", "false", "--long-poll-timeout-ms", "2000")) {
      hub = process;
      Authenticator tokens = Authenticator.create(vertx, ConfigLoader.load(new String[] {"--jwt-secret", SECRET}, Map.of()));
      String admin = tokens.mint(new Principal("crash-admin", EnumSet.of(Role.ADMIN),
          List.of(new Scope("", EnumSet.allOf(Action.class)))), 86_400);
      String agent = token(tokens, "crash-agent", Role.AGENT, Action.READ, Action.APPEND);
      String manager = token(tokens, "crash-manager", Role.MANAGER, Action.READ, Action.APPROVE);

      hub.start();
      hub.awaitReady();
      for (String stream : ALL_STREAMS) {
        assertEquals(201, send(admin, "PUT", "/v1/stream/" + stream, "", "application/json").statusCode());
      }
      HttpResponse<String> policy = send(admin, "PUT", "/v1/policies/" + GATED, "{\"gates\":[{\"name\":\"deploys\","
          + "\"match\":{\"type\":\"deploy\"},\"approvers\":{\"roles\":[\"manager\"]},\"expiresAfter\":\"P7D\"}]}", null);
      assertEquals(200, policy.statusCode(), policy.body());

      // An unrelated process whose number a stale postmaster.pid will name, as after a reboot.
      bystander = bystander();
      Semaphore approvalTurns = new Semaphore(0);
      ApprovalActor approvals = new ApprovalActor(hub, http, GATED, agent, manager, approvalTurns, problems);
      String pending = approvals.request("before-the-kills");
      assertTrue(pending != null, "a gated append before the kills is held: " + problems);

      AtomicLong acknowledged = new AtomicLong();
      List<ProducerWriter> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        writers.add(new ProducerWriter("w" + w, DATA_STREAMS.get(w % DATA_STREAMS.size()), hub, http,
            token(tokens, "crash-writer-" + w, Role.AGENT, Action.READ, Action.APPEND), random.nextLong(), events -> {
              long before = acknowledged.getAndAdd(events);
              if ((before + events) / EVENTS_PER_APPROVAL_TURN > before / EVENTS_PER_APPROVAL_TURN) {
                approvalTurns.release();
              }
            }, problems));
      }
      List<LongPollReader> readers = new ArrayList<>();
      for (String stream : ALL_STREAMS) {
        readers.add(new LongPollReader("long-poll " + stream, stream, hub, http,
            token(tokens, "crash-reader", Role.HUMAN, Action.READ), problems));
      }
      WsSubscriber byOffset = new WsSubscriber("ws-offset", Resume.OFFSET, vertx, hub,
          token(tokens, "crash-offset", Role.HUMAN, Action.READ), ALL_STREAMS, problems);
      WsSubscriber byCursor = new WsSubscriber("ws-cursor", Resume.CURSOR, vertx, hub,
          token(tokens, "crash-cursor", Role.HUMAN, Action.READ), ALL_STREAMS, problems);
      WsSubscriber late = new WsSubscriber("ws-late", Resume.OFFSET, vertx, hub,
          token(tokens, "crash-late", Role.HUMAN, Action.READ), ALL_STREAMS, problems);
      List<WsSubscriber> subscribers = List.of(byOffset, byCursor, late);

      List<Thread> threads = new ArrayList<>();
      writers.forEach(w -> threads.add(thread(w.id, w)));
      readers.forEach(r -> threads.add(thread(r.name, r)));
      Thread approvalThread = thread("approvals", approvals);
      byOffset.start();
      byCursor.start();
      awaitAcknowledged(acknowledged, 100, "the writers are under way");

      for (int round = 1; round <= rounds; round++) {
        crashRound(round, random, report, acknowledged);
        if (round == 1) {
          late.start(); // catches up on everything so far while the writers go on
        }
      }

      writers.forEach(ProducerWriter::stop);
      for (Thread thread : threads.subList(0, writers.size())) {
        thread.join(Duration.ofMinutes(2).toMillis());
        assertTrue(!thread.isAlive(), thread.getName() + " finished its last append");
      }
      approvals.stop();
      approvalThread.join(Duration.ofMinutes(2).toMillis());

      CrashChecks checks = new CrashChecks(hub, http, problems, report);
      checks.approvals(approvals, pending, manager, GATED);
      Map<String, List<String>> stored = new LinkedHashMap<>();
      for (String stream : ALL_STREAMS) {
        stored.put(stream, checks.readAll(admin, stream));
      }
      checks.dataStreams(writers, DATA_STREAMS, stored);
      checks.followers(subscribers, readers, threads, stored);
      subscribers.forEach(WsSubscriber::close);

      report.cleanStop = hub.stop();
      if (!report.cleanStop) {
        problems.add("the hub did not stop cleanly on SIGTERM (its Postgres was left running)");
      }
    } finally {
      if (bystander != null && !bystander.isAlive()) {
        problems.add("the process a stale postmaster.pid named was killed (exit " + bystander.exitValue() + ")");
      } else if (bystander != null) {
        bystander.destroyForcibly();
      }
      vertx.close();
      report.durationMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
      report.problems = List.copyOf(problems);
      report.write(out.resolve("crash.json"));
      System.out.println(report.summary());
      problems.stream().limit(20).forEach(p -> System.out.println("  problem: " + p));
    }
    assertEquals(0, report.losses, "acknowledged events lost");
    assertEquals(0, report.duplicates, "events stored twice");
    assertEquals(0, report.subscriberMismatches, "subscribers that did not receive exactly the stored events");
    assertTrue(report.pendingApprovalSurvived, "the approval requested before the kills is still pending");
    assertTrue(problems.isEmpty(), problems.size() + " problems, first: " + problems.subList(0, Math.min(5, problems.size())));
  }

  /**
   * One round: SIGKILL at a random moment, sometimes a second one during the next start-up and a
   * stale lock file as after a reboot, then a restart on the same data; done when the writers
   * are acknowledged again.
   */
  private void crashRound(int round, Random random, CrashReport report, AtomicLong acknowledged) throws Exception {
    Kill kind = round == 1 ? (random.nextBoolean() ? Kill.HUB : Kill.MACHINE)
        : round == 2 ? (report.hubKills == 0 ? Kill.HUB : Kill.MACHINE) // both kinds, however short the run
        : random.nextBoolean() ? Kill.HUB : Kill.MACHINE;
    long after = 300 + random.nextInt(3200);
    boolean killAgainDuringStartup = random.nextInt(4) == 0;
    long againAfter = random.nextInt(2500);
    Kill againKind = random.nextBoolean() ? Kill.HUB : Kill.MACHINE;
    boolean reboot = random.nextInt(3) == 0;

    Thread.sleep(after); // the random moment of the crash: the point of the test, not a synchronisation
    HubProcess.Killed killed = hub.kill(kind);
    HubProcess.Killed again = null;
    if (killAgainDuringStartup) {
      hub.start();
      Thread.sleep(againAfter); // somewhere in the start-up: stopping the orphan, recovery, migrations
      again = hub.kill(againKind);
    }
    boolean pidReused = (again == null ? kind : again.kind()) == Kill.MACHINE && reboot
        && hub.reusePostmasterPid(bystander.pid());
    long before = acknowledged.get();
    hub.start();
    Duration restart = hub.awaitReady();
    awaitAcknowledged(acknowledged, before + 20, "the writers continue after restart " + round);
    if (!bystander.isAlive()) {
      problems.add("round " + round + ": the process a stale postmaster.pid named was killed (exit "
          + bystander.exitValue() + ")");
      bystander = bystander();
    }
    report.round(round, killed, after, again, pidReused, restart.toMillis(), acknowledged.get());
  }

  private HttpResponse<String> send(String token, String method, String path, String body, String contentType)
      throws IOException, InterruptedException {
    return hub.send(http, token, method, path, body, contentType);
  }

  private static String token(Authenticator tokens, String subject, Role role, Action... actions) {
    return tokens.mint(new Principal(subject, EnumSet.of(role), List.of(new Scope("crash", EnumSet.of(actions[0], actions)))),
        86_400);
  }

  private static void awaitAcknowledged(AtomicLong acknowledged, long atLeast, String what) throws InterruptedException {
    Eventually.await(() -> acknowledged.get() >= atLeast, 120_000, what);
  }

  private static Process bystander() throws IOException {
    return new ProcessBuilder("sleep", "3600").redirectErrorStream(true).start();
  }

  private static Thread thread(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

}
