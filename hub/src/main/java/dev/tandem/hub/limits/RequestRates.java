package dev.tandem.hub.limits;

import dev.tandem.hub.http.TandemError;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One token bucket per caller for HTTP requests on this node
 * ({@code max-requests-per-second-per-principal}). Buckets that have filled up again are
 * forgotten by {@link #forgetIdle}, so callers that come and go leave nothing behind.
 */
public final class RequestRates {

  private final int perSecond;
  private final Map<String, RateLimiter> buckets = new ConcurrentHashMap<>();

  public RequestRates(int perSecond) {
    this.perSecond = perSecond;
  }

  /** Takes a permit for {@code caller}, or refuses with {@code 429 rate_limited} and {@code Retry-After}. */
  public void check(String caller) {
    RateLimiter bucket = buckets.computeIfAbsent(caller, key -> new RateLimiter(perSecond));
    if (!bucket.tryAcquire()) {
      throw TandemError.of(429, "rate_limited", "at most " + perSecond
              + " requests per second per caller on this node (max-requests-per-second-per-principal)")
          .withHeader("Retry-After", Long.toString(bucket.secondsUntilNext()));
    }
  }

  public void forgetIdle() {
    buckets.values().removeIf(RateLimiter::isFull);
  }

  int tracked() {
    return buckets.size();
  }
}
