package dev.tandem.hub.cursor;

import dev.tandem.hub.store.Sql;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-participant cursors in Postgres: the offset a participant has acknowledged on a stream.
 *
 * <p>Acknowledgements are group-written like appends: those that arrive while a write is in
 * flight are merged (highest offset per participant and stream) into the next single upsert.
 * Cursors only move forward there ({@code greatest(...)}); {@link #reset} is the one way back.
 */
public final class CursorStore {

  /** One row of a participant's inbox. */
  public record InboxEntry(String stream, long tailSeq, long cursorSeq, boolean closed, java.time.OffsetDateTime lastActivity) {
    public long unread() {
      return Math.max(0, tailSeq - cursorSeq);
    }
  }

  private record Key(String participant, long streamId) {}

  private final Pool pool;
  private final Context context;
  private Map<Key, Long> queued = new LinkedHashMap<>();
  private Map<Key, List<Promise<Long>>> waiting = new LinkedHashMap<>();
  private boolean inFlight;

  public CursorStore(Vertx vertx, Pool pool) {
    this.pool = pool;
    this.context = vertx.getOrCreateContext();
  }

  /** Moves the cursor forward to {@code offsetSeq}; completes with where it now is, once stored. */
  public Future<Long> advance(String participant, long streamId, long offsetSeq) {
    Promise<Long> promise = Promise.promise();
    Context caller = Vertx.currentContext();
    context.runOnContext(v -> {
      Key key = new Key(participant, streamId);
      queued.merge(key, offsetSeq, Math::max);
      waiting.computeIfAbsent(key, k -> new ArrayList<>()).add(promise);
      flush();
    });
    if (caller == null) {
      return promise.future();
    }
    // Completed on the caller's thread, so its continuations (an HTTP response) run there too.
    Promise<Long> onCaller = Promise.promise();
    promise.future().onComplete(result -> caller.runOnContext(v -> onCaller.handle(result)));
    return onCaller.future();
  }

  private void flush() {
    if (inFlight || queued.isEmpty()) {
      return;
    }
    Map<Key, Long> batch = queued;
    Map<Key, List<Promise<Long>>> promises = waiting;
    queued = new LinkedHashMap<>();
    waiting = new LinkedHashMap<>();
    inFlight = true;
    String[] participants = new String[batch.size()];
    Long[] streams = new Long[batch.size()];
    Long[] offsets = new Long[batch.size()];
    int i = 0;
    for (Map.Entry<Key, Long> entry : batch.entrySet()) {
      participants[i] = entry.getKey().participant();
      streams[i] = entry.getKey().streamId();
      offsets[i++] = entry.getValue();
    }
    pool.preparedQuery(Sql.load("cursor/advance.sql")).execute(Tuple.of(participants, streams, offsets))
        .onComplete(result -> {
          inFlight = false;
          if (result.succeeded()) {
            for (Row row : result.result()) {
              Key key = new Key(row.getString(0), row.getLong(1));
              promises.getOrDefault(key, List.of()).forEach(p -> p.tryComplete(row.getLong(2)));
            }
          }
          promises.values().forEach(list -> list.forEach(p -> p.tryFail(result.failed()
              ? result.cause() : new IllegalStateException("cursor not stored"))));
          flush();
        });
  }

  /** Sets the cursor to {@code offsetSeq}, also backwards. */
  public Future<Long> reset(String participant, long streamId, long offsetSeq) {
    return pool.preparedQuery(Sql.load("cursor/reset.sql")).execute(Tuple.of(participant, streamId, offsetSeq))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Makes the participant follow the stream, starting at {@code offsetSeq} unless it already does. */
  public Future<Void> follow(String participant, long streamId, long offsetSeq) {
    return pool.preparedQuery(Sql.load("cursor/follow.sql")).execute(Tuple.of(participant, streamId, offsetSeq))
        .mapEmpty();
  }

  /** The participant's cursor on the stream, or null when it has none. */
  public Future<Long> find(String participant, long streamId) {
    return pool.preparedQuery(Sql.load("cursor/find.sql")).execute(Tuple.of(participant, streamId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong(0));
  }

  public Future<List<InboxEntry>> inbox(String participant, int limit) {
    return pool.preparedQuery(Sql.load("cursor/inbox.sql")).execute(Tuple.of(participant, limit))
        .map(CursorStore::entries);
  }

  private static List<InboxEntry> entries(RowSet<Row> rows) {
    List<InboxEntry> entries = new ArrayList<>(rows.size());
    for (Row row : rows) {
      entries.add(new InboxEntry(row.getString(0), row.getLong(1), row.getLong(2), row.getBoolean(3),
          row.getOffsetDateTime(4)));
    }
    return entries;
  }
}
