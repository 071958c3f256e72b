package dev.tandem.hub.ws;

import dev.tandem.hub.presence.PresenceRegistry;
import dev.tandem.hub.stream.CommittedBatch;
import io.vertx.core.Context;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivers committed batches from memory to the live subscribers of each stream. The frame
 * for a batch is encoded once and shared; delivery hops once per event loop (not once per
 * subscriber) onto the loop that owns those subscribers' connections.
 *
 * <p>Subscribers register before they read history (see {@link Subscription}), so a batch
 * committed during their catch-up is never missed: it is either in what they read or
 * delivered here, and they drop what they already have by offset.
 */
final class FanOut {

  private final Map<Long, Map<Context, Set<Subscription>>> subscribers = new ConcurrentHashMap<>();

  void register(Subscription subscription) {
    subscribers.computeIfAbsent(subscription.streamId(), id -> new ConcurrentHashMap<>())
        .computeIfAbsent(subscription.context(), c -> ConcurrentHashMap.newKeySet())
        .add(subscription);
  }

  void unregister(Subscription subscription) {
    subscribers.computeIfPresent(subscription.streamId(), (id, byContext) -> {
      byContext.computeIfPresent(subscription.context(), (c, set) -> {
        set.remove(subscription);
        return set.isEmpty() ? null : set;
      });
      return byContext.isEmpty() ? null : byContext;
    });
  }

  void committed(CommittedBatch batch) {
    Map<Context, Set<Subscription>> byContext = subscribers.get(batch.streamId());
    if (byContext == null) {
      return;
    }
    String frame = batch.records().isEmpty() ? null
        : Frames.events(batch.path(), batch.contentType(), batch.firstSeq(), batch.records(), batch.traceparents(), 0);
    byContext.forEach((context, set) -> context.runOnContext(v -> {
      for (Subscription subscription : set) {
        subscription.onLive(batch, frame);
      }
    }));
  }

  void deleted(long streamId) {
    Map<Context, Set<Subscription>> byContext = subscribers.get(streamId);
    if (byContext != null) {
      byContext.forEach((context, set) -> context.runOnContext(v -> set.forEach(Subscription::onDeleted)));
    }
  }

  void presence(String stream, PresenceRegistry.Diff diff) {
    Map<Context, Set<Subscription>> byContext = subscribers.get(diff.streamId());
    if (byContext == null) {
      return;
    }
    String frame = Frames.presence(stream, diff);
    byContext.forEach((context, set) -> context.runOnContext(v -> set.forEach(s -> s.connection().send(frame))));
  }

  java.util.Set<Long> streamIds() {
    return subscribers.keySet();
  }

  int subscriberCount() {
    int count = 0;
    for (Map<Context, Set<Subscription>> byContext : subscribers.values()) {
      for (Set<Subscription> set : byContext.values()) {
        count += set.size();
      }
    }
    return count;
  }
}
