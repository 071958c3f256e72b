package dev.tandem.hub.ws;

/**
 * A token bucket: {@code perSecond} frames per second on average, bursts up to one second's
 * worth. Used by one connection on one event loop, so it needs no synchronisation.
 */
final class RateLimiter {

  private final double perSecond;
  private double tokens;
  private long last = System.nanoTime();

  RateLimiter(int perSecond) {
    this.perSecond = perSecond;
    this.tokens = perSecond;
  }

  boolean tryAcquire() {
    long now = System.nanoTime();
    tokens = Math.min(perSecond, tokens + (now - last) / 1e9 * perSecond);
    last = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
