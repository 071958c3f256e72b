package dev.tandem.hub.subscription;

import dev.tandem.hub.stream.AppendRequest;
import dev.tandem.hub.stream.CommittedBatch;
import dev.tandem.hub.stream.GroupCommitter;
import dev.tandem.hub.stream.StreamRecord;
import dev.tandem.hub.stream.StreamStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when subscriptions wake (PROTOCOL 7): pending work starts a new wake generation
 * unless a wake is in flight or a lease is held. Every such decision is a transaction holding
 * the subscription's row lock, so two nodes (or two paths in one node) never start two wakes.
 *
 * <p>Inputs, none of which wait for this class: committed appends and created streams (from
 * the commit path, queued and coalesced by path, then handled on this class's own context:
 * link the streams new patterns match, before their new records, then wake the idle
 * subscriptions that have pending work); lease timers; retry timers; and a periodic sweep
 * that catches whatever those missed (expired leases of other nodes, work left by a restart).
 *
 * <p>Outputs, after the transaction that began the wake has committed: a webhook delivery, or
 * a wake event appended to the wake stream through the group committer like any append.
 */
public final class WakeScheduler {

  private static final Logger LOG = LoggerFactory.getLogger(WakeScheduler.class);
  private static final int SWEEP_BATCH = 100;
  /** Lease timers fire a little after the lease ends, so the database agrees it has. */
  private static final long LEASE_GRACE_MS = 20;
  private static final long RETRY_DRAIN_MS = 1_000;
  private static final Random JITTER = new Random();

  /** A stream that received records from {@code beforeSeq} on (or was created with them). */
  private record Discovery(String path, long streamId, long beforeSeq) {}

  private final Vertx vertx;
  private final Context context;
  private final Pool pool;
  private final SubscriptionStore store;
  private final StreamStore streams;
  private final GroupCommitter committer;
  private final WebhookDelivery delivery;
  private final CallbackTokens tokens;
  private final SubscriptionJson json;
  private final Clock clock;
  private final long sweepMs;
  private final Map<String, Discovery> discovered = new ConcurrentHashMap<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final Map<String, Long> leaseTimers = new ConcurrentHashMap<>();
  private boolean draining;
  private boolean sweeping;
  private long sweeper = -1;
  private volatile boolean stopped;

  WakeScheduler(Vertx vertx, Pool pool, SubscriptionStore store, StreamStore streams, GroupCommitter committer,
                WebhookDelivery delivery, CallbackTokens tokens, SubscriptionJson json, Clock clock, long sweepMs) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.pool = pool;
    this.store = store;
    this.streams = streams;
    this.committer = committer;
    this.delivery = delivery;
    this.tokens = tokens;
    this.json = json;
    this.clock = clock;
    this.sweepMs = sweepMs;
  }

  void start() {
    context.runOnContext(v -> {
      sweeper = vertx.setPeriodic(sweepMs, id -> sweep());
      sweep(); // work left from before a restart
    });
  }

  void stop() {
    stopped = true;
    context.runOnContext(v -> {
      if (sweeper >= 0) {
        vertx.cancelTimer(sweeper);
      }
    });
    leaseTimers.values().forEach(vertx::cancelTimer);
    leaseTimers.clear();
  }

  // ---- intake: called on the commit path, so only queue -------------------------------------

  public void committed(CommittedBatch batch) {
    if (!batch.records().isEmpty()) {
      discover(new Discovery(batch.path(), batch.streamId(), batch.firstSeq()));
    }
  }

  /** A new stream: a pattern that matches it links it from its beginning. */
  public void created(StreamRecord stream) {
    discover(new Discovery(stream.path(), stream.id(), stream.forkSeq() == null ? 0 : stream.forkSeq()));
  }

  public void removed(long streamId) {
    if (!stopped) {
      pool.withTransaction(conn -> store.forgetStream(conn, streamId))
          .onFailure(e -> LOG.warn("could not unlink deleted stream {} from subscriptions: {}", streamId, e.toString()));
    }
  }

  private void discover(Discovery discovery) {
    queue(discovery);
    if (drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  /** Per path, keeps the earliest records of the newest stream: the cursor goes before them. */
  private void queue(Discovery discovery) {
    discovered.merge(discovery.path(), discovery, (queued, added) ->
        queued.streamId() == added.streamId() ? (queued.beforeSeq() <= added.beforeSeq() ? queued : added)
            : queued.streamId() > added.streamId() ? queued : added);
  }

  /** On this class's context, one drain at a time: link, then wake; meanwhile arrivals coalesce. */
  private void drain() {
    drainScheduled.set(false);
    if (draining || stopped || discovered.isEmpty()) {
      return;
    }
    List<Discovery> batch = new ArrayList<>();
    for (String path : new ArrayList<>(discovered.keySet())) {
      Discovery d = discovered.remove(path);
      if (d != null) {
        batch.add(d);
      }
    }
    String[] paths = new String[batch.size()];
    Long[] ids = new Long[batch.size()];
    Long[] before = new Long[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      paths[i] = batch.get(i).path();
      ids[i] = batch.get(i).streamId();
      before[i] = batch.get(i).beforeSeq();
    }
    draining = true;
    store.linkDiscovered(pool, paths, ids, before)
        .compose(v -> store.wakeCandidates(pool, paths))
        .compose(candidates -> forEach(candidates, this::tryWake))
        .onComplete(result -> {
          draining = false;
          if (result.failed() && !stopped) {
            LOG.warn("subscription wake decisions failed, retrying: {}", result.cause().toString());
            batch.forEach(this::queue);
            vertx.setTimer(RETRY_DRAIN_MS, t -> context.runOnContext(v -> drain()));
          } else if (!discovered.isEmpty()) {
            drain();
          }
        });
  }

  // ---- wakes -----------------------------------------------------------------------------

  /** Wakes the subscription if it is idle and has pending work. */
  Future<Wake> tryWake(String id) {
    if (stopped) {
      return Future.succeededFuture();
    }
    return pool.withTransaction(conn -> store.lock(conn, id).compose(row -> {
      if (row == null || row.deleted() || row.backingOff() || row.wakeLive() || row.claimed()) {
        return Future.<Wake>succeededFuture();
      }
      return beginWakeIfPending(conn, row); // replaces a wake whose lease ran out
    })).onSuccess(this::dispatch);
  }

  /**
   * In the caller's transaction, holding the row lock of {@code row}: begins the next wake if
   * any link has pending work. The caller dispatches the wake after its commit.
   */
  Future<Wake> beginWakeIfPending(SqlConnection conn, SubscriptionRow row) {
    return store.links(conn, row.id()).compose(links -> {
      if (links.stream().noneMatch(StreamLink::pending)) {
        return Future.<Wake>succeededFuture();
      }
      long generation = row.generation() + 1;
      String wakeId = CallbackTokens.newWakeId();
      String token = row.isWebhook() ? tokens.mint(row.id(), generation, wakeId) : null;
      Long lease = row.isWebhook() ? (long) row.leaseTtlMs() : null; // a pull-wake lease starts at the claim
      return store.beginWake(conn, row.id(), generation, wakeId, token == null ? null : CallbackTokens.hash(token), lease)
          .map(new Wake(row, generation, wakeId, token, links));
    });
  }

  /** Announces a committed wake: a webhook delivery or a wake event. Null is nothing to do. */
  void dispatch(Wake wake) {
    if (wake == null || stopped) {
      return;
    }
    SubscriptionRow sub = wake.subscription();
    if (sub.isWebhook()) {
      watchLease(sub.id(), sub.leaseTtlMs());
      delivery.deliver(sub.webhookUrl(), json.notification(wake), sub.leaseTtlMs())
          .onSuccess(outcome -> settle(wake, outcome));
    } else {
      appendWakeEvent(wake)
          .onSuccess(v -> recovered(wake))
          .onFailure(e -> failed(wake, e.getMessage()));
    }
  }

  private Future<Void> appendWakeEvent(Wake wake) {
    String path = wake.subscription().wakeStream();
    byte[] event = SubscriptionJson.wakeEvent(wake.subscriptionId(), wake.firstPendingPath(), wake.generation(), clock.millis());
    return streams.find(path).compose(stream -> {
      Buffer record = Buffer.buffer(event);
      if (!stream.isJson()) {
        record.appendString("\n"); // one event per line in a byte stream
      }
      return committer.append(new AppendRequest(path, stream.contentType(), List.of(record), false, null, null));
    }).mapEmpty();
  }

  private void settle(Wake wake, WebhookDelivery.Outcome outcome) {
    if (stopped) {
      return;
    }
    if (outcome instanceof WebhookDelivery.Failed failed) {
      failed(wake, failed.reason());
    } else if (((WebhookDelivery.Delivered) outcome).done()) {
      finishDone(wake);
    } else {
      recovered(wake);
    }
  }

  /** A wake reached its receiver: a subscription that was retrying is healthy again. */
  private void recovered(Wake wake) {
    if (wake.subscription().attempts() > 0) {
      store.delivered(pool, wake.subscriptionId())
          .onFailure(e -> LOG.warn("subscription {}: could not record delivery: {}", wake.subscriptionId(), e.toString()));
    }
  }

  /** The receiver answered {@code {"done": true}}: ack the snapshot's tails, end the wake, wake again if more came. */
  private void finishDone(Wake wake) {
    String id = wake.subscriptionId();
    pool.withTransaction(conn -> store.lock(conn, id).compose(row -> {
      Future<Void> healthy = row != null && row.attempts() > 0 ? store.delivered(conn, id) : Future.succeededFuture();
      if (row == null || row.deleted() || !wake.wakeId().equals(row.wakeId())) {
        return healthy.map((Wake) null); // superseded meanwhile (lease expiry or a callback); nothing to ack
      }
      List<StreamLink> acked = new ArrayList<>();
      for (StreamLink link : wake.links()) {
        if (link.pending()) {
          acked.add(link.ackedAt(link.tailSeq()));
        }
      }
      return healthy.compose(v -> store.ack(conn, id, acked))
          .compose(v -> store.endWake(conn, id))
          .compose(v -> beginWakeIfPending(conn, row));
    })).onSuccess(next -> {
      if (next == null) {
        forgetLease(id);
      }
      dispatch(next);
    }).onFailure(e -> LOG.warn("subscription {}: could not ack a finished wake: {}", id, e.toString()));
  }

  /** A delivery failed: end the wake and schedule the next attempt, persisted. */
  private void failed(Wake wake, String reason) {
    String id = wake.subscriptionId();
    pool.withTransaction(conn -> store.lock(conn, id).compose(row -> {
      if (row == null || row.deleted() || !wake.wakeId().equals(row.wakeId())) {
        return Future.<Long>succeededFuture();
      }
      int attempts = row.attempts() + 1;
      long delay = RetryBackoff.delayMs(attempts, JITTER::nextDouble);
      return store.deliveryFailed(conn, id, attempts, delay).map(delay);
    })).onSuccess(delay -> {
      if (delay == null) {
        return;
      }
      LOG.info("subscription {}: wake {} failed ({}); next attempt in {} ms", id, wake.generation(), reason, delay);
      forgetLease(id);
      vertx.setTimer(delay, t -> tryWake(id));
    }).onFailure(e -> LOG.warn("subscription {}: could not schedule a retry: {}", id, e.toString()));
  }

  // ---- leases ----------------------------------------------------------------------------

  /** Ends the lease {@code ms} from now unless it is extended or the wake ends first. */
  void watchLease(String id, long ms) {
    if (stopped) {
      return;
    }
    long[] timer = new long[1];
    timer[0] = vertx.setTimer(ms + LEASE_GRACE_MS, t -> {
      if (leaseTimers.remove(id, timer[0])) {
        expireLease(id);
      }
    });
    Long previous = leaseTimers.put(id, timer[0]);
    if (previous != null) {
      vertx.cancelTimer(previous);
    }
  }

  void forgetLease(String id) {
    Long timer = leaseTimers.remove(id);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  /** A lease ran out: clear holder and token, and wake again if work is pending. */
  Future<Wake> expireLease(String id) {
    if (stopped) {
      return Future.succeededFuture();
    }
    return pool.withTransaction(conn -> store.lock(conn, id).compose(row -> {
      if (row == null || row.deleted() || row.leaseRemainingMs() == null) {
        return Future.<Wake>succeededFuture();
      }
      if (!row.leaseExpired()) {
        watchLease(id, row.leaseRemainingMs()); // extended meanwhile, perhaps by another node
        return Future.<Wake>succeededFuture();
      }
      return store.endWake(conn, id).compose(v -> beginWakeIfPending(conn, row));
    })).onSuccess(this::dispatch);
  }

  // ---- sweep -----------------------------------------------------------------------------

  private void sweep() {
    if (sweeping || stopped) {
      return;
    }
    sweeping = true;
    store.expiredLeases(pool, SWEEP_BATCH)
        .compose(ids -> forEach(ids, this::expireLease))
        .compose(v -> store.idleWithPendingWork(pool, SWEEP_BATCH))
        .compose(ids -> forEach(ids, this::tryWake))
        .onComplete(result -> {
          sweeping = false;
          if (result.failed() && !stopped) {
            LOG.debug("subscription sweep skipped: {}", result.cause().toString());
          }
        });
  }

  private static <T> Future<Void> forEach(List<String> ids, Function<String, Future<T>> action) {
    List<Future<T>> all = new ArrayList<>(ids.size());
    for (String id : ids) {
      all.add(action.apply(id).onFailure(e -> LOG.warn("subscription {}: {}", id, e.toString())));
    }
    return Future.join(all).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }
}
