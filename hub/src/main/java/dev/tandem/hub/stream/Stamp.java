package dev.tandem.hub.stream;

/**
 * What the hub knows of one record besides its bytes: who appended it ({@code author}, the
 * verified subject of the caller's token) and the W3C trace it was appended in. Either may be
 * null: records the hub appends itself (approvals, spawns, cascades, wakes) have no author, and
 * most have no trace.
 *
 * <p>Lists of stamps run parallel to lists of records, and are null when every record's stamp
 * is {@link #NONE}: a hub without authentication and tracing pays nothing for them.
 */
public record Stamp(String author, String traceparent) {

  public static final Stamp NONE = new Stamp(null, null);

  public static Stamp of(String author, String traceparent) {
    return author == null && traceparent == null ? NONE : new Stamp(author, traceparent);
  }

  public boolean isNone() {
    return author == null && traceparent == null;
  }
}
