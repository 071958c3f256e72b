package dev.tandem.hub;

import java.util.function.BooleanSupplier;

/** Waits for a condition the test cannot be called back on, checking it until a deadline. */
public final class Eventually {

  private Eventually() {}

  public static void await(BooleanSupplier condition, long timeoutMs, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out after " + timeoutMs + " ms waiting until " + what);
      }
      Thread.sleep(20);
    }
  }
}
