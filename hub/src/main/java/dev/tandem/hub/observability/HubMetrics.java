package dev.tandem.hub.observability;

import dev.tandem.governance.approval.ApprovalState;
import dev.tandem.hub.stream.CommitStats;
import dev.tandem.hub.ws.WsHub;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The hub's meters, in one Prometheus registry served at {@code /metrics} (docs/operations.md
 * lists them). Hot paths only bump counters or record into a summary: the group committer
 * reports once per transaction, not per append; gauges read the hub's own state when scraped.
 */
public final class HubMetrics implements AutoCloseable {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Counter stored;
  private final Counter duplicates;
  private final Counter refused;
  private final Counter failed;
  private final Counter events;
  private final DistributionSummary batchSize;
  private final Timer commitLatency;
  private Vertx vertx;
  private long approvalTimer = -1;

  public HubMetrics() {
    stored = appendRequests("stored");
    duplicates = appendRequests("duplicate");
    refused = appendRequests("refused");
    failed = appendRequests("failed");
    events = Counter.builder("tandem.append.events")
        .description("Events (records) stored by appends").register(registry);
    batchSize = DistributionSummary.builder("tandem.commit.batch.size")
        .description("Append requests per group-commit transaction")
        .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
        .register(registry);
    commitLatency = Timer.builder("tandem.commit.latency")
        .description("Time from the start of a group-commit transaction to its commit")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  private Counter appendRequests(String result) {
    return Counter.builder("tandem.append.requests").tag("result", result)
        .description("Append requests answered by the group committer, by result").register(registry);
  }

  /** Records one group-commit transaction; the committer's observer. */
  public void committed(CommitStats stats) {
    if (!stats.committed()) {
      failed.increment(stats.appends());
      return;
    }
    stored.increment(stats.appends() - stats.refused() - stats.duplicates());
    duplicates.increment(stats.duplicates());
    refused.increment(stats.refused());
    events.increment(stats.records());
    batchSize.record(stats.appends());
    commitLatency.record(stats.nanos(), TimeUnit.NANOSECONDS);
  }

  /** WebSocket gauges and slow-consumer counters, read from {@code ws} when scraped. */
  public void webSocket(WsHub ws) {
    Gauge.builder("tandem.ws.connections", ws, WsHub::connectionCount).strongReference(true)
        .description("Open WebSocket connections").register(registry);
    Gauge.builder("tandem.ws.subscribers", ws, WsHub::subscriberCount).strongReference(true)
        .description("Live stream subscriptions over WebSocket").register(registry);
    Gauge.builder("tandem.ws.send.queue", ws, WsHub::queuedBytes).strongReference(true).baseUnit("bytes")
        .description("Bytes written to WebSocket connections and not yet taken by their sockets, all together")
        .register(registry);
    FunctionCounter.builder("tandem.ws.slow.consumer.switches", ws, WsHub::slowConsumerSwitches)
        .description("Live subscriptions moved to catch-up reads because their send queue was full")
        .register(registry);
    FunctionCounter.builder("tandem.ws.slow.consumer.disconnects", ws, WsHub::slowConsumerDisconnects)
        .description("Connections closed (4000) for staying over their send-queue bound too long")
        .register(registry);
  }

  /** Postgres pool gauges: connections open now, and the configured bound. */
  public void pool(Pool pool, int maxSize) {
    Gauge.builder("tandem.db.pool.connections", pool, Pool::size).strongReference(true)
        .description("Connections the Postgres pool holds open").register(registry);
    Gauge.builder("tandem.db.pool.max.connections", () -> maxSize)
        .description("The most connections the Postgres pool may open (pool-size)").register(registry);
  }

  /** Approvals by state, counted by {@code count} every few seconds until {@link #close}. */
  public void approvals(Vertx vertx, Supplier<Future<Map<ApprovalState, Long>>> count) {
    this.vertx = vertx;
    approvalTimer = new ApprovalGauges(registry, count).start(vertx);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    if (vertx != null) {
      vertx.cancelTimer(approvalTimer);
    }
    gc.close();
    registry.close();
  }
}
