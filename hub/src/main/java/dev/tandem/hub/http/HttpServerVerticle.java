package dev.tandem.hub.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * One HTTP listener on one event loop. The hub deploys several instances on the same port;
 * Vert.x spreads connections across them. The request handler is shared and thread-safe.
 */
public final class HttpServerVerticle extends VerticleBase {

  private final String host;
  private final int port;
  private final int maxWebSocketFrameBytes;
  private final Handler<HttpServerRequest> handler;
  private HttpServer server;

  public HttpServerVerticle(String host, int port, int maxWebSocketFrameBytes, Handler<HttpServerRequest> handler) {
    this.host = host;
    this.port = port;
    this.maxWebSocketFrameBytes = maxWebSocketFrameBytes;
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
        .setIdleTimeout(0)
        // Accept WebSocket messages up to 4x the hub's own limit, so an oversized frame is
        // answered with a frame_too_large error instead of a dropped connection.
        .setMaxWebSocketFrameSize(4 * Math.max(65536, maxWebSocketFrameBytes))
        .setMaxWebSocketMessageSize(4 * Math.max(65536, maxWebSocketFrameBytes));
    return vertx.createHttpServer(options)
        .requestHandler(handler)
        .listen()
        .onSuccess(s -> server = s);
  }

  public int actualPort() {
    return server.actualPort();
  }
}
