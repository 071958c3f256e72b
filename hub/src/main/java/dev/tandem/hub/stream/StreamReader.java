package dev.tandem.hub.stream;

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
 */
public final class StreamReader {

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

  public Future<ReadChunk> read(StreamRecord stream, long fromSeq) {
    return read(pool, stream, fromSeq, chunkBytes, MAX_ROWS_PER_QUERY);
  }

  /** Reads at most {@code maxRecords} records (used for a fork's sub-offset anchor). */
  Future<ReadChunk> read(SqlClient client, StreamRecord stream, long fromSeq, int maxBytes, int maxRecords) {
    return segments(client, stream).compose(segments -> {
      Page page = new Page(fromSeq);
      return readFrom(client, segments, 0, page, maxBytes, maxRecords);
    });
  }

  /** What a read has gathered so far: records, their traceparents (once one has any), bytes. */
  private static final class Page {
    final long fromSeq;
    final List<Buffer> records = new ArrayList<>();
    List<String> traceparents;
    long bytes;

    Page(long fromSeq) {
      this.fromSeq = fromSeq;
    }

    void add(Buffer payload, String traceparent) {
      if (traceparent != null && traceparents == null) {
        traceparents = new ArrayList<>(Collections.nCopies(records.size(), null));
      }
      if (traceparents != null) {
        traceparents.add(traceparent);
      }
      records.add(payload);
      bytes += payload.length();
    }

    ReadChunk chunk(long nextSeq, boolean upToDate) {
      return new ReadChunk(fromSeq, records, nextSeq, upToDate, traceparents);
    }
  }

  /** Reads on from where {@code page} ends, segment by segment, until the budget or the end. */
  private Future<ReadChunk> readFrom(SqlClient client, List<Segment> segments, int index, Page page,
                                     int maxBytes, int maxRecords) {
    List<Buffer> records = page.records;
    long start = page.fromSeq + records.size();
    while (index < segments.size() && segments.get(index).toSeq() <= start) {
      index++;
    }
    if (index == segments.size()) {
      return Future.succeededFuture(page.chunk(start, true));
    }
    Segment segment = segments.get(index);
    int limit = Math.min(MAX_ROWS_PER_QUERY, maxRecords - records.size());
    int current = index;
    return client.preparedQuery(Sql.load("stream/read-range.sql"))
        .execute(Tuple.of(segment.streamId(), start, segment.toSeq(), limit))
        .compose(rows -> {
          long expected = start;
          for (Row row : rows) {
            if (row.getLong(0) != expected) {
              throw new IllegalStateException("stream " + segment.streamId() + " has no record " + expected);
            }
            Buffer payload = row.getBuffer(1);
            if (!records.isEmpty() && page.bytes + payload.length() > maxBytes) {
              return Future.succeededFuture(page.chunk(expected, false));
            }
            page.add(payload, row.getString(2));
            expected++;
          }
          if (records.size() >= maxRecords || page.bytes >= maxBytes) {
            return Future.succeededFuture(page.chunk(expected, false));
          }
          if (rows.size() == limit) {
            return readFrom(client, segments, current, page, maxBytes, maxRecords);
          }
          if (segment.toSeq() == Long.MAX_VALUE) {
            return Future.succeededFuture(page.chunk(expected, true));
          }
          if (expected < segment.toSeq()) {
            throw new IllegalStateException("fork source " + segment.streamId() + " has no record " + expected);
          }
          return readFrom(client, segments, current + 1, page, maxBytes, maxRecords);
        });
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
