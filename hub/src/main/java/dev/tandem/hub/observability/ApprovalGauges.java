package dev.tandem.hub.observability;

import dev.tandem.governance.approval.ApprovalState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tandem_approvals{state}}: approvals per state, counted in Postgres every few seconds
 * and served from memory, so a scrape never waits on (or loads) the database. The counts are
 * the database's, the same on every node.
 */
final class ApprovalGauges {

  static final long REFRESH_MS = 5_000;
  private static final Logger LOG = LoggerFactory.getLogger(ApprovalGauges.class);

  private final Map<ApprovalState, AtomicLong> counts = new EnumMap<>(ApprovalState.class);
  private final Supplier<Future<Map<ApprovalState, Long>>> source;
  private boolean refreshing;

  ApprovalGauges(MeterRegistry registry, Supplier<Future<Map<ApprovalState, Long>>> source) {
    this.source = source;
    for (ApprovalState state : ApprovalState.values()) {
      AtomicLong count = new AtomicLong();
      counts.put(state, count);
      Gauge.builder("tandem.approvals", count, AtomicLong::get)
          .tag("state", state.name().toLowerCase(Locale.ROOT))
          .description("Approvals in each state (counted every " + REFRESH_MS / 1000 + " s)")
          .register(registry);
    }
  }

  /** Refreshes now and then every {@link #REFRESH_MS}; returns the timer id. */
  long start(Vertx vertx) {
    refresh();
    return vertx.setPeriodic(REFRESH_MS, id -> refresh());
  }

  private void refresh() {
    if (refreshing) {
      return; // a slow database: do not pile up counts
    }
    refreshing = true;
    source.get()
        .onSuccess(latest -> latest.forEach((state, count) -> counts.get(state).set(count)))
        .onFailure(e -> LOG.debug("approval counts kept from the last refresh: {}", e.toString()))
        .onComplete(done -> refreshing = false);
  }
}
