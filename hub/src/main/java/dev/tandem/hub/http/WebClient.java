package dev.tandem.hub.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * Serves the bundled web client (built from web-client/ into the jar's {@code webroot/}) at
 * {@code /}. Paths that are not files fall back to {@code index.html}, so the client's own
 * routes survive a reload. When the jar was built without it, {@code /} says so.
 */
public final class WebClient implements Handler<HttpServerRequest> {

  private static final String ROOT = "webroot";
  private final Router router;
  private final boolean present;

  public WebClient(Vertx vertx) {
    this.router = Router.router(vertx);
    this.present = WebClient.class.getClassLoader().getResource(ROOT + "/index.html") != null;
    StaticHandler files = StaticHandler.create(ROOT).setCachingEnabled(true).setIndexPage("index.html")
        .setDefaultContentEncoding("UTF-8");
    router.route().method(HttpMethod.GET).method(HttpMethod.HEAD).handler(files);
    router.route().method(HttpMethod.GET).handler(ctx -> ctx.reroute("/index.html"));
    router.route().handler(ctx -> Responses.error(ctx.request(),
        TandemError.notFound("no route for " + ctx.request().path())));
  }

  public boolean present() {
    return present;
  }

  @Override
  public void handle(HttpServerRequest request) {
    if (!present) {
      Responses.error(request, TandemError.notFound(request.path().equals("/")
          ? "this hub was built without the web client (web-client/ is built by ./mvnw package)"
          : "no route for " + request.path()));
      return;
    }
    router.handle(request);
  }
}
