package dev.tandem.hub.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.pgclient.PgException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes error responses and the headers every response carries.
 *
 * <p>The mapping from failure to status lives here and only here: a {@link TandemError} is
 * answered as it says; a database that cannot be reached is a 503 the client may retry;
 * anything else is a bug in the hub, logged with its stack and answered 500.
 */
public final class Responses {

  private static final Logger LOG = LoggerFactory.getLogger(Responses.class);
  private static final JsonFactory JSON = new JsonFactory();

  private Responses() {}

  /** Headers that protect browsers from sniffing and cross-origin embedding (PROTOCOL 12.7). */
  public static void securityHeaders(HttpServerResponse response) {
    response.putHeader("X-Content-Type-Options", "nosniff");
    response.putHeader("Cross-Origin-Resource-Policy", "cross-origin");
  }

  /**
   * Answers a failed request; safe to call when the response has already started. The future
   * completes when the answer has been written.
   */
  public static io.vertx.core.Future<Void> error(HttpServerRequest request, Throwable failure) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return io.vertx.core.Future.succeededFuture();
    }
    if (response.headWritten()) {
      response.reset();
      return io.vertx.core.Future.succeededFuture();
    }
    TandemError error = classify(failure);
    response.setStatusCode(error.status());
    response.headers().clear();
    securityHeaders(response);
    cors(request, response);
    error.headers().forEach(response::putHeader);
    response.putHeader("Content-Type", "application/json");
    response.putHeader("Cache-Control", "no-store");
    if (request.method().name().equals("HEAD")) {
      return response.end();
    }
    return response.end(body(error.code(), error.getMessage()));
  }

  /** Maps any failure to the error the client sees. */
  public static TandemError classify(Throwable failure) {
    if (failure instanceof TandemError error) {
      return error;
    }
    if (isDatabaseUnavailable(failure)) {
      return TandemError.unavailable("the database is unavailable; retry shortly")
          .withHeader("Retry-After", "1");
    }
    if (failure instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().startsWith("23")) {
      // An integrity violation here means a concurrent change (e.g. the stream was deleted meanwhile).
      return TandemError.conflict("concurrent_change", "the resource changed while this request ran; retry");
    }
    LOG.error("unexpected failure", failure);
    return TandemError.of(500, "internal", "internal error");
  }

  static boolean isDatabaseUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          // A connection reset or a broken pipe: a route's I/O is with Postgres (when the caller's
          // own connection breaks, there is no one left to answer), so Postgres went away under it.
          // Jackson's exceptions are IOExceptions too, but they are about JSON, not the database.
          || t instanceof java.io.IOException && !(t instanceof com.fasterxml.jackson.core.JacksonException)
          || t instanceof io.vertx.core.VertxException && String.valueOf(t.getMessage()).contains("closed")
          || t instanceof io.vertx.sqlclient.ClosedConnectionException
          || t instanceof java.util.concurrent.TimeoutException
          || t instanceof io.vertx.core.impl.NoStackTraceTimeoutException) {
        return true;
      }
      if (t instanceof PgException pg && pg.getSqlState() != null
          && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P"))) {
        return true;
      }
    }
    return false;
  }

  /** Answers with a JSON body that must not be cached. */
  public static void json(HttpServerRequest request, int status, Object body) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store").end(body.toString());
  }

  /**
   * Runs a route: a refusal thrown while dispatching and a failed future are both answered
   * by {@link #error}.
   */
  public static void serve(HttpServerRequest request, java.util.function.Supplier<io.vertx.core.Future<?>> route) {
    io.vertx.core.Future<?> handled;
    try {
      handled = route.get();
    } catch (TandemError e) {
      handled = io.vertx.core.Future.failedFuture(e);
    }
    handled.onFailure(failure -> error(request, failure));
  }

  /** Cross-origin access for browser clients: every origin may read streams with a token. */
  public static void cors(HttpServerRequest request, HttpServerResponse response) {
    String origin = request.getHeader("Origin");
    if (origin == null) {
      return;
    }
    response.putHeader("Access-Control-Allow-Origin", origin);
    response.putHeader("Vary", "Origin");
    response.putHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
  }

  public static final String EXPOSED_HEADERS =
      "Stream-Next-Offset, Stream-Cursor, Stream-Up-To-Date, Stream-Closed, Stream-TTL, "
          + "Stream-Expires-At, Stream-SSE-Data-Encoding, Producer-Epoch, Producer-Seq, "
          + "Producer-Expected-Seq, Producer-Received-Seq, ETag, Location, Content-Type, Tandem-Retention, Tandem-First-Offset, "
          + "Retry-After";

  public static final String ALLOWED_HEADERS =
      "Authorization, Content-Type, Stream-Seq, Stream-TTL, Stream-Expires-At, Stream-Closed, "
          + "Stream-Forked-From, Stream-Fork-Offset, Stream-Fork-Sub-Offset, Producer-Id, "
          + "Producer-Epoch, Producer-Seq, If-None-Match, Idempotency-Key, Tandem-Retention, traceparent, tracestate";

  public static Buffer body(String code, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + message.length());
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("error", code);
      json.writeStringField("message", message);
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }

  public static String utf8(Buffer buffer) {
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
