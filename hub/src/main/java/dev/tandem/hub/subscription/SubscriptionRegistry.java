package dev.tandem.hub.subscription;

import dev.tandem.hub.http.TandemError;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;

/**
 * Subscription lifecycle (PROTOCOL 6.2 to 6.4): create or re-confirm, read, delete (to a
 * tombstone), and explicit stream membership. Creating links the explicit streams and eagerly
 * backfills the pattern's matches, all at their current tails, in the transaction that
 * inserts the subscription.
 */
final class SubscriptionRegistry {

  /** A subscription with its links; {@code created} tells a PUT's 201 from its 200. */
  record Saved(boolean created, SubscriptionRow row, List<StreamLink> links) {}

  private final Pool pool;
  private final SubscriptionStore store;
  private final UrlGuard guard;
  private final WakeScheduler scheduler;

  SubscriptionRegistry(Pool pool, SubscriptionStore store, UrlGuard guard, WakeScheduler scheduler) {
    this.pool = pool;
    this.store = store;
    this.guard = guard;
    this.scheduler = scheduler;
  }

  /** PUT: 201 when created, 200 when the same configuration is re-confirmed, 409 otherwise. */
  Future<Saved> put(String id, SubscriptionConfig config) {
    return store.find(pool, id).compose(existing -> {
      if (existing != null && !existing.deleted()) {
        return confirm(existing, config); // the URL was checked when it was created
      }
      Future<?> checked = config.isWebhook() ? guard.check(config.webhookUrl()) : Future.succeededFuture();
      return checked.compose(v -> pool.withTransaction(conn -> create(conn, id, config)));
    });
  }

  private Future<Saved> create(SqlConnection conn, String id, SubscriptionConfig config) {
    return store.insert(conn, id, config).compose(inserted -> {
      if (inserted) {
        return Future.succeededFuture(true);
      }
      return store.lock(conn, id).compose(row -> row.deleted()
          ? store.revive(conn, id, config)
          : Future.failedFuture(new Confirm(row))); // created concurrently: compare with it
    }).compose(v -> store.linkExplicit(conn, id, config.streams()))
        .compose(v -> config.pattern() == null ? Future.succeededFuture()
            : store.linkMatchingStreams(conn, id, config.pattern(), config.wakeStream()))
        .compose(v -> store.lock(conn, id))
        .compose(row -> store.links(conn, id).map(links -> new Saved(true, row, links)))
        .recover(failure -> failure instanceof Confirm c ? confirm(c.row, config) : Future.failedFuture(failure));
  }

  /** Carries a concurrently created subscription out of the insert, to be compared. */
  private static final class Confirm extends RuntimeException {
    final SubscriptionRow row;

    Confirm(SubscriptionRow row) {
      super(null, null, false, false);
      this.row = row;
    }
  }

  private Future<Saved> confirm(SubscriptionRow existing, SubscriptionConfig config) {
    if (!existing.configHash().equals(config.hash())) {
      throw TandemError.conflict("subscription_exists",
          "subscription '" + existing.id() + "' exists with a different configuration");
    }
    return store.links(pool, existing.id()).map(links -> new Saved(false, existing, links));
  }

  Future<Saved> get(String id) {
    return store.find(pool, id).compose(row -> {
      WakeControl.live(row, id);
      return store.links(pool, id).map(links -> new Saved(false, row, links));
    });
  }

  /** DELETE: tombstones the subscription; its current wake can no longer be acked. */
  Future<Void> delete(String id) {
    return pool.withTransaction(conn -> store.lock(conn, id).compose(row -> {
      if (row == null) {
        throw TandemError.notFound("no subscription '" + id + "'");
      }
      return row.deleted() ? Future.<Void>succeededFuture() : store.tombstone(conn, id);
    })).onSuccess(v -> scheduler.forgetLease(id));
  }

  /** Links streams explicitly, each at its current tail; already linked ones keep their cursor. */
  Future<Void> addStreams(String id, List<String> paths) {
    return pool.withTransaction(conn -> store.lock(conn, id).compose(row -> {
      WakeControl.live(row, id);
      if (row.wakeStream() != null && paths.contains(row.wakeStream())) {
        throw TandemError.badRequest("invalid_request", "a subscription cannot watch its own wake stream");
      }
      return store.linkExplicit(conn, id, paths);
    }));
  }

  /** Removes an explicit link; a path the pattern matches keeps its glob link and cursor. */
  Future<Void> removeStream(String id, String path) {
    return pool.withTransaction(conn -> store.lock(conn, id).compose(row -> {
      WakeControl.live(row, id);
      boolean globbed = row.pattern() != null && GlobMatcher.compile(row.pattern()).matches(path);
      return globbed ? store.clearExplicit(conn, id, path) : store.deleteLink(conn, id, path);
    }));
  }
}
