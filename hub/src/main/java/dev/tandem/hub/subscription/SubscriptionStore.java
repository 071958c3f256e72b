package dev.tandem.hub.subscription;

import dev.tandem.hub.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * Subscriptions, their stream links and their keys in Postgres: one method per statement in
 * {@code sql/subscription/}. State transitions that must not interleave run in a transaction
 * that first takes the subscription's row lock ({@link #lock}); this class only executes, the
 * callers decide.
 */
public final class SubscriptionStore {

  /** A stored key: the secret part and, for key pairs, the public part. */
  public record StoredKey(byte[] secret, byte[] publicKey) {}

  public Future<Boolean> insert(SqlClient db, String id, SubscriptionConfig c) {
    return db.preparedQuery(Sql.load("subscription/insert.sql")).execute(configTuple(id, c))
        .map(rows -> rows.size() > 0);
  }

  public Future<Boolean> revive(SqlClient db, String id, SubscriptionConfig c) {
    return db.preparedQuery(Sql.load("subscription/revive.sql")).execute(configTuple(id, c))
        .map(rows -> rows.rowCount() > 0);
  }

  private static Tuple configTuple(String id, SubscriptionConfig c) {
    return Tuple.of(id, c.type(),
            c.pattern() == null ? null : c.pattern().pattern(),
            c.pattern() == null ? null : c.pattern().regex(),
            c.webhookUrl(), c.wakeStream())
        .addValue(c.leaseTtlMs()).addValue(c.description()).addValue(c.hash());
  }

  public Future<SubscriptionRow> lock(SqlConnection conn, String id) {
    return conn.preparedQuery(Sql.load("subscription/lock.sql")).execute(Tuple.of(id)).map(SubscriptionStore::row);
  }

  public Future<SubscriptionRow> find(SqlClient db, String id) {
    return db.preparedQuery(Sql.load("subscription/find.sql")).execute(Tuple.of(id)).map(SubscriptionStore::row);
  }

  private static SubscriptionRow row(RowSet<Row> rows) {
    return rows.size() == 0 ? null : SubscriptionRow.from(rows.iterator().next());
  }

  public Future<Void> tombstone(SqlConnection conn, String id) {
    return conn.preparedQuery(Sql.load("subscription/tombstone.sql")).execute(Tuple.of(id))
        .compose(v -> conn.preparedQuery(Sql.load("subscription/delete-links.sql")).execute(Tuple.of(id)))
        .mapEmpty();
  }

  // ---- links -----------------------------------------------------------------------------

  public Future<Void> linkExplicit(SqlClient db, String id, List<String> paths) {
    if (paths.isEmpty()) {
      return Future.succeededFuture();
    }
    return db.preparedQuery(Sql.load("subscription/link-explicit.sql"))
        .execute(Tuple.of(id, (Object) paths.toArray(new String[0]))).mapEmpty();
  }

  public Future<Void> linkMatchingStreams(SqlClient db, String id, GlobMatcher pattern, String wakeStream) {
    return db.preparedQuery(Sql.load("subscription/link-matching-streams.sql"))
        .execute(Tuple.of(id, pattern.regex(), pattern.literalPrefix(), wakeStream)).mapEmpty();
  }

  /** Links new streams to the patterns that match them, before {@code beforeSeqs}. */
  public Future<Void> linkDiscovered(SqlClient db, String[] paths, Long[] streamIds, Long[] beforeSeqs) {
    return db.preparedQuery(Sql.load("subscription/link-discovered.sql"))
        .execute(Tuple.of(paths, streamIds, beforeSeqs)).mapEmpty();
  }

  public Future<List<StreamLink>> links(SqlClient db, String id) {
    return db.preparedQuery(Sql.load("subscription/links.sql")).execute(Tuple.of(id)).map(rows -> {
      List<StreamLink> links = new ArrayList<>(rows.size());
      rows.forEach(row -> links.add(StreamLink.from(row)));
      return links;
    });
  }

  /** Moves cursors: each link's {@code ackedSeq}, for the stream now at its path. */
  public Future<Void> ack(SqlClient db, String id, List<StreamLink> acked) {
    if (acked.isEmpty()) {
      return Future.succeededFuture();
    }
    String[] paths = new String[acked.size()];
    Long[] streamIds = new Long[acked.size()];
    Long[] seqs = new Long[acked.size()];
    for (int i = 0; i < acked.size(); i++) {
      paths[i] = acked.get(i).path();
      streamIds[i] = acked.get(i).streamId();
      seqs[i] = acked.get(i).ackedSeq();
    }
    return db.preparedQuery(Sql.load("subscription/ack.sql")).execute(Tuple.of(id, paths, streamIds, seqs)).mapEmpty();
  }

  public Future<Void> clearExplicit(SqlClient db, String id, String path) {
    return db.preparedQuery(Sql.load("subscription/clear-explicit.sql")).execute(Tuple.of(id, path)).mapEmpty();
  }

  public Future<Void> deleteLink(SqlClient db, String id, String path) {
    return db.preparedQuery(Sql.load("subscription/delete-link.sql")).execute(Tuple.of(id, path)).mapEmpty();
  }

  /** A stream was deleted: glob links to it go, explicit ones start over for the next stream. */
  public Future<Void> forgetStream(SqlConnection conn, long streamId) {
    return conn.preparedQuery(Sql.load("subscription/forget-glob-links.sql")).execute(Tuple.of(streamId))
        .compose(v -> conn.preparedQuery(Sql.load("subscription/reset-explicit-links.sql")).execute(Tuple.of(streamId)))
        .mapEmpty();
  }

  // ---- wake decisions --------------------------------------------------------------------

  public Future<List<String>> wakeCandidates(SqlClient db, String[] paths) {
    return db.preparedQuery(Sql.load("subscription/wake-candidates.sql")).execute(Tuple.of((Object) paths))
        .map(SubscriptionStore::ids);
  }

  public Future<List<String>> idleWithPendingWork(SqlClient db, int limit) {
    return db.preparedQuery(Sql.load("subscription/idle-with-pending-work.sql")).execute(Tuple.of(limit))
        .map(SubscriptionStore::ids);
  }

  public Future<List<String>> expiredLeases(SqlClient db, int limit) {
    return db.preparedQuery(Sql.load("subscription/expired-leases.sql")).execute(Tuple.of(limit))
        .map(SubscriptionStore::ids);
  }

  private static List<String> ids(RowSet<Row> rows) {
    List<String> ids = new ArrayList<>(rows.size());
    rows.forEach(row -> ids.add(row.getString(0)));
    return ids;
  }

  // ---- wake state ------------------------------------------------------------------------

  /** Starts a wake; {@code leaseMs} null for a pull-wake wake (its lease starts at the claim). */
  public Future<Void> beginWake(SqlClient db, String id, long generation, String wakeId, String tokenHash, Long leaseMs) {
    return db.preparedQuery(Sql.load("subscription/begin-wake.sql"))
        .execute(Tuple.of(id, generation, wakeId, tokenHash, leaseMs)).mapEmpty();
  }

  public Future<Void> claim(SqlClient db, String id, long generation, String wakeId, String tokenHash,
                            String holder, long leaseMs) {
    return db.preparedQuery(Sql.load("subscription/claim.sql"))
        .execute(Tuple.of(id, generation, wakeId, tokenHash, holder, leaseMs)).mapEmpty();
  }

  public Future<Void> extendLease(SqlClient db, String id, long leaseMs) {
    return db.preparedQuery(Sql.load("subscription/extend-lease.sql")).execute(Tuple.of(id, leaseMs)).mapEmpty();
  }

  public Future<Void> endWake(SqlClient db, String id) {
    return db.preparedQuery(Sql.load("subscription/end-wake.sql")).execute(Tuple.of(id)).mapEmpty();
  }

  public Future<Void> delivered(SqlClient db, String id) {
    return db.preparedQuery(Sql.load("subscription/delivered.sql")).execute(Tuple.of(id)).mapEmpty();
  }

  public Future<Void> deliveryFailed(SqlClient db, String id, int attempts, long delayMs) {
    return db.preparedQuery(Sql.load("subscription/delivery-failed.sql"))
        .execute(Tuple.of(id, attempts, delayMs)).mapEmpty();
  }

  // ---- keys ------------------------------------------------------------------------------

  public Future<StoredKey> findKey(SqlClient db, String name) {
    return db.preparedQuery(Sql.load("subscription/find-key.sql")).execute(Tuple.of(name)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      Buffer publicKey = row.getBuffer("public_key");
      return new StoredKey(row.getBuffer("secret").getBytes(), publicKey == null ? null : publicKey.getBytes());
    });
  }

  public Future<Void> insertKey(SqlClient db, String name, byte[] secret, byte[] publicKey) {
    return db.preparedQuery(Sql.load("subscription/insert-key.sql"))
        .execute(Tuple.of(name, Buffer.buffer(secret), publicKey == null ? null : Buffer.buffer(publicKey)))
        .mapEmpty();
  }
}
