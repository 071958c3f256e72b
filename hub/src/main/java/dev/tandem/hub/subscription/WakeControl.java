package dev.tandem.hub.subscription;

import dev.tandem.hub.http.TandemError;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;

/**
 * What workers do to a wake (PROTOCOL 7.1 to 7.3): claim it (pull-wake), ack progress or
 * finish it (webhook callback, pull-wake ack) and give it back (release). Each is one
 * transaction under the subscription's row lock, so it serializes with the scheduler, with
 * DELETE and with other workers; fencing is checked inside it. A finished wake with work
 * still pending begins the next wake in the same transaction, so {@code next_wake} is exact.
 */
final class WakeControl {

  /** What an ack or callback did: whether the wake ended, and the wake that followed it. */
  private record Settled(boolean done, Wake next, int leaseTtlMs) {}

  private final Pool pool;
  private final SubscriptionStore store;
  private final CallbackTokens tokens;
  private final WakeScheduler scheduler;

  WakeControl(Pool pool, SubscriptionStore store, CallbackTokens tokens, WakeScheduler scheduler) {
    this.pool = pool;
    this.store = store;
    this.tokens = tokens;
    this.scheduler = scheduler;
  }

  /** A worker takes the pending work of a pull-wake subscription and its lease. */
  Future<Wake> claim(String id, String worker) {
    return pool.withTransaction(conn -> store.lock(conn, id).compose(row -> {
      requireType(live(row, id), SubscriptionConfig.PULL_WAKE);
      if (row.claimed()) {
        throw ControlError.alreadyClaimed(row.holder(), row.generation());
      }
      return store.links(conn, id).compose(links -> {
        if (links.stream().noneMatch(StreamLink::pending)) {
          throw ControlError.noPendingWork();
        }
        // A wake announced in the wake stream and not claimed yet is taken as it is; otherwise
        // (none in flight, or a holder whose lease ran out) the claim is a new wake.
        boolean announced = row.wakeLive() && row.holder() == null;
        long generation = announced ? row.generation() : row.generation() + 1;
        String wakeId = announced ? row.wakeId() : CallbackTokens.newWakeId();
        String token = tokens.mint(id, generation, wakeId);
        return store.claim(conn, id, generation, wakeId, CallbackTokens.hash(token), worker, row.leaseTtlMs())
            .map(new Wake(row, generation, wakeId, token, links));
      });
    })).onSuccess(wake -> scheduler.watchLease(id, wake.subscription().leaseTtlMs()));
  }

  /**
   * A webhook callback ({@code type} webhook) or a pull-wake ack: applies the acks, then either
   * extends the lease or, when done, ends the wake. Answers whether a next wake began.
   */
  Future<Boolean> acknowledge(String id, String type, String token, WakeRequest request) {
    return pool.withTransaction(conn -> store.lock(conn, id).compose(row -> {
      requireType(live(row, id), type);
      WakeRules.fence(row, tokens.verify(token, id), CallbackTokens.hash(token), request);
      return store.links(conn, id).compose(links -> {
        List<StreamLink> acked = WakeRules.acked(request.acks(), links);
        Future<Void> applied = store.ack(conn, id, acked);
        if (!request.done()) {
          return applied.compose(v -> store.extendLease(conn, id, row.leaseTtlMs()))
              .map(new Settled(false, null, row.leaseTtlMs()));
        }
        return applied.compose(v -> finish(conn, row)).map(next -> new Settled(true, next, row.leaseTtlMs()));
      });
    })).map(settled -> {
      after(id, settled);
      return settled.next() != null;
    });
  }

  /** A pull-wake worker gives the wake back without acking; pending work wakes again. */
  Future<Void> release(String id, String token, WakeRequest request) {
    return pool.withTransaction(conn -> store.lock(conn, id).compose(row -> {
      requireType(live(row, id), SubscriptionConfig.PULL_WAKE);
      WakeRules.fence(row, tokens.verify(token, id), CallbackTokens.hash(token), request);
      return finish(conn, row).map(next -> new Settled(true, next, row.leaseTtlMs()));
    })).map(settled -> {
      after(id, settled);
      return null;
    });
  }

  private Future<Wake> finish(SqlConnection conn, SubscriptionRow row) {
    return store.endWake(conn, row.id()).compose(v -> scheduler.beginWakeIfPending(conn, row));
  }

  /** After the commit: lease timers follow the wake, and a next wake is announced. */
  private void after(String id, Settled settled) {
    if (!settled.done()) {
      scheduler.watchLease(id, settled.leaseTtlMs());
      return;
    }
    if (settled.next() == null) {
      scheduler.forgetLease(id);
    }
    scheduler.dispatch(settled.next());
  }

  static SubscriptionRow live(SubscriptionRow row, String id) {
    if (row == null || row.deleted()) {
      throw TandemError.notFound("no subscription '" + id + "'");
    }
    return row;
  }

  private static void requireType(SubscriptionRow row, String type) {
    if (!row.type().equals(type)) {
      throw TandemError.badRequest("wrong_subscription_type", "subscription '" + row.id() + "' is "
          + row.type() + "; this operation is for " + type + " subscriptions");
    }
  }
}
