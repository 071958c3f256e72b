package dev.tandem.hub.subscription;

import io.vertx.sqlclient.Row;

/**
 * One stream cursor of a subscription (PROTOCOL 6.1) with the tail of the stream now at its
 * path. Sequence numbers are positions: {@code ackedSeq} is the offset acked (the next read
 * starts there), so the link has pending work when the tail is past it.
 *
 * @param streamId the stream now at the path, or null when there is none
 */
public record StreamLink(String path, boolean explicit, Long streamId, long ackedSeq, long tailSeq) {

  static StreamLink from(Row row) {
    return new StreamLink(row.getString("path"), row.getBoolean("explicit"), row.getLong("stream_id"),
        row.getLong("acked_seq"), row.getLong("tail_seq"));
  }

  public boolean pending() {
    return tailSeq > ackedSeq;
  }

  public String linkType() {
    return explicit ? "explicit" : "glob";
  }

  /** The cursor after acking {@code seq} of the stream now at the path. */
  public StreamLink ackedAt(long seq) {
    return new StreamLink(path, explicit, streamId, seq, tailSeq);
  }
}
