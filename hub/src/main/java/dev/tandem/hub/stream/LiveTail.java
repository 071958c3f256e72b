package dev.tandem.hub.stream;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wakes live readers (long-poll, SSE, WebSocket) when a stream they wait on moves: new records
 * committed, closed, or deleted. It carries no payloads, only "look again": readers always
 * re-read from their own offset, so a wake-up can be early, late or coalesced without losing
 * or duplicating anything.
 *
 * <p>Race-free by order: a reader registers first and reads second, and a writer publishes
 * only after its commit is visible. Any commit the read missed therefore wakes the reader.
 */
public final class LiveTail {

  /** A registered reader; {@link #cancel()} it when done. Handlers run on the reader's context. */
  public final class Waiter {
    private final long streamId;
    private final Context context;
    private final Handler<Void> onMove;

    private Waiter(long streamId, Context context, Handler<Void> onMove) {
      this.streamId = streamId;
      this.context = context;
      this.onMove = onMove;
    }

    public void cancel() {
      waiters.computeIfPresent(streamId, (id, set) -> {
        set.remove(this);
        return set.isEmpty() ? null : set;
      });
    }
  }

  private final Map<Long, Set<Waiter>> waiters = new ConcurrentHashMap<>();

  /** Calls {@code onMove} on {@code context} each time the stream moves, until canceled. */
  public Waiter watch(long streamId, Context context, Handler<Void> onMove) {
    Waiter waiter = new Waiter(streamId, context, onMove);
    waiters.compute(streamId, (id, set) -> {
      Set<Waiter> live = set != null ? set : ConcurrentHashMap.newKeySet();
      live.add(waiter);
      return live;
    });
    return waiter;
  }

  /** Called after a commit (or close, or delete) of {@code streamId} is visible to readers. */
  public void moved(long streamId) {
    Set<Waiter> set = waiters.get(streamId);
    if (set == null) {
      return;
    }
    for (Waiter waiter : set) {
      waiter.context.runOnContext(waiter.onMove);
    }
  }

  public int watchedStreams() {
    return waiters.size();
  }

  /** The streams someone is waiting on right now. */
  public java.util.Set<Long> watchedStreamIds() {
    return waiters.keySet();
  }
}
