package dev.tandem.hub.subscription;

import java.util.function.DoubleSupplier;

/**
 * When to try a failed delivery again (PROTOCOL 7.1): exponential from 1 second, doubling per
 * failed attempt, capped at 60 seconds, with ±20% jitter so many subscriptions failing at once
 * do not retry in lockstep.
 */
public final class RetryBackoff {

  static final long BASE_MS = 1_000;
  static final long MAX_MS = 60_000;
  static final double JITTER = 0.2;

  private RetryBackoff() {}

  /** The delay before attempt {@code failures + 1}; {@code random} gives values in [0, 1). */
  public static long delayMs(int failures, DoubleSupplier random) {
    int exponent = Math.max(0, Math.min(failures - 1, 16));
    long base = Math.min(MAX_MS, BASE_MS << exponent);
    double jitter = (random.getAsDouble() * 2 - 1) * JITTER;
    return Math.round(base * (1 + jitter));
  }
}
