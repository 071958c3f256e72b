package dev.tandem.hub.bench;

import dev.tandem.hub.TempDirs;
import dev.tandem.hub.store.EmbeddedDatabase;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The benchmark harness: starts Postgres, the hub (as its own process, on that Postgres) and the
 * Durable Streams reference server, drives each scenario against them from this process, and
 * writes the table, {@code results.json} and a chart. Run it with
 * {@code ./mvnw -Pbench verify -DskipTests} (docs/benchmarks.md).
 */
public final class Bench {

  private Bench() {}

  public static void main(String[] args) throws Exception {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Report report = run(options);
    System.exit(report.failures().isEmpty() ? 0 : 1);
  }

  /** Runs the chosen scenarios; a scenario that fails is reported and the others still run. */
  public static Report run(BenchOptions options) throws Exception {
    Path work = options.out().resolve("work");
    TempDirs.delete(work);
    Files.createDirectories(work);
    Report report = new Report(options);
    progress("Tandem benchmark: %s", report.machine());
    progress("starting Postgres");
    Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setPreferNativeTransport(true));
    try (EmbeddedDatabase postgres = EmbeddedDatabase.start(work.resolve("pg"))) {
      PgConnectOptions connect = new PgConnectOptions().setHost("127.0.0.1").setPort(postgres.port())
          .setDatabase("postgres").setUser("postgres").setPassword("postgres");
      String databaseUrl = "postgres://postgres:postgres@127.0.0.1:" + postgres.port() + "/postgres";
      progress("starting the hub (%s)", options.hubJar());
      try (HubProcess hub = HubProcess.start(options.hubJar(), work.resolve("hub"), databaseUrl,
          options.hubJvm(), hubSettings(options))) {
        Target tandem = new Target("tandem", "127.0.0.1", hub.port(), hub.adminToken());
        runTandem(vertx, options, report, connect, tandem, hub);
      }
      if (options.peer() && (options.runs("append") || options.runs("longpoll"))) {
        progress("starting the Durable Streams reference server");
        try (PeerServer peer = PeerServer.start(work.resolve("peer"))) {
          warmUp(vertx, options, peer.target());
          runPeer(vertx, options, report, peer.target());
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    report.write();
    return report;
  }

  /**
   * The hub's own defaults, but for the limits that protect a hub from one runaway caller: the
   * harness is one caller (one token) playing thousands of clients, and would otherwise be held
   * to one client's share.
   */
  private static List<String> hubSettings(BenchOptions options) {
    List<String> settings = new ArrayList<>(List.of(
        "--ws-max-messages-per-second", "1000000",
        "--max-requests-per-second-per-principal", "1000000",
        "--max-connections-per-principal", "1000000"));
    settings.addAll(options.hubSettings()); // after the defaults: the last of a repeated setting wins
    return settings;
  }

  private static void runTandem(Vertx vertx, BenchOptions o, Report report, PgConnectOptions connect,
                                Target tandem, HubProcess hub) throws Exception {
    warmUp(vertx, o, tandem);
    if (o.runs("ceiling")) {
      report.attempt("postgres ceiling", () -> List.of(
          new PostgresCeiling(vertx, connect).run(o.ceilingConnections(), o.warmup(), o.duration())));
    }
    if (o.runs("append")) {
      appendScenarios(vertx, o, report, tandem);
      webSocketAppend(vertx, o, report, tandem, 1);
      if (o.window() > 1) {
        webSocketAppend(vertx, o, report, tandem, o.window());
      }
    }
    if (o.runs("longpoll")) {
      report.attempt("long-poll", () -> List.of(new LongPollLoad(vertx, tandem)
          .run("bench/long-poll", o.longPollReaders(), o.fanoutRate(), o.warmup(), o.duration())));
    }
    if (o.runs("fanout")) {
      // Delivery to subscribers, on both ends, is compiled only once there are subscribers:
      // the first fan-out run warms up as long as the hub did, or it would measure the JIT.
      List<Integer> counts = o.fanoutSubscribers();
      for (int i = 0; i < counts.size(); i++) {
        int subscribers = counts.get(i);
        Duration warmup = i == 0 && o.hubWarmup().compareTo(o.warmup()) > 0 ? o.hubWarmup() : o.warmup();
        report.attempt("fanout " + subscribers, () -> new FanoutLoad(vertx, tandem)
            .run("bench/fanout-" + subscribers, subscribers, o.fanoutRate(), o.saturatingWriters(), warmup, o.duration()));
      }
    }
    if (o.runs("catchup")) {
      report.attempt("catchup", () -> new CatchupLoad(vertx, tandem).run("bench/catchup", o.catchupEvents()));
    }
    if (o.runs("idle")) {
      report.attempt("idle", () -> List.of(new IdleLoad(vertx, tandem, hub, o.out().resolve("idle-heap-histogram.txt")).run("bench/idle", o.idleConnections())));
    }
  }

  /**
   * Appends, unmeasured, so the server's JIT (the JVM's, or V8's for the reference server) has
   * compiled the paths the scenarios take: otherwise the first scenario would measure the
   * compiler. Tandem is warmed over HTTP and WebSocket (streaming, {@code --window} in flight),
   * the reference server over HTTP.
   */
  private static void warmUp(Vertx vertx, BenchOptions o, Target target) throws Exception {
    if (o.hubWarmup().isZero()) {
      return;
    }
    progress("warming up %s for %d s", target.system(), o.hubWarmup().toSeconds());
    boolean tandem = target.system().equals("tandem");
    Duration http = tandem ? o.hubWarmup().dividedBy(2) : o.hubWarmup();
    new HttpAppendLoad(vertx, target, streams("warm-up", 8)).run("warm-up", o.producers(), Duration.ZERO, http);
    if (tandem) {
      new WsAppendLoad(vertx, target, streams("warm-up", 8)).run("warm-up", o.producers(), o.window(), Duration.ZERO, http);
    }
  }

  private static void runPeer(Vertx vertx, BenchOptions o, Report report, Target peer) {
    if (o.runs("append")) {
      appendScenarios(vertx, o, report, peer);
    }
    if (o.runs("longpoll")) {
      report.attempt("reference long-poll", () -> List.of(new LongPollLoad(vertx, peer)
          .run("bench/long-poll", o.longPollReaders(), o.fanoutRate(), o.warmup(), o.duration())));
    }
  }

  /** The HTTP append scenarios, the same for Tandem and the peer. */
  private static void appendScenarios(Vertx vertx, BenchOptions o, Report report, Target target) {
    report.attempt(target.system() + " append http 1 stream", () -> List.of(new HttpAppendLoad(vertx, target, streams("http-one", 1))
        .run("append http 1 stream", o.producers(), o.warmup(), o.duration())));
    report.attempt(target.system() + " append http many streams", () -> List.of(new HttpAppendLoad(vertx, target, streams("http-many", o.streams()))
        .run("append http " + o.streams() + " streams", o.producers(), o.warmup(), o.duration())));
  }

  /**
   * The WebSocket append scenarios, one stream and many, with {@code window} appends in flight
   * per producer: 1 waits for each acknowledgement, more streams the events.
   */
  private static void webSocketAppend(Vertx vertx, BenchOptions o, Report report, Target tandem, int window) {
    String suffix = window == 1 ? "" : ", " + window + " in flight";
    String group = window == 1 ? "ws" : "ws-streaming";
    report.attempt("append websocket 1 stream" + suffix, () -> List.of(new WsAppendLoad(vertx, tandem,
        streams(group + "-one", 1)).run("append websocket 1 stream" + suffix, o.producers(), window, o.warmup(), o.duration())));
    report.attempt("append websocket many streams" + suffix, () -> List.of(new WsAppendLoad(vertx, tandem,
        streams(group + "-many", o.streams())).run("append websocket " + o.streams() + " streams" + suffix, o.producers(),
        window, o.warmup(), o.duration())));
  }

  private static List<String> streams(String group, int count) {
    return IntStream.range(0, count).mapToObj(i -> "bench/" + group + "/s" + i).toList();
  }

  /** A progress line on the console, so a long run shows where it is. */
  static void progress(String format, Object... args) {
    System.out.printf("[bench] " + format + "%n", args);
    System.out.flush();
  }
}
