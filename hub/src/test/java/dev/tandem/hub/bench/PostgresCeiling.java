package dev.tandem.hub.bench;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The raw Postgres ceiling: the rows an append stores (stream id, sequence number, a ~100-byte
 * payload), inserted straight into the hub's Postgres in 100-row transactions by
 * {@code connections} loops, with the same multi-row {@code unnest} insert and the same
 * durability settings the hub uses. This is what the hub's group commit competes with.
 */
final class PostgresCeiling {

  private static final int ROWS_PER_TRANSACTION = 100;

  private final Vertx vertx;
  private final PgConnectOptions connect;
  private final Latencies latencies = new Latencies();
  private volatile boolean stopped;

  PostgresCeiling(Vertx vertx, PgConnectOptions connect) {
    this.vertx = vertx;
    this.connect = connect;
  }

  Measurement run(int connections, Duration warmup, Duration duration) throws Exception {
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(connections))
        .connectingTo(connect).using(vertx).build();
    try {
      Target.await(pool.query("DROP TABLE IF EXISTS bench_ceiling").execute()
          .compose(v -> pool.query("CREATE TABLE bench_ceiling (LIKE events INCLUDING ALL)").execute()),
          Duration.ofMinutes(1));
      for (int i = 0; i < connections; i++) {
        long streamId = i;
        vertx.runOnContext(v -> insert(pool, streamId, 0));
      }
      Latencies.Window window = latencies.measure(warmup, duration);
      stopped = true;
      return Measurement.of("postgres 100-row transactions", "postgres", "rows/s", window)
          .with("connections", connections).with("rowsPerTransaction", ROWS_PER_TRANSACTION);
    } finally {
      stopped = true;
      pool.close();
    }
  }

  private void insert(Pool pool, long streamId, long seq) {
    if (stopped) {
      return;
    }
    Long[] ids = new Long[ROWS_PER_TRANSACTION];
    Long[] seqs = new Long[ROWS_PER_TRANSACTION];
    io.vertx.core.buffer.Buffer[] payloads = new io.vertx.core.buffer.Buffer[ROWS_PER_TRANSACTION];
    long start = System.nanoTime();
    for (int i = 0; i < ROWS_PER_TRANSACTION; i++) {
      ids[i] = streamId;
      seqs[i] = seq + i;
      payloads[i] = io.vertx.core.buffer.Buffer.buffer(Payloads.event(start).getBytes(StandardCharsets.UTF_8));
    }
    pool.withTransaction(conn -> conn.preparedQuery(
            "INSERT INTO bench_ceiling (stream_id, seq, payload) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[])")
        .execute(Tuple.of(ids, seqs, payloads)))
        .onComplete(result -> {
          if (result.succeeded()) {
            latencies.record(System.nanoTime() - start);
            latencies.count(ROWS_PER_TRANSACTION - 1);
          } else if (!stopped) {
            latencies.error(result.cause().toString());
          }
          insert(pool, streamId, seq + ROWS_PER_TRANSACTION);
        });
  }
}
