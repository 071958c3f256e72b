package dev.tandem.hub.subscription;

import dev.tandem.hub.config.HubConfig;
import dev.tandem.hub.stream.CommittedBatch;
import dev.tandem.hub.stream.GroupCommitter;
import dev.tandem.hub.stream.StreamRecord;
import dev.tandem.hub.stream.StreamStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * The subscription feature as the hub sees it: its routes, the three stream events it listens
 * to (records committed, stream created, stream removed) and its start and stop. Starting
 * loads (or, the first time, generates and stores) the signing and token keys.
 */
public final class Subscriptions {

  private final WakeScheduler scheduler;
  private final WebhookDelivery delivery;
  private final SubscriptionRoutes routes;

  private Subscriptions(WakeScheduler scheduler, WebhookDelivery delivery, SubscriptionRoutes routes) {
    this.scheduler = scheduler;
    this.delivery = delivery;
    this.routes = routes;
  }

  /**
   * @param publicUrl the hub's base URL as webhook receivers reach it, for callback and JWKS URLs
   */
  public static Future<Subscriptions> start(Vertx vertx, HubConfig config, Pool pool, StreamStore streams,
                                            GroupCommitter committer, Supplier<String> publicUrl) {
    SubscriptionStore store = new SubscriptionStore();
    Clock clock = Clock.systemUTC();
    return PersistedKeys.signer(pool, store).compose(signer -> PersistedKeys.tokens(pool, store, clock).map(tokens -> {
      UrlGuard guard = new UrlGuard(vertx, config.webhookAllowLocalhost());
      SubscriptionJson json = new SubscriptionJson(publicUrl, signer);
      WebhookDelivery delivery = new WebhookDelivery(vertx, guard, signer, clock);
      WakeScheduler scheduler = new WakeScheduler(vertx, pool, store, streams, committer, delivery, tokens, json,
          clock, config.subscriptionSweepMs());
      SubscriptionRoutes routes = new SubscriptionRoutes(new SubscriptionRegistry(pool, store, guard, scheduler),
          new WakeControl(pool, store, tokens, scheduler), json, signer);
      scheduler.start();
      return new Subscriptions(scheduler, delivery, routes);
    }));
  }

  public SubscriptionRoutes routes() {
    return routes;
  }

  /** From the group committer's listener: only queues, never waits. */
  public void committed(CommittedBatch batch) {
    scheduler.committed(batch);
  }

  public void created(StreamRecord stream) {
    scheduler.created(stream);
  }

  public void removed(long streamId) {
    scheduler.removed(streamId);
  }

  public Future<Void> stop() {
    scheduler.stop();
    return delivery.close();
  }
}
