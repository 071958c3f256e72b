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
 * @param author the verified subject of the caller's token, stored with every record of this
 *     append; null for the hub's own appends and when authentication is off
 */
public record AppendRequest(
    String path,
    String contentType,
    List<Buffer> records,
    boolean close,
    Producer producer,
    String streamSeq,
    String traceparent,
    String author) {

  /** One of the hub's own appends (approvals, spawns, wakes): no author, no trace context. */
  public AppendRequest(String path, String contentType, List<Buffer> records, boolean close,
                       Producer producer, String streamSeq) {
    this(path, contentType, records, close, producer, streamSeq, null, null);
  }

  /** What is stored with each record of this append besides its bytes. */
  public Stamp stamp() {
    return Stamp.of(author, traceparent);
  }

  public long bytes() {
    long total = 0;
    for (Buffer record : records) {
      total += record.length();
    }
    return total;
  }
}
