package dev.tandem.hub.stream;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * One append as the HTTP or WebSocket layer parsed it: already split into the records it will
 * store (JSON messages, or one record for a byte append). An empty {@code records} list with
 * {@code close} set is a close-only request.
 *
 * @param contentType normalized media type of the body, or null for a close-only request
 * @param producer idempotent-producer headers, or null
 * @param streamSeq the {@code Stream-Seq} header, or null
 * @param traceparent a valid W3C traceparent ({@link Traceparent#parse}) stored with every
 *     record of this append, or null
 */
public record AppendRequest(
    String path,
    String contentType,
    List<Buffer> records,
    boolean close,
    Producer producer,
    String streamSeq,
    String traceparent) {

  /** An append without trace context (the hub's own appends: approvals, spawns, wakes). */
  public AppendRequest(String path, String contentType, List<Buffer> records, boolean close,
                       Producer producer, String streamSeq) {
    this(path, contentType, records, close, producer, streamSeq, null);
  }

  public long bytes() {
    long total = 0;
    for (Buffer record : records) {
      total += record.length();
    }
    return total;
  }
}
