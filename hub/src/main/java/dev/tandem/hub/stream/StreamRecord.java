package dev.tandem.hub.stream;

import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;

/** A stream's metadata row as read (without lock) for a request. */
public record StreamRecord(
    long id,
    String path,
    String contentType,
    boolean closed,
    boolean softDeleted,
    boolean expired,
    long tailSeq,
    Long ttlSeconds,
    OffsetDateTime expiresAt,
    Long forkSource,
    String forkSourcePath,
    Long forkOffset,
    Long forkSubOffset,
    Long forkSeq,
    int forkRefs) {

  static StreamRecord from(Row row) {
    return new StreamRecord(
        row.getLong("id"),
        row.getString("path"),
        row.getString("content_type"),
        row.getBoolean("closed"),
        row.getBoolean("soft_deleted"),
        row.getBoolean("expired"),
        row.getLong("tail_seq"),
        row.getLong("ttl_seconds"),
        row.getOffsetDateTime("expires_at"),
        row.getLong("fork_source"),
        row.getString("fork_source_path"),
        row.getLong("fork_offset"),
        row.getLong("fork_sub_offset"),
        row.getLong("fork_seq"),
        row.getInteger("fork_refs"));
  }

  public boolean isJson() {
    return ContentTypes.isJson(contentType);
  }

  public boolean isFork() {
    return forkSource != null;
  }
}
