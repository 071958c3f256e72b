package dev.tandem.hub.ws;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bound on what all WebSocket connections together have written and their sockets not yet
 * taken ({@code ws-send-queue-total-bytes}): what the hub holds for its slowest readers.
 *
 * <p>A frame shared by many subscribers ({@link SharedFrame}) counts once, while any of them
 * still owes it; everything else counts per connection. A catch-up page counts from before it is
 * read ({@link #reserve}), so readers waking together cannot all read a page into a full budget.
 * Used from every event loop.
 */
final class SendBudget {

  private final long limit;
  private final AtomicLong used = new AtomicLong();
  private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  SendBudget(long limit) {
    this.limit = limit;
  }

  long used() {
    return used.get();
  }

  boolean over() {
    return used.get() > limit;
  }

  void take(long bytes) {
    used.addAndGet(bytes);
  }

  void give(long bytes) {
    if (used.addAndGet(-bytes) <= limit / 2 && !waiting.isEmpty()) {
      wake();
    }
  }

  /**
   * Takes {@code bytes} for a page about to be read, if the budget is not over; otherwise runs
   * {@code retry} (from whichever thread gives the budget back) once it is down to half, and
   * returns false.
   */
  boolean reserve(long bytes, Runnable retry) {
    if (!over()) {
      take(bytes);
      return true;
    }
    waiting.add(retry);
    if (used.get() <= limit / 2) { // given back between the check and the queueing: nobody else will wake it
      wake();
    }
    return false;
  }

  private void wake() {
    Runnable retry;
    while ((retry = waiting.poll()) != null) {
      retry.run();
    }
  }
}
