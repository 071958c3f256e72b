package dev.tandem.hub.stream;

import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a stream's records from an offset, in pages bounded by bytes.
 *
 * <p>A fork shares its source's history without copying it: its view is a list of segments —
 * the source's view below the fork point, then the fork's own records. Lineage never changes
 * once a fork exists, so segments are computed once per stream and cached.
 *
 * <p>Records are consecutive, with one exception: retention deletes the oldest records of a
 * stream and remembers where it stopped ({@code retained_seq}). A record found missing is
 * checked against that mark: below it, the read either begins after the hole
 * ({@link Start#FIRST_RETAINED}) or is refused with {@code 410 offset_gone}
 * ({@link Start#EXACT}); anywhere else it is a bug, and the read fails loudly.
 */
public final class StreamReader {

  /** Where a read begins when retention deleted the records at its offset. */
  public enum Start {
    /** At the offset or not at all: records the reader expects must not be skipped silently. */
    EXACT,
    /** At the first retained record: for reads from the beginning ({@code -1}) or a saved cursor. */
    FIRST_RETAINED
  }

  /** Records {@code [fromSeq, toSeq)} of the view live in stream {@code streamId}. */
  record Segment(long streamId, long fromSeq, long toSeq) {}

  private static final int MAX_ROWS_PER_QUERY = 4096;

  private final Pool pool;
  private final int chunkBytes;
  private final Map<Long, List<Segment>> lineage = new ConcurrentHashMap<>();

  public StreamReader(Pool pool, int chunkBytes) {
    this.pool = pool;
    this.chunkBytes = chunkBytes;
  }

  /** The most payload bytes one read returns (at least one record, whatever its size). */
  public int chunkBytes() {
    return chunkBytes;
  }

  /** Reads from exactly {@code fromSeq}. */
  public Future<ReadChunk> read(StreamRecord stream, long fromSeq) {
    return read(stream, fromSeq, Start.EXACT);
  }

  public Future<ReadChunk> read(StreamRecord stream, long fromSeq, Start start) {
    return read(pool, stream, fromSeq, start, chunkBytes, MAX_ROWS_PER_QUERY);
  }

  /** Reads at most {@code maxRecords} records (used for a fork's sub-offset anchor). */
  Future<ReadChunk> read(SqlClient client, StreamRecord stream, long fromSeq, Start start, int maxBytes, int maxRecords) {
    long from = fromSeq;
    if (from < stream.retainedSeq()) {
      // The snapshot already says so; a later deletion is found by the missing-record check.
      if (start == Start.EXACT) {
        return Future.failedFuture(gone(fromSeq, stream.retainedSeq()));
      }
      from = stream.retainedSeq();
    }
    long first = from;
    return segments(client, stream)
        .compose(segments -> new Page(client, stream, segments, start, first, maxBytes, maxRecords).readFrom(0));
  }

  /** One read: the records gathered so far and the budget left. */
  private final class Page {
    private final SqlClient client;
    private final StreamRecord stream;
    private final List<Segment> segments;
    private final Start start;
    private final int maxBytes;
    private final int maxRecords;
    private final List<Buffer> records = new ArrayList<>();
    private List<Stamp> stamps; // null until a record has one
    private long fromSeq;
    private long bytes;

    Page(SqlClient client, StreamRecord stream, List<Segment> segments, Start start, long fromSeq,
         int maxBytes, int maxRecords) {
      this.client = client;
      this.stream = stream;
      this.segments = segments;
      this.start = start;
      this.fromSeq = fromSeq;
      this.maxBytes = maxBytes;
      this.maxRecords = maxRecords;
    }

    /** Reads on from where {@code records} ends, segment by segment, until the budget or the end. */
    Future<ReadChunk> readFrom(int first) {
      long at = fromSeq + records.size();
      int index = first;
      while (index < segments.size() && segments.get(index).toSeq() <= at) {
        index++;
      }
      if (index == segments.size()) {
        return done(at, true);
      }
      Segment segment = segments.get(index);
      int limit = Math.min(MAX_ROWS_PER_QUERY, maxRecords - records.size());
      int current = index;
      return client.preparedQuery(Sql.load("stream/read-range.sql"))
          .execute(Tuple.of(segment.streamId(), at, segment.toSeq(), limit))
          .compose(rows -> {
            long expected = at;
            for (Row row : rows) {
              if (row.getLong(0) != expected) {
                return missing(current, expected);
              }
              Buffer payload = row.getBuffer(1);
              if (!records.isEmpty() && bytes + payload.length() > maxBytes) {
                return done(expected, false);
              }
              add(payload, Stamp.of(row.getString(3), row.getString(2)));
              expected++;
            }
            if (records.size() >= maxRecords || bytes >= maxBytes) {
              return done(expected, false);
            }
            if (rows.size() == limit) {
              return readFrom(current);
            }
            if (segment.toSeq() == Long.MAX_VALUE) {
              // Nothing at all below the tail this stream had when the read began: deleted.
              return rows.size() == 0 && expected < stream.tailSeq()
                  ? missing(current, expected)
                  : done(expected, true);
            }
            if (expected < segment.toSeq()) {
              return missing(current, expected);
            }
            return readFrom(current + 1);
          });
    }

    /** Record {@code seq} of segment {@code index} is not stored: retention, or a bug. */
    private Future<ReadChunk> missing(int index, long seq) {
      Segment segment = segments.get(index);
      return client.preparedQuery(Sql.load("stream/retained-seq.sql")).execute(Tuple.of(segment.streamId()))
          .compose(rows -> {
            if (rows.size() == 0) {
              throw TandemError.notFound("stream '" + stream.path() + "' was deleted while it was read");
            }
            long retained = rows.iterator().next().getLong(0);
            if (retained <= seq) {
              throw new IllegalStateException("stream " + segment.streamId() + " has no record " + seq);
            }
            long resume = Math.min(retained, segment.toSeq());
            if (start == Start.EXACT) {
              throw gone(seq, resume);
            }
            records.clear();
            stamps = null;
            bytes = 0;
            fromSeq = resume;
            return readFrom(index);
          });
    }

    private void add(Buffer payload, Stamp stamp) {
      if (!stamp.isNone() && stamps == null) {
        stamps = new ArrayList<>(Collections.nCopies(records.size(), Stamp.NONE));
      }
      if (stamps != null) {
        stamps.add(stamp);
      }
      records.add(payload);
      bytes += payload.length();
    }

    private Future<ReadChunk> done(long nextSeq, boolean upToDate) {
      return Future.succeededFuture(new ReadChunk(fromSeq, records, nextSeq, upToDate, stamps));
    }
  }

  /** PROTOCOL 5.6: an offset before the earliest retained position is 410 Gone. */
  static TandemError gone(long seq, long retained) {
    return TandemError.of(410, "offset_gone", "the records at offset " + Offsets.format(seq)
        + " were deleted by the stream's retention; the first retained offset is " + Offsets.format(retained)
        + " (read from -1 to start there)");
  }

  /** The segments a stream's view is made of, oldest first. */
  Future<List<Segment>> segments(SqlClient client, StreamRecord stream) {
    if (!stream.isFork()) {
      return Future.succeededFuture(List.of(new Segment(stream.id(), 0, Long.MAX_VALUE)));
    }
    List<Segment> cached = lineage.get(stream.id());
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return client.preparedQuery(Sql.load("stream/find-by-id.sql")).execute(Tuple.of(stream.forkSource()))
        .compose(rows -> {
          if (rows.size() == 0) {
            throw new IllegalStateException("fork source " + stream.forkSource() + " of " + stream.path() + " is gone");
          }
          return segments(client, StreamRecord.from(rows.iterator().next()));
        })
        .map(sourceSegments -> {
          List<Segment> view = new ArrayList<>();
          for (Segment s : sourceSegments) {
            if (s.fromSeq() < stream.forkSeq()) {
              view.add(new Segment(s.streamId(), s.fromSeq(), Math.min(s.toSeq(), stream.forkSeq())));
            }
          }
          view.add(new Segment(stream.id(), stream.forkSeq(), Long.MAX_VALUE));
          List<Segment> frozen = List.copyOf(view);
          lineage.put(stream.id(), frozen);
          return frozen;
        });
  }

  void forget(long streamId) {
    lineage.remove(streamId);
  }
}
