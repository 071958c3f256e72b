package dev.tandem.hub.stream;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * What one commit did to one stream: the records it stored from {@code firstSeq} on (possibly
 * none, for a close-only append) and whether the stream is now closed. Published after the
 * commit is visible, for fan-out to live subscribers.
 *
 * @param stamps the {@link Stamp} of each record, or null when every one is {@link Stamp#NONE}
 */
public record CommittedBatch(long streamId, String path, String contentType, long firstSeq,
                             List<Buffer> records, boolean closed, List<Stamp> stamps) {

  public CommittedBatch(long streamId, String path, String contentType, long firstSeq,
                        List<Buffer> records, boolean closed) {
    this(streamId, path, contentType, firstSeq, records, closed, null);
  }

  /** The offset right after this batch. */
  public long nextSeq() {
    return firstSeq + records.size();
  }
}
