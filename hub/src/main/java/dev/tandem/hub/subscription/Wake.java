package dev.tandem.hub.subscription;

import java.util.List;

/**
 * One wake of a subscription, as begun in the transaction that advanced its generation: the
 * snapshot of its links (with tails) is what a webhook is told, and what a synchronous
 * {@code {"done": true}} acks.
 *
 * @param token the callback token (webhook wakes), or null for a pull-wake wake not yet claimed
 */
public record Wake(SubscriptionRow subscription, long generation, String wakeId, String token,
                   List<StreamLink> links) {

  public String subscriptionId() {
    return subscription.id();
  }

  /** The first linked stream with pending work: what a wake event names. */
  public String firstPendingPath() {
    for (StreamLink link : links) {
      if (link.pending()) {
        return link.path();
      }
    }
    return links.isEmpty() ? null : links.get(0).path();
  }
}
