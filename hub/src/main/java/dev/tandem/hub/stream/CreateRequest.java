package dev.tandem.hub.stream;

import io.vertx.core.buffer.Buffer;
import java.time.OffsetDateTime;

/**
 * A parsed PUT: the stream to create (or confirm) and its configuration.
 *
 * @param contentType normalized, or null when the header was absent (default, or the fork source's)
 * @param retentionSeconds max age of the stream's events ({@code Tandem-Retention}), or null for
 *     the hub default
 * @param fork fork headers, or null for a plain stream
 * @param author who creates it, stamped on the records of its body (see {@link AppendRequest})
 */
public record CreateRequest(
    String path,
    String contentType,
    Long ttlSeconds,
    OffsetDateTime expiresAt,
    Long retentionSeconds,
    boolean closed,
    Buffer body,
    Fork fork,
    String author) {

  /** {@code Stream-Forked-From}, {@code Stream-Fork-Offset} (null: the source's tail) and sub-offset. */
  public record Fork(String sourcePath, String offset, long subOffset) {}
}
