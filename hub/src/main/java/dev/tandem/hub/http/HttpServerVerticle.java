package dev.tandem.hub.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import dev.tandem.hub.ws.WsHub;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * One HTTP listener on one event loop. The hub deploys several instances on the same port;
 * Vert.x spreads connections across them. The request handler is shared and thread-safe.
 * Idle connections and slow request bodies are cut off by {@link ConnectionDeadlines}.
 */
public final class HttpServerVerticle extends VerticleBase {

  private final String host;
  private final int port;
  private final int maxWebSocketFrameBytes;
  private final long idleTimeoutMs;
  private final long requestTimeoutMs;
  private final Handler<HttpServerRequest> handler;
  private HttpServer server;
  private ConnectionDeadlines deadlines;

  public HttpServerVerticle(String host, int port, int maxWebSocketFrameBytes, long idleTimeoutMs,
                            long requestTimeoutMs, Handler<HttpServerRequest> handler) {
    this.host = host;
    this.port = port;
    this.maxWebSocketFrameBytes = maxWebSocketFrameBytes;
    this.idleTimeoutMs = idleTimeoutMs;
    this.requestTimeoutMs = requestTimeoutMs;
    this.handler = handler;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(host)
        .setPort(port)
        .setCompressionSupported(false)
        .setMaxHeaderSize(16 * 1024)
        .setMaxInitialLineLength(8 * 1024)
        // Off: Vert.x would also close a waiting long-poll or a quiet SSE stream. ConnectionDeadlines
        // closes connections that are idle between requests instead.
        .setIdleTimeout(0)
        // No cleartext HTTP/2: to detect it Vert.x holds a new connection back until its first
        // request is complete, out of ConnectionDeadlines' sight, so a client dribbling headers
        // could keep it forever. Browsers speak HTTP/2 over TLS only, which a proxy in front terminates.
        .setHttp2ClearTextEnabled(false)
        .setMaxWebSocketFrameSize(WsHub.Limits.transportFrameBytes(maxWebSocketFrameBytes))
        .setMaxWebSocketMessageSize(WsHub.Limits.transportFrameBytes(maxWebSocketFrameBytes))
        // Responses are written straight to the socket instead of through a cross-thread queue
        // (about 5 KB per connection, kept for a WebSocket's lifetime). Every response is written
        // on its connection's event loop: handlers resume on the caller's context (GroupCommitter,
        // LiveTail, ApprovalWaiters), and Vert.x throws if one ever did not.
        .setStrictThreadMode(true);
    deadlines = new ConnectionDeadlines(vertx, idleTimeoutMs, requestTimeoutMs);
    deadlines.start();
    return vertx.createHttpServer(options)
        .connectionHandler(deadlines::opened)
        .requestHandler(request -> {
          deadlines.started(request);
          handler.handle(request);
        })
        .listen()
        .onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    deadlines.stop();
    return Future.succeededFuture();
  }

  public int actualPort() {
    return server.actualPort();
  }
}
