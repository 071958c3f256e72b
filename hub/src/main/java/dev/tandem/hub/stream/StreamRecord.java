package dev.tandem.hub.stream;

import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;

/**
 * A stream's metadata row as read (without lock) for a request.
 *
 * @param retentionSeconds the stream's own max age of events ({@code Tandem-Retention}), or
 *     null when it follows the hub's {@code retention-default-seconds}
 * @param retainedSeq the first sequence number retention kept; this stream's events below it
 *     were deleted by the sweeper
 */
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
    Long retentionSeconds,
    long retainedSeq,
    Long forkSource,
    String forkSourcePath,
    Long forkOffset,
    Long forkSubOffset,
    Long forkSeq,
    int forkRefs,
    Long parentId,
    String parentPath,
    Long rootId,
    int depth,
    String spawnState) {

  public static StreamRecord of(Row row) {
    return from(row);
  }

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
        row.getLong("retention_seconds"),
        row.getLong("retained_seq"),
        row.getLong("fork_source"),
        row.getString("fork_source_path"),
        row.getLong("fork_offset"),
        row.getLong("fork_sub_offset"),
        row.getLong("fork_seq"),
        row.getInteger("fork_refs"),
        row.getLong("parent_id"),
        row.getString("parent_path"),
        row.getLong("root_id"),
        row.getInteger("depth"),
        row.getString("spawn_state"));
  }

  public boolean isJson() {
    return ContentTypes.isJson(contentType);
  }

  /** The root of this stream's spawn tree (itself when it is a root). */
  public long treeRoot() {
    return rootId != null ? rootId : id;
  }

  public boolean isFork() {
    return forkSource != null;
  }
}
