package dev.tandem.hub.observability;

import dev.tandem.hub.http.Responses;
import dev.tandem.hub.http.TandemError;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET /metrics}: the Prometheus text exposition, on the hub's main port. Open unless
 * {@code metrics-token} is set; then a scraper sends {@code Authorization: Bearer <token>}.
 * Formatting a scrape is plain CPU work off the event loop, on a worker thread.
 */
public final class MetricsEndpoint {

  public static final String PATH = "/metrics";
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Vertx vertx;
  private final HubMetrics metrics;
  private final byte[] expected;

  public MetricsEndpoint(Vertx vertx, HubMetrics metrics, String token) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.expected = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  public void handle(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      Responses.error(request, TandemError.of(405, "method_not_allowed", "metrics are read with GET")
          .withHeader("Allow", "GET, HEAD"));
      return;
    }
    if (!authorized(request.getHeader("Authorization"))) {
      Responses.error(request, TandemError.of(401, "unauthorized", "metrics need Authorization: Bearer <metrics-token>")
          .withHeader("WWW-Authenticate", "Bearer realm=\"metrics\""));
      return;
    }
    vertx.executeBlocking(metrics::scrape, false).onComplete(scraped -> {
      if (scraped.failed()) {
        Responses.error(request, scraped.cause());
        return;
      }
      request.response().putHeader("Content-Type", CONTENT_TYPE).putHeader("Cache-Control", "no-store")
          .end(scraped.result());
    });
  }

  /** Constant-time, so the token cannot be guessed byte by byte from response times. */
  private boolean authorized(String header) {
    return expected == null
        || header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8));
  }
}
