package dev.tandem.hub.approval;

import dev.tandem.hub.http.Wakeups;
import io.vertx.core.Context;
import io.vertx.core.Handler;

/**
 * Wakes long-polls when approvals change: those on one approval
 * ({@code GET /v1/approvals/{id}?wait=30s}) when it changes, those on a list
 * ({@code GET /v1/approvals?wait=30s}) when any approval is requested or changes.
 */
final class ApprovalWaiters {

  private static final String ANY = "";

  private final Wakeups<String> wakeups = new Wakeups<>();

  /** Calls {@code handler} on {@code context} whenever approval {@code id} changes, until the returned cancel runs. */
  Runnable watch(String id, Context context, Handler<Void> handler) {
    return wakeups.watch(id, context, handler);
  }

  /** As {@link #watch}, for a change to any approval, a new request included. */
  Runnable watchAll(Context context, Handler<Void> handler) {
    return wakeups.watch(ANY, context, handler);
  }

  void changed(String id) {
    wakeups.wake(id);
    wakeups.wake(ANY);
  }
}
