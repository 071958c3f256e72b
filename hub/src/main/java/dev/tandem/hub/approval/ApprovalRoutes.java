package dev.tandem.hub.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.approval.Approval;
import dev.tandem.governance.approval.Command;
import dev.tandem.hub.auth.Access;
import dev.tandem.hub.http.Bodies;
import dev.tandem.hub.http.ChangeWait;
import dev.tandem.hub.http.Params;
import dev.tandem.hub.http.Responses;
import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.limits.CallerLimits;
import dev.tandem.hub.stream.StreamPaths;
import dev.tandem.hub.stream.StreamStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Approvals and policies over HTTP: {@code /v1/approvals[/{id}[/approve|reject|cancel]]} and
 * {@code /v1/policies/{stream}}. Decisions are answered with the approval record; repeating
 * one returns the settled record with {@code "changed": false}.
 */
public final class ApprovalRoutes {

  public static final String APPROVALS = "/v1/approvals";
  public static final String POLICIES = "/v1/policies/";
  private static final Pattern ONE = Pattern.compile("/v1/approvals/(apr_[a-z0-9]{1,64})(?:/(approve|reject|cancel))?");

  private final Vertx vertx;
  private final ApprovalService approvals;
  private final StreamStore streams;
  private final CallerLimits limits;

  public ApprovalRoutes(Vertx vertx, ApprovalService approvals, StreamStore streams, CallerLimits limits) {
    this.vertx = vertx;
    this.approvals = approvals;
    this.streams = streams;
    this.limits = limits;
  }

  public static boolean matches(String path) {
    return path.equals(APPROVALS) || path.startsWith(APPROVALS + "/") || path.startsWith(POLICIES);
  }

  public void handle(HttpServerRequest request, Principal principal) {
    Responses.serve(request, () -> dispatch(request, principal));
  }

  private Future<?> dispatch(HttpServerRequest request, Principal principal) {
    String path = request.path();
    HttpMethod method = request.method();
    if (path.startsWith(POLICIES)) {
      String stream = StreamPaths.validate(path.substring(POLICIES.length()));
      if (method == HttpMethod.PUT) {
        Access.require(principal, Action.ADMIN, stream);
        return putPolicy(request, stream);
      }
      if (method == HttpMethod.GET) {
        Access.require(principal, Action.READ, stream);
        return approvals.policies().effective(stream).map(effective -> {
          if (effective == null) {
            throw TandemError.notFound("no stream at '" + stream + "'");
          }
          Responses.json(request, 200, ApprovalCodec.JSON.createObjectNode().put("stream", stream)
              .set("policy", effective.policy().toJson()));
          return null;
        });
      }
      throw TandemError.of(405, "method_not_allowed", "policies are read with GET and set with PUT");
    }
    if (path.equals(APPROVALS)) {
      if (method != HttpMethod.GET) {
        throw TandemError.of(405, "method_not_allowed", "list approvals with GET");
      }
      String state = request.getParam("state");
      if (state != null && !state.matches("pending|approved|rejected|expired|canceled")) {
        throw TandemError.badRequest("invalid_parameter", "state is pending, approved, rejected, expired or canceled");
      }
      String stream = request.getParam("stream") == null ? null : StreamPaths.validate(request.getParam("stream"));
      boolean decidable = "pending".equals(state) && !"false".equals(request.getParam("decidable"));
      int limit = Params.bounded(request, "limit", 50, 1, 500);
      return list(request, principal, () -> approvals.list(principal, state, stream, decidable, limit));
    }
    Matcher m = ONE.matcher(path);
    if (!m.matches()) {
      throw TandemError.notFound("no route for " + path);
    }
    String id = m.group(1);
    String verb = m.group(2);
    if (verb == null) {
      if (method != HttpMethod.GET) {
        throw TandemError.of(405, "method_not_allowed", "read an approval with GET; decide with POST .../approve, /reject or /cancel");
      }
      long wait = Params.waitMillis(request);
      return approvals.get(id).compose(found -> {
        Access.require(principal, Action.READ, found.streamPath()); // before waiting, not after
        return approvals.await(id, wait);
      }).map(approval -> {
        Responses.json(request, 200, ApprovalService.view(approval, approvals.now()));
        return null;
      });
    }
    if (method != HttpMethod.POST) {
      throw TandemError.of(405, "method_not_allowed", verb + " is a POST");
    }
    return Bodies.read(request, 1024 * 1024).compose(body -> {
      JsonNode json = body(body);
      Command command = switch (verb) {
        case "approve" -> new Command.Approve(principal, json.has("event") ? json.get("event") : null);
        case "reject" -> new Command.Reject(principal, json.path("reason").asText(""));
        default -> new Command.Cancel(principal, json.path("reason").asText(""));
      };
      return approvals.decide(id, principal, command);
    }).map(decided -> {
      ObjectNode body = ApprovalCodec.JSON.createObjectNode().put("changed", decided.changed());
      body.set("approval", ApprovalService.view(decided.approval(), approvals.now()));
      Responses.json(request, 200, body);
      return null;
    });
  }

  /**
   * A list, answered at once; or, with {@code If-None-Match} and {@code wait}, when it changes
   * (a request, a vote, a decision, an expiry, on any node) or the wait ends.
   */
  private Future<Void> list(HttpServerRequest request, Principal principal, Supplier<Future<List<Approval>>> query) {
    return ChangeWait.serve(vertx, request, limits, principal, query, ApprovalService::etag,
        (first, look) -> approvals.watchAll(vertx.getOrCreateContext(), look), list -> {
          ObjectNode body = ApprovalCodec.JSON.createObjectNode();
          body.set("approvals", ApprovalService.views(list, approvals.now()));
          return body;
        });
  }

  private Future<Void> putPolicy(HttpServerRequest request, String stream) {
    return Bodies.read(request, 256 * 1024).compose(body -> {
      JsonNode document = body(body);
      return streams.find(stream).compose(s -> approvals.policies().put(s.id(), s.parentPath(), document)).map(policy -> {
        Responses.json(request, 200, ApprovalCodec.JSON.createObjectNode().put("stream", stream).set("policy", policy.toJson()));
        return null;
      });
    });
  }

  private static JsonNode body(Buffer body) {
    if (body.length() == 0) {
      return ApprovalCodec.JSON.createObjectNode();
    }
    try {
      JsonNode json = ApprovalCodec.JSON.readTree(body.getBytes());
      if (json == null || !json.isObject()) {
        throw TandemError.badRequest("invalid_json", "the body must be a JSON object");
      }
      return json;
    } catch (java.io.IOException e) {
      throw TandemError.badRequest("invalid_json", "the body is not valid JSON");
    }
  }




  /** The 202 answer to a gated append. */
  public static void accepted(HttpServerRequest request, Approval approval, java.time.Instant now) {
    ObjectNode body = ApprovalCodec.JSON.createObjectNode();
    body.set("approval", ApprovalCodec.view(approval, now));
    request.response().setStatusCode(202).putHeader("Content-Type", "application/json")
        .putHeader("Location", APPROVALS + "/" + approval.id()).end(body.toString());
  }

  public static ObjectNode view(Approval approval, java.time.Instant now) {
    return ApprovalCodec.view(approval, now);
  }
}
