package dev.tandem.hub.approval;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Long-polls on one approval ({@code GET /v1/approvals/{id}?wait=30s}) wake when it changes. */
final class ApprovalWaiters {

  private record Waiter(Context context, Handler<Void> handler) {}

  private final Map<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();

  Runnable watch(String id, Context context, Handler<Void> handler) {
    Waiter waiter = new Waiter(context, handler);
    waiters.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(waiter);
    return () -> waiters.computeIfPresent(id, (k, set) -> {
      set.remove(waiter);
      return set.isEmpty() ? null : set;
    });
  }

  void changed(String id) {
    Set<Waiter> set = waiters.get(id);
    if (set != null) {
      set.forEach(w -> w.context().runOnContext(w.handler()));
    }
  }
}
