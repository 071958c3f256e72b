package dev.tandem.hub.retention;

import dev.tandem.hub.config.HubConfig;
import dev.tandem.hub.store.Sql;
import dev.tandem.hub.stream.StreamStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what streams no longer keep, in short transactions, on every hub node at once:
 * <ul>
 *   <li>{@link #sweepDeleted}: streams whose TTL or {@code Expires-At} has passed (each locked
 *       with {@code SKIP LOCKED}), then the events of deleted streams, {@code retention-batch-rows}
 *       per transaction, from the {@code event_purges} queue (claimed with {@code SKIP LOCKED});
 *   <li>{@link #trimPass}: every {@code retention-sweep-ms}, the oldest events of each stream
 *       older than its retention, a bounded batch per transaction under a per-stream advisory
 *       lock, moving the stream's {@code retained_seq} with each batch.
 * </ul>
 * All state is in Postgres, so a pass cut short (a restart, a lost connection) is simply
 * resumed by the next one. The tail ({@code tail_seq}) is never touched: offsets stay
 * monotonic, and an emptied stream continues where it was.
 */
public final class RetentionSweeper {

  private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeper.class);
  private static final int STREAMS_PER_QUERY = 500;
  private static final int EXPIRED_PER_QUERY = 100;

  private final Vertx vertx;
  private final Pool pool;
  private final StreamStore store;
  private final HubConfig.LimitSettings settings;
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private final AtomicLong trimmedEvents = new AtomicLong();
  private final AtomicLong purgedEvents = new AtomicLong();
  private long timer = -1;
  private volatile boolean stopped;

  public RetentionSweeper(Vertx vertx, Pool pool, StreamStore store, HubConfig.LimitSettings settings) {
    this.vertx = vertx;
    this.pool = pool;
    this.store = store;
    this.settings = settings;
  }

  /** Starts the trimming passes; each is scheduled when the previous one has finished. */
  public void start() {
    schedule();
  }

  public void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void schedule() {
    if (!stopped) {
      timer = vertx.setTimer(settings.retentionSweepMs(), id -> trimPass()
          .onFailure(e -> LOG.debug("retention pass cut short, the next one resumes: {}", e.toString()))
          .onComplete(done -> schedule()));
    }
  }

  /** Expired streams, then the queued events of deleted streams. A call while one runs does nothing. */
  public Future<Void> sweepDeleted() {
    if (!sweeping.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    return store.sweepExpired(EXPIRED_PER_QUERY).compose(removed -> purgeQueued())
        .onComplete(done -> sweeping.set(false));
  }

  /** Events deleted because they were older than their stream's retention, since start. */
  public long trimmedEvents() {
    return trimmedEvents.get();
  }

  /** Events of deleted streams removed, since start. */
  public long purgedEvents() {
    return purgedEvents.get();
  }

  // ---- events of deleted streams -----------------------------------------------------------

  private Future<Void> purgeQueued() {
    if (stopped) {
      return Future.succeededFuture();
    }
    return pool.withTransaction(conn -> conn.preparedQuery(Sql.load("retention/next-purge.sql")).execute()
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(false);
          }
          long streamId = rows.iterator().next().getLong(0);
          return conn.preparedQuery(Sql.load("retention/purge-batch.sql"))
              .execute(Tuple.of(streamId, settings.retentionBatchRows()))
              .compose(deleted -> {
                purgedEvents.addAndGet(deleted.rowCount());
                return deleted.rowCount() < settings.retentionBatchRows()
                    ? conn.preparedQuery(Sql.load("retention/purged.sql")).execute(Tuple.of(streamId))
                    : Future.succeededFuture();
              })
              .map(true);
        }))
        .compose(more -> more ? purgeQueued() : Future.succeededFuture());
  }

  // ---- events older than their stream's retention -----------------------------------------

  /** One pass over every stream that may hold events past its max age. */
  Future<Void> trimPass() {
    return trimStreamsAfter(0);
  }

  private Future<Void> trimStreamsAfter(long afterId) {
    if (stopped) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(Sql.load("retention/candidates.sql"))
        .execute(Tuple.of(afterId, settings.retentionDefaultSeconds(), STREAMS_PER_QUERY))
        .compose(rows -> {
          Future<Void> chain = Future.succeededFuture();
          long last = afterId;
          for (Row row : rows) {
            long id = row.getLong("id");
            long maxAge = row.getLong("max_age");
            long firstStored = row.getLong("first_stored");
            last = id;
            chain = chain.compose(v -> trimStream(id, firstStored, maxAge));
          }
          long next = last;
          return rows.size() < STREAMS_PER_QUERY ? chain : chain.compose(v -> trimStreamsAfter(next));
        });
  }

  /** Deletes a stream's old events batch by batch, until a batch stops short of its bound. */
  private Future<Void> trimStream(long streamId, long from, long maxAge) {
    if (stopped) {
      return Future.succeededFuture();
    }
    int batch = settings.retentionBatchRows();
    return trimBatch(streamId, from, maxAge, batch).compose(cut ->
        cut == from + batch ? trimStream(streamId, cut, maxAge) : Future.succeededFuture());
  }

  /**
   * One transaction: claim the stream (or skip it, when another node trims it), find where
   * the old prefix ends within the batch, delete it, and move {@code retained_seq} there.
   * The stream row is updated last, so an append to the stream waits at most for that update.
   *
   * @return where the stream's stored events now begin ({@code from} when nothing was deleted)
   */
  private Future<Long> trimBatch(long streamId, long from, long maxAge, int batch) {
    return pool.withTransaction(conn -> conn.preparedQuery(Sql.load("retention/claim-stream.sql"))
        .execute(Tuple.of(streamId)).compose(claimed -> {
          if (!claimed.iterator().next().getBoolean(0)) {
            return Future.succeededFuture(from);
          }
          return conn.preparedQuery(Sql.load("retention/cut.sql")).execute(Tuple.of(streamId, from, batch, maxAge))
              .compose(rows -> {
                long cut = rows.iterator().next().getLong(0);
                if (cut <= from) {
                  return Future.succeededFuture(from);
                }
                return conn.preparedQuery(Sql.load("retention/delete-before.sql")).execute(Tuple.of(streamId, from, cut))
                    .compose(deleted -> {
                      trimmedEvents.addAndGet(deleted.rowCount());
                      return conn.preparedQuery(Sql.load("retention/advance.sql")).execute(Tuple.of(streamId, cut));
                    })
                    .map(cut);
              });
        }));
  }
}
