package dev.tandem.hub.limits;

/**
 * A token bucket: {@code perSecond} permits per second on average, bursts up to one second's
 * worth. Synchronised, because one caller's HTTP requests arrive on several event loops; a
 * WebSocket connection uses its own from one loop, where the lock is never contended.
 */
public final class RateLimiter {

  private final double perSecond;
  private double tokens;
  private long last = System.nanoTime();

  public RateLimiter(int perSecond) {
    this.perSecond = perSecond;
    this.tokens = perSecond;
  }

  public synchronized boolean tryAcquire() {
    refill();
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  /** Whole seconds until the next permit (at least 1): what a {@code Retry-After} header can say. */
  public synchronized long secondsUntilNext() {
    refill();
    return Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
  }

  /** Full again: no different from a new bucket, so whoever keeps it may forget it. */
  synchronized boolean isFull() {
    refill();
    return tokens >= perSecond;
  }

  private void refill() {
    long now = System.nanoTime();
    tokens = Math.min(perSecond, tokens + (now - last) / 1e9 * perSecond);
    last = now;
  }
}
