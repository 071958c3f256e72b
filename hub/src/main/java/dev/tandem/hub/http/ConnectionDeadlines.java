package dev.tandem.hub.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Closes HTTP connections that hold a socket without using it:
 * <ul>
 *   <li><b>idle</b>: no request in progress for {@code http-idle-timeout-ms}, counted from the
 *       connection's opening or from its last response. This also bounds the time to send a
 *       request's headers, so a client dribbling them byte by byte is cut off too;
 *   <li><b>slow body</b>: a request whose body has not fully arrived {@code http-request-timeout-ms}
 *       after its headers is answered {@code 408 request_timeout} (when no answer has started)
 *       and its connection closed.
 * </ul>
 * A request in progress keeps its connection however quiet it is: a waiting long-poll, an SSE
 * stream and a WebSocket have their own limits ({@code long-poll-timeout-ms}, {@code sse-max-ms},
 * {@code ws-idle-timeout-ms}). Vert.x's own idle timeout cannot tell them apart from a dead
 * connection, so it stays off and this class does the job.
 *
 * <p>One instance per HTTP verticle: its connections and requests all run on that verticle's
 * event loop, and so does the periodic check, so nothing here needs a lock.
 */
final class ConnectionDeadlines {

  private final Vertx vertx;
  private final long idleMs;
  private final long requestMs;
  private final Map<HttpConnection, Watched> connections = new IdentityHashMap<>();
  private long timer = -1;

  /** A connection and the requests on it that have not been answered yet. */
  private static final class Watched {
    final HttpConnection connection;
    final List<Active> requests = new ArrayList<>(1);
    long idleSince;

    Watched(HttpConnection connection, long now) {
      this.connection = connection;
      this.idleSince = now;
    }
  }

  private record Active(HttpServerRequest request, long headersAt) {}

  ConnectionDeadlines(Vertx vertx, long idleMs, long requestMs) {
    this.vertx = vertx;
    this.idleMs = idleMs;
    this.requestMs = requestMs;
  }

  void start() {
    long tick = Math.max(20, Math.min(1000, Math.min(idleMs, requestMs) / 4));
    timer = vertx.setPeriodic(tick, id -> check());
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  void opened(HttpConnection connection) {
    connections.put(connection, new Watched(connection, System.currentTimeMillis()));
    connection.closeHandler(v -> connections.remove(connection));
  }

  /** A request's headers have arrived. */
  void started(HttpServerRequest request) {
    Watched watched = connections.get(request.connection());
    if (watched != null) {
      watched.requests.add(new Active(request, System.currentTimeMillis()));
    }
  }

  private void check() {
    long now = System.currentTimeMillis();
    for (Watched watched : List.copyOf(connections.values())) {
      if (upgraded(watched)) {
        forget(watched); // a WebSocket now: ws-idle-timeout-ms and its heartbeats look after it
        continue;
      }
      watched.requests.removeIf(active -> active.request().response().ended() || active.request().response().closed());
      if (!watched.requests.isEmpty()) {
        watched.idleSince = now;
        Active slow = slowBody(watched, now);
        if (slow != null) {
          timedOut(watched, slow.request());
        }
      } else if (now - watched.idleSince >= idleMs) {
        forget(watched);
        watched.connection.close();
      }
    }
  }

  /** A request still receiving its body past the deadline (a WebSocket upgrade has none). */
  private Active slowBody(Watched watched, long now) {
    for (Active active : watched.requests) {
      HttpServerRequest request = active.request();
      if (!request.isEnded() && now - active.headersAt() >= requestMs && !isUpgrade(request)) {
        return active;
      }
    }
    return null;
  }

  /** The connection became a WebSocket: its upgrade was answered 101 Switching Protocols. */
  private static boolean upgraded(Watched watched) {
    for (Active active : watched.requests) {
      if (isUpgrade(active.request()) && active.request().response().ended()
          && active.request().response().getStatusCode() == 101) {
        return true;
      }
    }
    return false;
  }

  private static boolean isUpgrade(HttpServerRequest request) {
    String upgrade = request.getHeader("Upgrade");
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }

  private void timedOut(Watched watched, HttpServerRequest request) {
    forget(watched);
    TandemError error = TandemError.of(408, "request_timeout", "the request body did not arrive within "
        + requestMs + " ms (http-request-timeout-ms)").withHeader("Connection", "close");
    Responses.error(request, error).onComplete(done -> watched.connection.close());
  }

  private void forget(Watched watched) {
    connections.remove(watched.connection);
  }
}
