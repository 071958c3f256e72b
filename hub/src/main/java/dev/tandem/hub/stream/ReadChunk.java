package dev.tandem.hub.stream;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * Records read from one offset on.
 *
 * @param fromSeq the offset of the first record: the offset asked for, unless the read began at
 *     the first retained record because retention deleted the ones there
 * @param nextSeq the offset to read from next
 * @param upToDate everything committed when the read ran is included (no more pages now)
 * @param stamps the {@link Stamp} of each record, or null when every one is {@link Stamp#NONE}
 */
public record ReadChunk(long fromSeq, List<Buffer> records, long nextSeq, boolean upToDate,
                        List<Stamp> stamps) {

  public ReadChunk(long fromSeq, List<Buffer> records, long nextSeq, boolean upToDate) {
    this(fromSeq, records, nextSeq, upToDate, null);
  }

  public boolean isEmpty() {
    return records.isEmpty();
  }

  /** The body of a catch-up read: JSON streams as one array, others as the bytes concatenated. */
  public Buffer body(boolean json) {
    int size = json ? 2 + Math.max(0, records.size() - 1) : 0;
    for (Buffer record : records) {
      size += record.length();
    }
    Buffer body = Buffer.buffer(size);
    if (json) {
      body.appendByte((byte) '[');
    }
    for (int i = 0; i < records.size(); i++) {
      if (json && i > 0) {
        body.appendByte((byte) ',');
      }
      body.appendBuffer(records.get(i));
    }
    if (json) {
      body.appendByte((byte) ']');
    }
    return body;
  }
}
