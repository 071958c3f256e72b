package dev.tandem.hub.stream;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * What one commit did to one stream: the records it stored from {@code firstSeq} on (possibly
 * none, for a close-only append) and whether the stream is now closed. Published after the
 * commit is visible, for fan-out to live subscribers.
 *
 * @param traceparents the traceparent of each record (an entry may be null), or null when no
 *     record of the batch has one, the common case, which costs nothing
 */
public record CommittedBatch(long streamId, String path, String contentType, long firstSeq,
                             List<Buffer> records, boolean closed, List<String> traceparents) {

  public CommittedBatch(long streamId, String path, String contentType, long firstSeq,
                        List<Buffer> records, boolean closed) {
    this(streamId, path, contentType, firstSeq, records, closed, null);
  }

  /** The offset right after this batch. */
  public long nextSeq() {
    return firstSeq + records.size();
  }
}
