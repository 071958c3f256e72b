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
  private final Handler<HttpServerRequest> handler;
  private HttpServer server;

  public HttpServerVerticle(String host, int port, Handler<HttpServerRequest> handler) {
    this.host = host;
    this.port = port;
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
        .setIdleTimeout(0);
    return vertx.createHttpServer(options)
        .requestHandler(handler)
        .listen()
        .onSuccess(s -> server = s);
  }

  public int actualPort() {
    return server.actualPort();
  }
}
