package dev.tandem.hub.stream;

import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Stream lifecycle in Postgres: create (plain or fork), find, delete with fork reference
 * counting, and sweeping expired streams. Appends go through {@link GroupCommitter}.
 *
 * <p>Each operation is one transaction holding the row locks it needs, so it serializes with
 * appends on the same stream. A stream that forks reference is only soft-deleted; the last
 * fork to go takes it along (and so on up the chain).
 */
public final class StreamStore {

  /** The outcome of a PUT. */
  public record Created(boolean isNew, StreamRecord stream) {}

  private final Pool pool;
  private final StreamReader reader;
  private final java.util.function.LongConsumer removed;
  private final int maxJsonMessages;
  private volatile java.util.function.Consumer<StreamRecord> created = stream -> {};

  /** @param removed told the id of every stream deleted or soft-deleted, after its transaction */
  public StreamStore(Pool pool, StreamReader reader, java.util.function.LongConsumer removed, int maxJsonMessages) {
    this.pool = pool;
    this.reader = reader;
    this.removed = removed;
    this.maxJsonMessages = maxJsonMessages;
  }

  /** The stream at {@code path}: 404 when there is none (or it expired), 410 when soft-deleted. */
  public Future<StreamRecord> find(String path) {
    return pool.preparedQuery(Sql.load("stream/find-by-path.sql")).execute(Tuple.of(path))
        .map(rows -> visible(path, first(rows)));
  }

  static StreamRecord visible(String path, StreamRecord stream) {
    if (stream == null || stream.expired()) {
      throw TandemError.notFound("no stream at '" + path + "'");
    }
    if (stream.softDeleted()) {
      throw TandemError.gone("stream '" + path + "' was deleted");
    }
    return stream;
  }

  /** Slides the TTL window of a stream that has one (reads count as use). */
  public Future<Void> touch(StreamRecord stream) {
    if (stream.ttlSeconds() == null) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(Sql.load("stream/touch.sql")).execute(Tuple.of(stream.id())).mapEmpty();
  }

  /** Tells {@code listener} about every stream a PUT creates, after its transaction commits. */
  public void onCreated(java.util.function.Consumer<StreamRecord> listener) {
    this.created = listener;
  }

  public Future<Created> create(CreateRequest request) {
    return create(request, CREATE_ATTEMPTS).onSuccess(result -> {
      if (result.isNew()) {
        created.accept(result.stream());
      }
    });
  }

  /**
   * A create that loses the race for the path to a concurrent one compares with the winner on
   * the next attempt; only a path that is created and deleted again under it each time can
   * run out of attempts, and that answers 409.
   */
  private Future<Created> create(CreateRequest request, int attempts) {
    return inTransaction((conn, gone) -> createIn(conn, request, gone)).recover(failure -> {
      if (!(failure instanceof ConcurrentCreate)) {
        return Future.failedFuture(failure);
      }
      if (attempts <= 1) {
        return Future.failedFuture(TandemError.conflict("concurrent_create",
            "stream '" + request.path() + "' is being created and deleted concurrently; try again"));
      }
      return create(request, attempts - 1);
    });
  }

  private static final int CREATE_ATTEMPTS = 5;

  /** Runs {@code work} in a transaction; streams it removes are announced after the commit. */
  private <T> Future<T> inTransaction(java.util.function.BiFunction<SqlConnection, List<Long>, Future<T>> work) {
    List<Long> gone = new ArrayList<>();
    return pool.withTransaction(conn -> work.apply(conn, gone))
        .onSuccess(v -> gone.forEach(removed::accept));
  }

  private static final class ConcurrentCreate extends RuntimeException {
    ConcurrentCreate() {
      super(null, null, false, false);
    }
  }

  private Future<Created> createIn(SqlConnection conn, CreateRequest request, List<Long> gone) {
    return lock(conn, request.path()).compose(existing -> {
      if (existing != null && !existing.expired()) {
        if (existing.softDeleted()) {
          throw TandemError.conflict("stream_deleted",
              "stream '" + request.path() + "' was deleted and its path is kept for its forks");
        }
        return compare(conn, existing, request);
      }
      if (existing != null && existing.forkRefs() > 0) {
        // Expired, but forks still read its records: it is kept (soft-deleted) with its path.
        return remove(conn, existing, gone).map(v -> {
          throw TandemError.conflict("stream_deleted",
              "stream '" + request.path() + "' expired and its path is kept for its forks");
        });
      }
      Future<Void> cleared = existing == null ? Future.succeededFuture() : remove(conn, existing, gone);
      return cleared.compose(v -> request.fork() == null
          ? insert(conn, request, request.contentType() == null ? ContentTypes.DEFAULT : request.contentType(),
              request.ttlSeconds(), request.expiresAt(), null)
          : insertFork(conn, request));
    });
  }

  private Future<Created> compare(SqlConnection conn, StreamRecord existing, CreateRequest request) {
    String wanted = request.contentType();
    if (wanted == null) {
      wanted = existing.isFork() && request.fork() != null ? existing.contentType() : ContentTypes.DEFAULT;
    }
    boolean same = existing.contentType().equals(wanted)
        && Objects.equals(existing.ttlSeconds(), request.ttlSeconds())
        && sameInstant(existing, request)
        && existing.closed() == request.closed()
        && Objects.equals(existing.retentionSeconds(), request.retentionSeconds())
        && sameFork(existing, request.fork());
    if (!same && existing.isFork() && request.fork() != null && request.ttlSeconds() == null
        && request.expiresAt() == null) {
      // A fork that inherited its source's expiry matches a request that asked for none.
      same = existing.contentType().equals(wanted) && existing.closed() == request.closed()
          && Objects.equals(existing.retentionSeconds(), request.retentionSeconds())
          && sameFork(existing, request.fork());
    }
    if (!same) {
      throw TandemError.conflict("stream_exists",
          "stream '" + request.path() + "' exists with a different configuration");
    }
    return Future.succeededFuture(new Created(false, existing));
  }

  private static boolean sameInstant(StreamRecord existing, CreateRequest request) {
    if (existing.expiresAt() == null || request.expiresAt() == null) {
      return existing.expiresAt() == null && request.expiresAt() == null;
    }
    return existing.expiresAt().toInstant().equals(request.expiresAt().toInstant());
  }

  private static boolean sameFork(StreamRecord existing, CreateRequest.Fork fork) {
    if (fork == null) {
      return !existing.isFork();
    }
    if (!existing.isFork() || !fork.sourcePath().equals(existing.forkSourcePath())) {
      return false;
    }
    boolean sameOffset = fork.offset() == null
        || fork.offset().equals(Offsets.format(existing.forkOffset()));
    return sameOffset && fork.subOffset() == existing.forkSubOffset();
  }

  private Future<Created> insertFork(SqlConnection conn, CreateRequest request) {
    CreateRequest.Fork fork = request.fork();
    return lock(conn, fork.sourcePath()).compose(source -> {
      if (source == null || source.expired()) {
        throw TandemError.notFound("fork source '" + fork.sourcePath() + "' does not exist");
      }
      if (source.softDeleted()) {
        throw TandemError.conflict("stream_deleted", "fork source '" + fork.sourcePath() + "' was deleted");
      }
      if (request.contentType() != null && !request.contentType().equals(source.contentType())) {
        throw TandemError.conflict("content_type_mismatch",
            "a fork has its source's content type " + source.contentType() + ", not " + request.contentType());
      }
      long anchor = fork.offset() == null ? source.tailSeq() : Offsets.parse(fork.offset());
      if (anchor > source.tailSeq()) {
        throw TandemError.badRequest("fork_offset_out_of_range",
            "Stream-Fork-Offset is past the source's tail " + Offsets.format(source.tailSeq()));
      }
      // Expiry the fork inherits when it asks for none (PROTOCOL 4.2).
      Long ttl = request.ttlSeconds();
      java.time.OffsetDateTime expiresAt = request.expiresAt();
      if (ttl == null && expiresAt == null) {
        ttl = source.ttlSeconds();
        expiresAt = source.expiresAt();
      }
      Long finalTtl = ttl;
      java.time.OffsetDateTime finalExpiresAt = expiresAt;
      return forkPoint(conn, source, anchor, fork.subOffset()).compose(point -> {
        ForkLink link = new ForkLink(source.id(), anchor, fork.subOffset(), point.forkSeq(), point.prefix());
        return insert(conn, request, source.contentType(), finalTtl, finalExpiresAt, link);
      }).compose(created -> conn.preparedQuery(Sql.load("stream/add-fork-ref.sql"))
          .execute(Tuple.of(source.id(), 1)).map(created));
    });
  }

  /** Where a fork's own records begin, and the partial record it keeps when it forks mid-append. */
  private record ForkPoint(long forkSeq, Buffer prefix) {}

  private record ForkLink(long sourceId, long offset, long subOffset, long forkSeq, Buffer prefix) {}

  private Future<ForkPoint> forkPoint(SqlConnection conn, StreamRecord source, long anchor, long sub) {
    if (sub == 0) {
      return Future.succeededFuture(new ForkPoint(anchor, null));
    }
    if (source.isJson()) {
      if (anchor + sub > source.tailSeq()) {
        throw subOffsetTooFar(sub);
      }
      return Future.succeededFuture(new ForkPoint(anchor + sub, null)); // every JSON message has its own offset
    }
    return reader.read(conn, source, anchor, StreamReader.Start.EXACT, Integer.MAX_VALUE, 1).map(chunk -> {
      if (chunk.isEmpty() || sub > chunk.records().get(0).length()) {
        throw subOffsetTooFar(sub);
      }
      Buffer record = chunk.records().get(0);
      return sub == record.length()
          ? new ForkPoint(anchor + 1, null)
          : new ForkPoint(anchor, record.getBuffer(0, (int) sub));
    });
  }

  private static TandemError subOffsetTooFar(long sub) {
    return TandemError.badRequest("fork_sub_offset_out_of_range",
        "Stream-Fork-Sub-Offset " + sub + " reaches past the record at Stream-Fork-Offset");
  }

  private Future<Created> insert(SqlConnection conn, CreateRequest request, String contentType, Long ttl,
                                 java.time.OffsetDateTime expiresAt, ForkLink fork) {
    List<Buffer> records = new ArrayList<>();
    // A fork's prefix is part of the source's record, not the creator's.
    int prefixed = fork != null && fork.prefix() != null ? 1 : 0;
    if (prefixed == 1) {
      records.add(fork.prefix());
    }
    if (request.body() != null && request.body().length() > 0) {
      if (ContentTypes.isJson(contentType)) {
        records.addAll(JsonMessages.split(request.body(), true, maxJsonMessages));
      } else {
        records.add(request.body());
      }
    }
    long firstSeq = fork == null ? 0 : fork.forkSeq();
    long tail = firstSeq + records.size();
    Tuple insert = Tuple.of(request.path(), contentType, request.closed(), tail, ttl, expiresAt)
        .addValue(fork == null ? null : fork.sourceId())
        .addValue(fork == null ? null : fork.offset())
        .addValue(fork == null ? null : fork.subOffset())
        .addValue(fork == null ? null : fork.forkSeq())
        .addValue(request.retentionSeconds());
    return conn.preparedQuery(Sql.load("stream/insert-stream.sql")).execute(insert).compose(rows -> {
      if (rows.size() == 0) {
        throw new ConcurrentCreate();
      }
      long id = rows.iterator().next().getLong(0);
      Future<?> written = records.isEmpty() ? Future.succeededFuture()
          : insertRecords(conn, id, firstSeq, records, prefixed, request.author());
      return written.compose(v -> conn.preparedQuery(Sql.load("stream/find-by-id.sql")).execute(Tuple.of(id)))
          .map(found -> new Created(true, first(found)));
    });
  }

  /** A new stream's first records; those from {@code authoredFrom} on are stamped with {@code author}. */
  private static Future<RowSet<Row>> insertRecords(SqlConnection conn, long id, long firstSeq, List<Buffer> records,
                                                   int authoredFrom, String author) {
    Long[] ids = new Long[records.size()];
    Long[] seqs = new Long[records.size()];
    String[] authors = new String[records.size()];
    for (int i = 0; i < records.size(); i++) {
      ids[i] = id;
      seqs[i] = firstSeq + i;
      authors[i] = i >= authoredFrom ? author : null;
    }
    return conn.preparedQuery(Sql.load("stream/insert-events.sql"))
        .execute(Tuple.of(ids, seqs, records.toArray(new Buffer[0]), new String[0], authors));
  }

  /** DELETE: 404 when absent, 410 when already soft-deleted. */
  public Future<Void> delete(String path) {
    return inTransaction((conn, gone) -> lock(conn, path).compose(stream -> {
      visible(path, stream);
      return remove(conn, stream, gone);
    }));
  }

  /** Deletes a stream for good, or soft-deletes it while forks still read its records. */
  private Future<Void> remove(SqlConnection conn, StreamRecord stream, List<Long> gone) {
    gone.add(stream.id());
    return stream.forkRefs() > 0
        ? conn.preparedQuery(Sql.load("stream/soft-delete.sql")).execute(Tuple.of(stream.id())).mapEmpty()
        : purge(conn, stream.id());
  }

  /**
   * Removes a stream's row, then releases its fork source (collecting it if it was deleted).
   * Its events are only queued for deletion: the retention sweeper deletes them in bounded
   * batches, so removing a large stream is one short transaction.
   */
  private Future<Void> purge(SqlConnection conn, long id) {
    reader.forget(id);
    return conn.preparedQuery(Sql.load("stream/queue-event-purge.sql")).execute(Tuple.of(id))
        .compose(v -> conn.preparedQuery(Sql.load("stream/delete-stream.sql")).execute(Tuple.of(id)))
        .compose(rows -> {
          Long source = rows.size() == 0 ? null : rows.iterator().next().getLong(0);
          if (source == null) {
            return Future.<Void>succeededFuture();
          }
          return conn.preparedQuery(Sql.load("stream/add-fork-ref.sql")).execute(Tuple.of(source, -1))
              .compose(refs -> {
                Row row = refs.iterator().next();
                boolean collect = row.getInteger(0) == 0 && row.getBoolean(1);
                return collect ? purge(conn, source) : Future.<Void>succeededFuture();
              });
        });
  }

  /**
   * Deletes every expired stream, {@code page} candidates per query; returns how many it
   * removed. Each stream goes in its own transaction, and a stream another transaction holds
   * (another node's sweeper, a read sliding its TTL) is skipped until the next pass, so hub
   * nodes sweeping together never wait for each other.
   */
  public Future<Integer> sweepExpired(int page) {
    return sweepExpiredAfter(0, page, 0);
  }

  private Future<Integer> sweepExpiredAfter(long afterId, int page, int removedSoFar) {
    return pool.preparedQuery(Sql.load("stream/expired-streams.sql")).execute(Tuple.of(afterId, page))
        .compose(rows -> {
          Future<Integer> chain = Future.succeededFuture(removedSoFar);
          long last = afterId;
          for (Row row : rows) {
            long id = row.getLong(0);
            last = id;
            chain = chain.compose(count -> removeIfExpired(id).map(one -> count + one));
          }
          long next = last;
          return rows.size() < page ? chain : chain.compose(count -> sweepExpiredAfter(next, page, count));
        });
  }

  private Future<Integer> removeIfExpired(long id) {
    return inTransaction((conn, gone) -> conn.preparedQuery(Sql.load("stream/try-lock-by-id.sql"))
        .execute(Tuple.of(id)).map(StreamStore::first).compose(stream ->
            stream != null && stream.expired() && !stream.softDeleted()
                ? remove(conn, stream, gone).map(1)
                : Future.succeededFuture(0)));
  }

  private static Future<StreamRecord> lock(SqlConnection conn, String path) {
    return conn.preparedQuery(Sql.load("stream/lock-by-path.sql")).execute(Tuple.of(path))
        .map(StreamStore::first);
  }

  private static StreamRecord first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : StreamRecord.from(rows.iterator().next());
  }
}
