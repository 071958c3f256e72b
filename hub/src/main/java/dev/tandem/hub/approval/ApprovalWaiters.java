package dev.tandem.hub.approval;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wakes long-polls when approvals change: those on one approval
 * ({@code GET /v1/approvals/{id}?wait=30s}) when it changes, those on a list
 * ({@code GET /v1/approvals?wait=30s}) when any approval is requested or changes.
 */
final class ApprovalWaiters {

  private record Waiter(Context context, Handler<Void> handler) {}

  private static final String ANY = "";

  private final Map<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();

  /** Calls {@code handler} on {@code context} whenever approval {@code id} changes, until the returned cancel runs. */
  Runnable watch(String id, Context context, Handler<Void> handler) {
    Waiter waiter = new Waiter(context, handler);
    waiters.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(waiter);
    return () -> waiters.computeIfPresent(id, (k, set) -> {
      set.remove(waiter);
      return set.isEmpty() ? null : set;
    });
  }

  /** As {@link #watch}, for a change to any approval, a new request included. */
  Runnable watchAll(Context context, Handler<Void> handler) {
    return watch(ANY, context, handler);
  }

  void changed(String id) {
    wake(id);
    wake(ANY);
  }

  private void wake(String key) {
    Set<Waiter> set = waiters.get(key);
    if (set != null) {
      set.forEach(w -> w.context().runOnContext(w.handler()));
    }
  }
}
