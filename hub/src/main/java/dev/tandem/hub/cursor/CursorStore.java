package dev.tandem.hub.cursor;

import dev.tandem.hub.cluster.Cluster;
import dev.tandem.hub.store.Sql;
import dev.tandem.hub.http.Wakeups;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Per-participant cursors in Postgres: the offset a participant has acknowledged on a stream.
 *
 * <p>Acknowledgements are group-written like appends: those that arrive while a write is in
 * flight are merged (highest offset per participant and stream) into the next single upsert.
 * Cursors only move forward there ({@code greatest(...)}); {@link #reset} is the one way back.
 */
public final class CursorStore {

  /** One row of a participant's inbox. */
  public record InboxEntry(long streamId, String stream, long tailSeq, long cursorSeq, boolean closed,
                           java.time.OffsetDateTime lastActivity) {
    public long unread() {
      return Math.max(0, tailSeq - cursorSeq);
    }
  }

  private record Key(String participant, long streamId) {}

  /** Most participants named in one {@link #onChanged} message: a NOTIFY payload stays well under 8,000 bytes. */
  private static final int MAX_ANNOUNCED_CHARS = 6000;

  private final Pool pool;
  private final Context context;
  private final Wakeups<String> changes = new Wakeups<>();
  private Consumer<String> onChanged = participants -> { };
  private Map<Key, Long> queued = new LinkedHashMap<>();
  private Map<Key, List<Promise<Long>>> waiting = new LinkedHashMap<>();
  private boolean inFlight;

  public CursorStore(Vertx vertx, Pool pool) {
    this.pool = pool;
    this.context = vertx.getOrCreateContext();
  }

  /**
   * Calls {@code handler} on {@code context} whenever one of {@code participant}'s cursors is
   * stored (moved, reset, or a stream newly followed) here or on another node, until the
   * returned cancel runs.
   */
  public Runnable watch(String participant, Context context, Handler<Void> handler) {
    return changes.watch(participant, context, handler);
  }

  /**
   * Receives the participants whose cursors this node stored, newline-separated, to tell the
   * other nodes ({@link #changed}).
   */
  public void onChanged(Consumer<String> announce) {
    this.onChanged = announce;
  }

  /** Another node stored cursors of these participants (newline-separated). */
  public void changed(String participants) {
    for (String participant : participants.split("\n")) {
      changes.wake(participant);
    }
  }

  private void stored(Collection<String> participants) {
    participants.forEach(changes::wake);
    if (!participants.isEmpty()) {
      Cluster.pack(participants, "\n", MAX_ANNOUNCED_CHARS).forEach(onChanged);
    }
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
            Set<String> movers = new LinkedHashSet<>();
            for (Row row : result.result()) {
              Key key = new Key(row.getString(0), row.getLong(1));
              movers.add(key.participant());
              promises.getOrDefault(key, List.of()).forEach(p -> p.tryComplete(row.getLong(2)));
            }
            stored(movers);
          }
          promises.values().forEach(list -> list.forEach(p -> p.tryFail(result.failed()
              ? result.cause() : new IllegalStateException("cursor not stored"))));
          flush();
        });
  }

  /** Sets the cursor to {@code offsetSeq}, also backwards. */
  public Future<Long> reset(String participant, long streamId, long offsetSeq) {
    return pool.preparedQuery(Sql.load("cursor/reset.sql")).execute(Tuple.of(participant, streamId, offsetSeq))
        .map(rows -> rows.iterator().next().getLong(0))
        .onSuccess(cursor -> stored(List.of(participant)));
  }

  /** Makes the participant follow the stream, starting at {@code offsetSeq} unless it already does. */
  public Future<Void> follow(String participant, long streamId, long offsetSeq) {
    return pool.preparedQuery(Sql.load("cursor/follow.sql")).execute(Tuple.of(participant, streamId, offsetSeq))
        .onSuccess(rows -> {
          if (rows.rowCount() > 0) {
            stored(List.of(participant));
          }
        })
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
      entries.add(new InboxEntry(row.getLong(5), row.getString(0), row.getLong(1), row.getLong(2), row.getBoolean(3),
          row.getOffsetDateTime(4)));
    }
    return entries;
  }
}
