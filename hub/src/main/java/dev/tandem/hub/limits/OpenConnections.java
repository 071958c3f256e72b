package dev.tandem.hub.limits;

import dev.tandem.hub.http.TandemError;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts the long-lived connections (WebSocket, SSE, waiting long-polls) each caller holds
 * open on this node, and refuses one more than {@code max-connections-per-principal}. A caller
 * without open connections has no entry, so the map is as large as the set of connected callers.
 */
public final class OpenConnections {

  private final int max;
  private final Map<String, Integer> open = new ConcurrentHashMap<>();

  public OpenConnections(int max) {
    this.max = max;
  }

  /** One more connection for {@code caller}, or {@code 429 too_many_connections}. */
  public Permit acquire(String caller) {
    boolean[] granted = {false};
    open.compute(caller, (key, count) -> {
      int now = count == null ? 0 : count;
      if (now >= max) {
        return count;
      }
      granted[0] = true;
      return now + 1;
    });
    if (!granted[0]) {
      throw TandemError.of(429, "too_many_connections", "at most " + max
          + " WebSocket, SSE and long-poll connections per caller on this node (max-connections-per-principal)");
    }
    return new Permit(caller);
  }

  /** Connections {@code caller} holds open now. */
  public int count(String caller) {
    return open.getOrDefault(caller, 0);
  }

  /** One open connection; whoever ends it releases it, once (further calls do nothing). */
  public final class Permit {
    private final String caller;
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit(String caller) {
      this.caller = caller;
    }

    public void release() {
      if (released.compareAndSet(false, true)) {
        open.computeIfPresent(caller, (key, count) -> count <= 1 ? null : count - 1);
      }
    }
  }
}
