package dev.tandem.hub.spawn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Principal;
import dev.tandem.hub.approval.ApprovalService;
import dev.tandem.hub.auth.Access;
import dev.tandem.hub.http.Bodies;
import dev.tandem.hub.http.ChangeWait;
import dev.tandem.hub.http.Params;
import dev.tandem.hub.http.Responses;
import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.limits.CallerLimits;
import dev.tandem.hub.stream.LiveTail;
import dev.tandem.hub.stream.Offsets;
import dev.tandem.hub.stream.StreamPaths;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.sqlclient.Row;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Spawn trees over HTTP: {@code POST /v1/spawn/{parent}} spawns a child,
 * {@code GET /v1/tree/{stream}} shows the subtree (children, forks, states, pending
 * approvals; with {@code If-None-Match} and {@code wait}, once it changes: a node moved, or an
 * approval anywhere changed), {@code POST /v1/tree/{stream}/cancel} cancels the subtree.
 */
public final class TreeRoutes {

  public static final String SPAWN = "/v1/spawn/";
  public static final String TREE = "/v1/tree/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_TOKEN_TTL = 30L * 24 * 3600;

  private final Vertx vertx;
  private final SpawnService spawns;
  private final LiveTail liveTail;
  private final ApprovalService approvals;
  private final CallerLimits limits;

  public TreeRoutes(Vertx vertx, SpawnService spawns, LiveTail liveTail, ApprovalService approvals, CallerLimits limits) {
    this.vertx = vertx;
    this.spawns = spawns;
    this.liveTail = liveTail;
    this.approvals = approvals;
    this.limits = limits;
  }

  public static boolean matches(String path) {
    return path.startsWith(SPAWN) || path.startsWith(TREE);
  }

  public void handle(HttpServerRequest request, Principal principal) {
    Responses.serve(request, () -> dispatch(request, principal));
  }

  private Future<?> dispatch(HttpServerRequest request, Principal principal) {
    String path = request.path();
    if (path.startsWith(SPAWN)) {
      if (request.method() != HttpMethod.POST) {
        throw TandemError.of(405, "method_not_allowed", "spawn with POST");
      }
      String parent = StreamPaths.validate(path.substring(SPAWN.length()));
      Access.require(principal, Action.APPEND, parent);
      return Bodies.read(request, 64 * 1024).compose(body -> spawns.spawn(principal, parent, spawnRequest(body.getBytes())))
          .map(spawned -> {
            ObjectNode answer = JSON.createObjectNode().put("stream", spawned.child().path())
                .put("parent", parent).put("created", spawned.created())
                .put("tail", Offsets.format(spawned.child().tailSeq()));
            if (spawned.token() != null) {
              answer.put("token", spawned.token());
            }
            Responses.json(request, spawned.created() ? 201 : 200, answer);
            return null;
          });
    }
    String rest = path.substring(TREE.length());
    for (SpawnService.Cascade mode : SpawnService.Cascade.values()) {
      String verb = "/" + mode.name().toLowerCase(Locale.ROOT);
      if (rest.endsWith(verb) && request.method() == HttpMethod.POST) {
        String stream = StreamPaths.validate(rest.substring(0, rest.length() - verb.length()));
        Access.require(principal, Action.APPEND, stream);
        return Bodies.read(request, 16 * 1024).compose(body -> {
          String reason = "";
          if (body.length() > 0) {
            try {
              reason = JSON.readTree(body.getBytes()).path("reason").asText("");
            } catch (IOException e) {
              throw TandemError.badRequest("invalid_json", "the body is {\"reason\": \"...\"}");
            }
          }
          return spawns.cascade(principal, stream, mode, reason);
        }).map(affected -> {
          ObjectNode answer = JSON.createObjectNode().put("stream", stream);
          ArrayNode list = answer.putArray(mode == SpawnService.Cascade.CLOSE ? "closed" : "canceled");
          affected.forEach(list::add);
          Responses.json(request, 200, answer);
          return null;
        });
      }
    }
    if (request.method() != HttpMethod.GET) {
      throw TandemError.of(405, "method_not_allowed", "read a tree with GET, cancel it with POST .../cancel");
    }
    String stream = StreamPaths.validate(rest);
    Access.require(principal, Action.READ, stream);
    int limit = Params.bounded(request, "limit", 1000, 1, 10_000);
    int offset = Params.bounded(request, "offset", 0, 0, Integer.MAX_VALUE);
    return ChangeWait.serve(vertx, request, limits, principal, () -> read(stream, limit, offset), TreeRoutes::etag, (first, look) -> {
      Context context = vertx.getOrCreateContext();
      List<LiveTail.Waiter> moves = first.streamIds().stream().map(id -> liveTail.watch(id, context, look)).toList();
      Runnable approvalsChanged = approvals.watchAll(context, look);
      return () -> {
        moves.forEach(LiveTail.Waiter::cancel);
        approvalsChanged.run();
      };
    }, TreePage::body);
  }

  /**
   * A page of the tree, and the streams on it (its nodes and their forks): what moves when the
   * page changes. A new fork moves its source (Hub).
   */
  private record TreePage(ObjectNode body, List<Long> streamIds) {
  }

  private static String etag(TreePage page) {
    return ChangeWait.etag(List.of(page.body().toString()));
  }

  private Future<TreePage> read(String stream, int limit, int offset) {
    return spawns.streams().find(stream).compose(root -> spawns.subtree(root.id()).compose(rows -> {
      List<Row> all = new ArrayList<>();
      rows.forEach(all::add);
      all.sort(java.util.Comparator.comparingInt((Row r) -> r.getInteger("level")).thenComparingLong(r -> r.getLong("id")));
      List<Row> page = all.subList(Math.min(offset, all.size()), Math.min(all.size(), offset + limit));
      List<Long> ids = page.stream().map(r -> r.getLong("id")).toList();
      return spawns.forksOf(ids).map(forks -> {
        ObjectNode answer;
        if (offset == 0) {
          answer = (ObjectNode) tree(root.id(), page, forks);
          if (answer == null) { // deleted between the lookup and the subtree query
            throw TandemError.notFound("stream '" + stream + "' was deleted while its tree was read");
          }
        } else {
          answer = JSON.createObjectNode().put("stream", stream);
          ArrayNode flat = answer.putArray("nodes");
          Map<Long, ObjectNode> byId = nodes(page, forks);
          page.forEach(r -> flat.add(byId.get(r.getLong("id")).put("parent", parentPath(all, r.getLong("parent_id")))));
        }
        answer.put("total", all.size());
        if (offset + limit < all.size()) {
          answer.put("nextOffset", offset + limit); // GET again with ?offset= for the rest, as a flat list
        }
        List<Long> moving = new ArrayList<>(ids);
        forks.forEach(fork -> moving.add(fork.getLong("id"))); // a fork's tail and state show too
        return new TreePage(answer, moving);
      });
    }));
  }

  private static String parentPath(List<Row> all, Long parentId) {
    for (Row row : all) {
      if (parentId != null && row.getLong("id").equals(parentId)) {
        return row.getString("path");
      }
    }
    return null;
  }


  /** Nests the subtree rows (shallow first) under their parents, with each node's forks. */
  private static JsonNode tree(long rootId, List<Row> nodes, Iterable<Row> forks) {
    Map<Long, ObjectNode> byId = nodes(nodes, forks);
    for (Row row : nodes) {
      Long parent = row.getLong("parent_id");
      if (row.getLong("id") != rootId && parent != null && byId.containsKey(parent)) {
        ((ArrayNode) byId.get(parent).get("children")).add(byId.get(row.getLong("id")));
      }
    }
    return byId.get(rootId);
  }

  private static Map<Long, ObjectNode> nodes(List<Row> nodes, Iterable<Row> forks) {
    Map<Long, ObjectNode> byId = new HashMap<>();
    for (Row row : nodes) {
      ObjectNode node = JSON.createObjectNode().put("stream", row.getString("path"))
          .put("state", state(row.getString("spawn_state"), row.getBoolean("closed")))
          .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString())
          .put("closed", row.getBoolean("closed"))
          .put("tail", Offsets.format(row.getLong("tail_seq")))
          .put("pendingApprovals", row.getLong("pending_approvals"));
      Object info = row.getValue("spawn_info");
      if (info != null) {
        try {
          JsonNode parsed = JSON.readTree(info.toString());
          node.set("spawner", parsed.get("spawner"));
          if (parsed.has("purpose")) {
            node.set("purpose", parsed.get("purpose"));
          }
          if (parsed.has("metadata")) {
            node.set("metadata", parsed.get("metadata"));
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
      node.putArray("children");
      node.putArray("forks");
      byId.put(row.getLong("id"), node);
    }
    for (Row row : forks) {
      ObjectNode owner = byId.get(row.getLong("fork_source"));
      if (owner != null) {
        ((ArrayNode) owner.get("forks")).addObject().put("stream", row.getString("path"))
            .put("offset", Offsets.format(row.getLong("fork_offset"))).put("closed", row.getBoolean("closed"))
            .put("tail", Offsets.format(row.getLong("tail_seq")));
      }
    }
    return byId;
  }

  /**
   * A node's state. A cascade closes each stream with its own last append, after the stream's
   * approvals are canceled, and only then marks it done: a {@code canceling} or {@code closing}
   * stream that is closed is shown as done, so the tree says so when the stream moves, not at
   * the mark, which wakes no one.
   */
  private static String state(String spawnState, boolean closed) {
    if (spawnState == null || spawnState.equals("live")) {
      return closed ? "closed" : "open";
    }
    if (closed && spawnState.equals("canceling")) {
      return "canceled";
    }
    if (closed && spawnState.equals("closing")) {
      return "closed";
    }
    return spawnState;
  }

  private static SpawnService.SpawnRequest spawnRequest(byte[] body) {
    JsonNode json;
    try {
      json = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (IOException e) {
      throw TandemError.badRequest("invalid_json", "the body is not valid JSON");
    }
    if (json == null || !json.isObject()) {
      throw TandemError.badRequest("invalid_json", "the body must be a JSON object");
    }
    String name = json.has("name") ? json.get("name").asText() : null;
    JsonNode token = json.path("token");
    Set<Action> actions = EnumSet.of(Action.READ, Action.APPEND);
    long ttl = 3600;
    boolean mint = token.isObject() || token.asBoolean(false);
    if (token.isObject()) {
      if (token.has("actions")) {
        actions = EnumSet.noneOf(Action.class);
        for (JsonNode action : token.get("actions")) {
          try {
            actions.add(Action.valueOf(action.asText().toUpperCase(Locale.ROOT)));
          } catch (IllegalArgumentException e) {
            throw TandemError.badRequest("invalid_token_request", "unknown action '" + action.asText() + "'");
          }
        }
      }
      ttl = token.path("ttlSeconds").asLong(3600);
      if (ttl < 60 || ttl > MAX_TOKEN_TTL) {
        throw TandemError.badRequest("invalid_token_request", "ttlSeconds is from 60 to " + MAX_TOKEN_TTL);
      }
    }
    return new SpawnService.SpawnRequest(name, json.has("purpose") ? json.get("purpose").asText() : null,
        json.get("metadata"), mint, actions, ttl);
  }

}
