package dev.tandem.hub.http;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Long-polls waiting on keys (an approval, a participant): {@link #wake} runs each waiter's
 * handler on the waiter's own context. A wake-up carries no data, only "look again".
 */
public final class Wakeups<K> {

  private record Waiter(Context context, Handler<Void> handler) {}

  private final Map<K, Set<Waiter>> waiters = new ConcurrentHashMap<>();

  /** Calls {@code handler} on {@code context} each time {@code key} is woken, until the returned cancel runs. */
  public Runnable watch(K key, Context context, Handler<Void> handler) {
    Waiter waiter = new Waiter(context, handler);
    waiters.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(waiter);
    return () -> waiters.computeIfPresent(key, (k, set) -> {
      set.remove(waiter);
      return set.isEmpty() ? null : set;
    });
  }

  public void wake(K key) {
    Set<Waiter> set = waiters.get(key);
    if (set != null) {
      set.forEach(w -> w.context().runOnContext(w.handler()));
    }
  }
}
