package dev.tandem.hub.subscription;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.hub.http.Bodies;
import dev.tandem.hub.http.Responses;
import dev.tandem.hub.http.TandemError;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The reserved subscription APIs under {@code /v1/stream/__ds/} (PROTOCOL 6 and 7): HTTP in,
 * calls on {@link SubscriptionRegistry} and {@link WakeControl}, HTTP out. The hub routes
 * {@code __ds} here before any stream operation, so no control path is ever read as a stream.
 *
 * <p>Refusals the protocol gives a shape ({@link ControlError}: FENCED, ALREADY_CLAIMED, ...)
 * are answered {@code {"error": {"code": ...}}}; every other refusal is a {@link TandemError}
 * with the hub's flat {@code {"error": code, "message": ...}}.
 */
public final class SubscriptionRoutes {

  public static final String PREFIX = "/v1/stream/__ds";
  private static final String SUBSCRIPTIONS = PREFIX + "/subscriptions/";
  private static final String JWKS = PREFIX + "/jwks.json";
  private static final int MAX_ID_LENGTH = 200;
  private static final long MAX_BODY_BYTES = 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final SubscriptionRegistry registry;
  private final WakeControl control;
  private final SubscriptionJson json;
  private final WebhookSigner signer;

  SubscriptionRoutes(SubscriptionRegistry registry, WakeControl control, SubscriptionJson json, WebhookSigner signer) {
    this.registry = registry;
    this.control = control;
    this.json = json;
    this.signer = signer;
  }

  /** Whether a request path belongs to the reserved control namespace. */
  public static boolean owns(String path) {
    return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
  }

  public void handle(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    Responses.securityHeaders(response);
    Responses.cors(request, response);
    Future<?> handled;
    try {
      handled = route(request);
    } catch (RuntimeException e) {
      handled = Future.failedFuture(e);
    }
    handled.onFailure(failure -> fail(request, failure));
  }

  private Future<?> route(HttpServerRequest request) {
    String path = request.path();
    HttpMethod method = request.method();
    if (method == HttpMethod.OPTIONS) {
      return preflight(request);
    }
    if (path.equals(JWKS)) {
      allow(method, "GET, HEAD", HttpMethod.GET, HttpMethod.HEAD);
      request.response().putHeader("Content-Type", "application/jwk-set+json")
          .putHeader("Cache-Control", "public, max-age=300")
          .end(method == HttpMethod.HEAD ? Buffer.buffer() : Buffer.buffer(signer.jwks()));
      return Future.succeededFuture();
    }
    if (!path.startsWith(SUBSCRIPTIONS)) {
      throw TandemError.notFound("no control API at " + path);
    }
    String[] parts = path.substring(SUBSCRIPTIONS.length()).split("/", -1);
    String id = subscriptionId(parts[0]);
    if (parts.length == 1) {
      allow(method, "GET, PUT, DELETE, OPTIONS", HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE);
      if (method == HttpMethod.PUT) {
        return body(request).compose(body -> registry.put(id, SubscriptionConfig.parse(body)))
            .onSuccess(saved -> {
              if (saved.created()) {
                request.response().putHeader("Location", request.absoluteURI());
              }
              respond(request, saved.created() ? 201 : 200, json.subscription(saved.row(), saved.links()));
            });
      }
      if (method == HttpMethod.GET) {
        return registry.get(id).onSuccess(saved -> respond(request, 200, json.subscription(saved.row(), saved.links())));
      }
      return registry.delete(id).onSuccess(v -> noContent(request));
    }
    String action = parts[1];
    if (action.equals("streams") && parts.length == 2) {
      allow(method, "POST, OPTIONS", HttpMethod.POST);
      return body(request).compose(body -> {
        if (body == null || !body.isObject() || !body.path("streams").isArray() || body.path("streams").isEmpty()) {
          throw TandemError.badRequest("invalid_request", "the body must be {\"streams\": [stream paths]}");
        }
        return registry.addStreams(id, SubscriptionConfig.paths(body.get("streams"), "streams"));
      }).onSuccess(v -> noContent(request));
    }
    if (action.equals("streams")) {
      allow(method, "DELETE, OPTIONS", HttpMethod.DELETE);
      String streamPath = SubscriptionConfig.path(
          String.join("/", Arrays.asList(parts).subList(2, parts.length)).transform(SubscriptionRoutes::decode), "path");
      return registry.removeStream(id, streamPath).onSuccess(v -> noContent(request));
    }
    if (parts.length != 2 || !List.of("callback", "claim", "ack", "release").contains(action)) {
      throw TandemError.notFound("no control API at " + path);
    }
    allow(method, "POST, OPTIONS", HttpMethod.POST);
    return switch (action) {
      case "claim" -> body(request).compose(body -> control.claim(id, worker(body)))
          .onSuccess(wake -> respond(request, 200, json.claim(wake)));
      case "callback" -> acknowledge(request, id, SubscriptionConfig.WEBHOOK);
      case "ack" -> acknowledge(request, id, SubscriptionConfig.PULL_WAKE);
      default -> body(request).compose(body -> control.release(id, bearer(request), WakeRequest.parse(body, false)))
          .onSuccess(v -> noContent(request));
    };
  }

  private Future<Boolean> acknowledge(HttpServerRequest request, String id, String type) {
    String token = bearer(request);
    return body(request).compose(body -> control.acknowledge(id, type, token, WakeRequest.parse(body, true)))
        .onSuccess(next -> respond(request, 200, SubscriptionJson.ackResult(next)));
  }

  // ---- request parts ---------------------------------------------------------------------

  private static String subscriptionId(String raw) {
    String id = decode(raw);
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      throw TandemError.badRequest("invalid_subscription_id", "subscription ids are 1 to " + MAX_ID_LENGTH + " characters");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == '@';
      if (!allowed) {
        throw TandemError.badRequest("invalid_subscription_id",
            "subscription ids may hold letters, digits and - _ . ~ : @ (got '" + c + "')");
      }
    }
    return id;
  }

  /** Percent-decoding of a path segment ('+' stays '+'); a malformed escape is a 400. */
  static String decode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw TandemError.badRequest("invalid_path", "malformed percent-escape in '" + raw + "'");
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static Future<JsonNode> body(HttpServerRequest request) {
    return Bodies.read(request, MAX_BODY_BYTES).map(buffer -> {
      if (buffer.length() == 0) {
        return null;
      }
      try {
        return JSON.readTree(buffer.getBytes());
      } catch (JsonProcessingException e) {
        throw TandemError.badRequest("invalid_json", "the body is not valid JSON: " + e.getOriginalMessage());
      } catch (IOException e) {
        throw TandemError.badRequest("invalid_json", "the body is not valid JSON");
      }
    });
  }

  private static String worker(JsonNode body) {
    JsonNode worker = body == null ? null : body.get("worker");
    if (worker == null || !worker.isTextual() || worker.asText().isEmpty() || worker.asText().length() > MAX_ID_LENGTH) {
      throw TandemError.badRequest("invalid_request", "the body must be {\"worker\": \"<worker name>\"}");
    }
    return worker.asText();
  }

  private static String bearer(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null || header.length() <= 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw ControlError.tokenInvalid("send the wake's token as Authorization: Bearer <token>");
    }
    return header.substring(7).trim();
  }

  private static void allow(HttpMethod method, String allowed, HttpMethod... methods) {
    if (!Arrays.asList(methods).contains(method)) {
      throw TandemError.of(405, "method_not_allowed", method + " is not supported here").withHeader("Allow", allowed);
    }
  }

  // ---- responses -------------------------------------------------------------------------

  private static void respond(HttpServerRequest request, int status, byte[] body) {
    request.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(Buffer.buffer(body));
  }

  private static void noContent(HttpServerRequest request) {
    request.response().setStatusCode(204).putHeader("Cache-Control", "no-store").end();
  }

  private static Future<Void> preflight(HttpServerRequest request) {
    HttpServerResponse response = request.response().setStatusCode(204);
    String origin = request.getHeader("Origin");
    response.putHeader("Access-Control-Allow-Origin", origin == null ? "*" : origin);
    response.putHeader("Access-Control-Allow-Methods", "GET, HEAD, PUT, POST, DELETE, OPTIONS");
    response.putHeader("Access-Control-Allow-Headers", Responses.ALLOWED_HEADERS);
    response.putHeader("Access-Control-Max-Age", "600");
    response.end();
    return Future.succeededFuture();
  }

  /** A {@link ControlError} in the protocol's nested shape; anything else as the hub answers it. */
  private static void fail(HttpServerRequest request, Throwable failure) {
    if (!(failure instanceof ControlError error)) {
      Responses.error(request, failure);
      return;
    }
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.reset();
      return;
    }
    response.headers().clear();
    Responses.securityHeaders(response);
    Responses.cors(request, response);
    response.setStatusCode(error.status())
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(Buffer.buffer(SubscriptionJson.error(error)));
  }
}
