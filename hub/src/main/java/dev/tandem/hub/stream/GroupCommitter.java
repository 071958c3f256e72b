package dev.tandem.hub.stream;

import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.store.Sql;
import dev.tandem.hub.stream.LockedStream.ProducerState;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Group commit: appends that arrive while a transaction is in flight wait and go together into
 * the next one — one lock statement, one multi-row insert, one commit, one fsync for the lot.
 * Every writer is answered only after the transaction holding its append has committed, so an
 * acknowledged append is durable.
 *
 * <p>A transaction costs two round trips to Postgres: {@code BEGIN}, the row locks and the
 * producer states are sent together; once they are back and the batch is planned, the writes
 * and {@code COMMIT} are sent together. A failed write makes Postgres answer the pipelined
 * {@code COMMIT} with a rollback, so nothing of a failed batch is ever stored.
 *
 * <p>Offsets are assigned inside that transaction, under each stream's row lock (taken in id
 * order), so commit order equals offset order on every stream — also across several hubs
 * sharing one database. Appends are spread over {@code lanes} independent committers by stream
 * path; one stream always uses the same lane, which keeps its appends in arrival order.
 */
public final class GroupCommitter {

  /** Told about every committed batch; used to wake live readers and fan records out. */
  public interface Listener {
    void committed(CommittedBatch batch);
  }

  private final Lane[] lanes;
  private volatile Consumer<CommitStats> observer = stats -> { };

  public GroupCommitter(Vertx vertx, Pool pool, int lanes, int maxBatch, long maxBatchBytes, Listener listener) {
    this.lanes = new Lane[lanes];
    for (int i = 0; i < lanes; i++) {
      this.lanes[i] = new Lane(this, vertx, pool, maxBatch, maxBatchBytes, listener);
    }
  }

  /** Reports every transaction to {@code observer} (metrics), on the lane's context. */
  public void observe(Consumer<CommitStats> observer) {
    this.observer = observer;
  }

  /** Queues an append; the future completes after its batch commits, on the caller's context. */
  public Future<AppendAck> append(AppendRequest request) {
    Lane lane = lanes[Math.floorMod(request.path().hashCode(), lanes.length)];
    return lane.submit(request);
  }

  private record Pending(AppendRequest request, Promise<AppendAck> promise, Context context) {}

  private static final class Lane {
    private final GroupCommitter owner;
    private final Pool pool;
    private final Context context;
    private final int maxBatch;
    private final long maxBatchBytes;
    private final Listener listener;
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private boolean inFlight;

    Lane(GroupCommitter owner, Vertx vertx, Pool pool, int maxBatch, long maxBatchBytes, Listener listener) {
      this.owner = owner;
      this.pool = pool;
      this.context = vertx.getOrCreateContext();
      this.maxBatch = maxBatch;
      this.maxBatchBytes = maxBatchBytes;
      this.listener = listener;
    }

    Future<AppendAck> submit(AppendRequest request) {
      Context caller = Vertx.currentContext();
      Promise<AppendAck> promise = Promise.promise();
      queue.add(new Pending(request, promise, caller));
      if (scheduled.compareAndSet(false, true)) {
        context.runOnContext(v -> {
          scheduled.set(false);
          flush();
        });
      }
      return promise.future();
    }

    /** Runs on the lane's context: starts the next transaction unless one is in flight. */
    private void flush() {
      if (inFlight || queue.isEmpty()) {
        return;
      }
      List<Pending> batch = new ArrayList<>();
      long bytes = 0;
      Pending next;
      while (batch.size() < maxBatch && (next = queue.peek()) != null) {
        long size = next.request().bytes();
        if (!batch.isEmpty() && bytes + size > maxBatchBytes) {
          break;
        }
        batch.add(queue.poll());
        bytes += size;
      }
      inFlight = true;
      Outcomes outcomes = new Outcomes(batch.size());
      long started = System.nanoTime();
      pool.getConnection()
          .compose(conn -> transaction(conn, batch, outcomes).eventually(conn::close))
          .onComplete(result -> {
            inFlight = false;
            long nanos = System.nanoTime() - started;
            if (result.succeeded()) {
              answer(batch, outcomes);
              result.result().forEach(listener::committed);
              owner.observer.accept(outcomes.stats(result.result(), nanos));
            } else {
              for (Pending pending : batch) {
                complete(pending, null, result.cause());
              }
              owner.observer.accept(new CommitStats(batch.size(), 0, 0, 0, nanos, false));
            }
            flush();
          });
    }

    private Future<List<CommittedBatch>> transaction(SqlConnection conn, List<Pending> batch, Outcomes outcomes) {
      Set<String> paths = new LinkedHashSet<>();
      for (Pending pending : batch) {
        paths.add(pending.request().path());
      }
      Future<?> begin = conn.query("BEGIN").execute();
      Future<RowSet<Row>> locked = conn.preparedQuery(Sql.load("stream/lock-for-append.sql"))
          .execute(Tuple.of(paths.toArray(new String[0])));
      Future<RowSet<Row>> producers = loadProducers(conn, batch);
      return Future.all(begin, locked, producers)
          .compose(ready -> {
            Map<String, LockedStream> streams = lockedStreams(locked.result());
            addProducers(streams, producers.result());
            for (int i = 0; i < batch.size(); i++) {
              AppendRequest request = batch.get(i).request();
              try {
                outcomes.acks[i] = AppendPlanner.plan(streams.get(request.path()), request);
              } catch (TandemError refused) {
                outcomes.errors[i] = refused;
              }
            }
            List<LockedStream> changed = streams.values().stream().filter(s -> s.dirty).toList();
            List<CommittedBatch> committed = changed.stream().map(s -> new CommittedBatch(
                s.id, s.path, s.contentType, s.firstNewSeq, s.newRecords, s.closed, s.newStamps)).toList();
            Future<Void> writes = write(conn, changed);
            Future<?> commit = conn.query("COMMIT").execute();
            return Future.all(writes, commit).map(committed);
          })
          .recover(failure -> conn.query("ROLLBACK").execute()
              .transform(ignored -> Future.failedFuture(failure)));
    }

    private static Map<String, LockedStream> lockedStreams(RowSet<Row> rows) {
      Map<String, LockedStream> streams = new LinkedHashMap<>();
      for (Row row : rows) {
        LockedStream s = new LockedStream(
            row.getLong("id"), row.getString("path"), row.getString("content_type"),
            row.getBoolean("closed"), row.getBoolean("soft_deleted"), row.getBoolean("expired"),
            row.getLong("tail_seq"), row.getString("stream_seq"), row.getString("closed_by_producer"),
            row.getLong("closed_by_epoch"), row.getLong("closed_by_seq"));
        streams.put(s.path, s);
      }
      return streams;
    }

    /** The producer states a batch needs, keyed by stream path (sent before the locks are back). */
    private static Future<RowSet<Row>> loadProducers(SqlConnection conn, List<Pending> batch) {
      List<String> paths = new ArrayList<>();
      List<String> producerIds = new ArrayList<>();
      for (Pending pending : batch) {
        Producer p = pending.request().producer();
        if (p != null) {
          paths.add(pending.request().path());
          producerIds.add(p.id());
        }
      }
      if (paths.isEmpty()) {
        return Future.succeededFuture(null);
      }
      return conn.preparedQuery(Sql.load("stream/load-producers.sql"))
          .execute(Tuple.of(paths.toArray(new String[0]), (Object) producerIds.toArray(new String[0])));
    }

    private static void addProducers(Map<String, LockedStream> streams, RowSet<Row> rows) {
      if (rows == null) {
        return;
      }
      for (Row row : rows) {
        LockedStream s = streams.get(row.getString("path"));
        if (s != null) {
          s.producers.put(row.getString("producer_id"), new ProducerState(row.getLong("epoch"), row.getLong("last_seq")));
        }
      }
    }

    /** Sent when no record of a transaction has a stamp: every row gets null author and traceparent. */
    private static final String[] NO_STAMPS = new String[0];

    /** Writes records, tails and producer states; the three statements are pipelined. */
    private static Future<Void> write(SqlConnection conn, List<LockedStream> changed) {
      if (changed.isEmpty()) {
        return Future.succeededFuture();
      }
      int records = 0;
      for (LockedStream s : changed) {
        records += s.newRecords.size();
      }
      Long[] eventStream = new Long[records];
      Long[] eventSeq = new Long[records];
      Buffer[] payloads = new Buffer[records];
      String[] traceparents = NO_STAMPS;
      String[] authors = NO_STAMPS;
      int n = changed.size();
      Long[] ids = new Long[n];
      Long[] tails = new Long[n];
      Boolean[] closed = new Boolean[n];
      String[] streamSeqs = new String[n];
      String[] closedByProducer = new String[n];
      Long[] closedByEpoch = new Long[n];
      Long[] closedBySeq = new Long[n];
      List<Long> producerStreams = new ArrayList<>();
      List<String> producerIds = new ArrayList<>();
      List<Long> epochs = new ArrayList<>();
      List<Long> lastSeqs = new ArrayList<>();
      int r = 0;
      for (int i = 0; i < n; i++) {
        LockedStream s = changed.get(i);
        long seq = s.firstNewSeq;
        if (s.newStamps != null && traceparents == NO_STAMPS) {
          traceparents = new String[records]; // rows before this stream's stay null
          authors = new String[records];
        }
        for (int k = 0; k < s.newRecords.size(); k++) {
          eventStream[r] = s.id;
          eventSeq[r] = seq++;
          if (s.newStamps != null) {
            traceparents[r] = s.newStamps.get(k).traceparent();
            authors[r] = s.newStamps.get(k).author();
          }
          payloads[r++] = s.newRecords.get(k);
        }
        ids[i] = s.id;
        tails[i] = s.tail;
        closed[i] = s.closed;
        streamSeqs[i] = s.streamSeq;
        closedByProducer[i] = s.closedByProducer;
        closedByEpoch[i] = s.closedByEpoch;
        closedBySeq[i] = s.closedBySeq;
        for (String producer : s.changedProducers) {
          ProducerState state = s.producers.get(producer);
          producerStreams.add(s.id);
          producerIds.add(producer);
          epochs.add(state.epoch());
          lastSeqs.add(state.lastSeq());
        }
      }
      List<Future<?>> writes = new ArrayList<>(3);
      if (records > 0) {
        writes.add(conn.preparedQuery(Sql.load("stream/insert-events.sql"))
            .execute(Tuple.of(eventStream, eventSeq, payloads, traceparents, authors)));
      }
      writes.add(conn.preparedQuery(Sql.load("stream/update-tails.sql"))
          .execute(Tuple.of(ids, tails, closed, streamSeqs, closedByProducer, closedByEpoch, closedBySeq)));
      if (!producerIds.isEmpty()) {
        writes.add(conn.preparedQuery(Sql.load("stream/upsert-producers.sql"))
            .execute(Tuple.of(producerStreams.toArray(new Long[0]), producerIds.toArray(new String[0]),
                epochs.toArray(new Long[0]), lastSeqs.toArray(new Long[0]))));
      }
      return Future.all(writes).mapEmpty();
    }

    private static void answer(List<Pending> batch, Outcomes outcomes) {
      for (int i = 0; i < batch.size(); i++) {
        complete(batch.get(i), outcomes.acks[i], outcomes.errors[i]);
      }
    }

    private static void complete(Pending pending, AppendAck ack, Throwable error) {
      Runnable done = error == null
          ? () -> pending.promise().complete(ack)
          : () -> pending.promise().fail(error);
      if (pending.context() == null) {
        done.run();
      } else {
        pending.context().runOnContext(v -> done.run());
      }
    }
  }

  /** What the planner decided for each append of a batch, answered once the batch commits. */
  private static final class Outcomes {
    final AppendAck[] acks;
    final TandemError[] errors;

    Outcomes(int size) {
      acks = new AppendAck[size];
      errors = new TandemError[size];
    }

    CommitStats stats(List<CommittedBatch> committed, long nanos) {
      int refused = 0;
      int duplicates = 0;
      for (int i = 0; i < acks.length; i++) {
        refused += errors[i] != null ? 1 : 0;
        duplicates += acks[i] != null && acks[i].duplicate() ? 1 : 0;
      }
      int records = 0;
      for (CommittedBatch batch : committed) {
        records += batch.records().size();
      }
      return new CommitStats(acks.length, refused, duplicates, records, nanos, true);
    }
  }
}
