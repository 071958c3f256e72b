package dev.tandem.hub.spawn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.approval.Command;
import dev.tandem.governance.spawn.SpawnDecision;
import dev.tandem.governance.spawn.SpawnRules;
import dev.tandem.governance.spawn.SpawnTree;
import dev.tandem.hub.approval.ApprovalService;
import dev.tandem.hub.approval.PolicyStore;
import dev.tandem.hub.auth.Authenticator;
import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.store.Sql;
import dev.tandem.hub.stream.AppendRequest;
import dev.tandem.hub.stream.ContentTypes;
import dev.tandem.hub.stream.GroupCommitter;
import dev.tandem.hub.stream.Producer;
import dev.tandem.hub.stream.StreamPaths;
import dev.tandem.hub.stream.StreamRecord;
import dev.tandem.hub.stream.StreamStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spawn trees: a parent stream spawns children ({@code parent/agents/name}), each recording
 * its parent, root and depth; limits come from the parent's effective policy (governance's
 * {@link SpawnRules}), and children inherit their ancestors' gates through it.
 *
 * <p>Canceling a node cancels its subtree leaf first: every node is marked {@code canceling}
 * in one transaction, then each is processed (pending approvals canceled, then
 * {@code stream.canceled} appended and the stream closed) and marked {@code canceled}. The
 * marks are durable, so a cascade interrupted by a restart is completed by {@link #resume()}.
 * Announcements are idempotent producer appends, so a repeat never doubles an event.
 */
public final class SpawnService {

  private static final Logger LOG = LoggerFactory.getLogger(SpawnService.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What to spawn: the child's name and description, and the token to mint for it (if any). */
  public record SpawnRequest(String name, String purpose, JsonNode metadata, boolean mintToken,
                             Set<Action> tokenActions, long tokenTtlSeconds) {}

  public record Spawned(StreamRecord child, boolean created, String token) {}

  private final Pool pool;
  private final StreamStore streams;
  private final PolicyStore policies;
  private final GroupCommitter committer;
  private final ApprovalService approvals;
  private final Authenticator authenticator;

  public SpawnService(Pool pool, StreamStore streams, PolicyStore policies, GroupCommitter committer,
                      ApprovalService approvals, Authenticator authenticator) {
    this.pool = pool;
    this.streams = streams;
    this.policies = policies;
    this.committer = committer;
    this.approvals = approvals;
    this.authenticator = authenticator;
  }

  public Future<Spawned> spawn(Principal spawner, String parentPath, SpawnRequest request) {
    String name = request.name() == null ? "child-" + random() : request.name();
    String childPath = StreamPaths.validate(parentPath + "/agents/" + name);
    if (name.contains("/")) {
      throw TandemError.badRequest("invalid_name", "a child's name is one path segment");
    }
    ObjectNode info = JSON.createObjectNode().put("name", name).put("spawner", spawner.subject());
    if (request.purpose() != null) {
      info.put("purpose", request.purpose());
    }
    if (request.metadata() != null) {
      info.set("metadata", request.metadata());
    }
    return policies.effective(parentPath).compose(effective -> {
      if (effective == null) {
        throw TandemError.notFound("no stream at '" + parentPath + "'");
      }
      return pool.withTransaction(conn -> conn.preparedQuery(Sql.load("stream/lock-by-path.sql"))
          .execute(Tuple.of(parentPath)).compose(rows -> {
            StreamRecord parent = rows.size() == 0 ? null : streamRecord(rows);
            if (parent == null || parent.expired() || parent.softDeleted()) {
              throw TandemError.notFound("no stream at '" + parentPath + "'");
            }
            if (parent.closed() || "canceling".equals(parent.spawnState()) || "canceled".equals(parent.spawnState())) {
              throw TandemError.conflict("parent_closed", "'" + parentPath + "' is closed and spawns no more children");
            }
            return conn.preparedQuery(Sql.load("spawn/child.sql")).execute(Tuple.of(childPath)).compose(existing -> {
              if (existing.size() > 0) {
                Row row = existing.iterator().next();
                if (!Long.valueOf(parent.id()).equals(row.getLong(1))) {
                  throw TandemError.conflict("path_taken", "'" + childPath + "' exists and is not a child of '" + parentPath + "'");
                }
                return Future.succeededFuture(false);
              }
              return conn.preparedQuery(Sql.load("spawn/facts.sql")).execute(Tuple.of(parent.id(), parent.treeRoot()))
                  .compose(facts -> {
                    Row f = facts.iterator().next();
                    if (SpawnRules.check(effective.policy().spawn(), new SpawnTree(parent.depth(),
                        f.getLong(0).intValue(), f.getLong(1).intValue())) instanceof SpawnDecision.Violation violation) {
                      throw TandemError.conflict("spawn_limit_exceeded", violation.message())
                          .withHeader("Tandem-Spawn-Limit", violation.limit());
                    }
                    return conn.preparedQuery(Sql.load("spawn/insert-child.sql")).execute(Tuple.of(childPath,
                        parent.id(), parent.treeRoot(), parent.depth() + 1, new JsonObject(info.toString()))
                        .addValue(parent.retentionSeconds()));
                  })
                  .map(inserted -> {
                    if (inserted.size() == 0) {
                      throw TandemError.conflict("path_taken", "'" + childPath + "' was created concurrently; retry");
                    }
                    return true;
                  });
            });
          }));
    }).compose(created -> announceSpawn(parentPath, childPath, info).map(created))
        .compose(created -> streams.find(childPath).map(child -> {
          String token = null;
          if (request.mintToken()) {
            Principal childPrincipal = SpawnRules.childPrincipal(spawner, parentPath, childPath,
                "agent:" + childPath, request.tokenActions());
            token = authenticator.mint(childPrincipal, request.tokenTtlSeconds());
          }
          return new Spawned(child, created, token);
        }));
  }

  /** {@code stream.created} first in the child, {@code stream.spawned} in the parent; once each. */
  private Future<Void> announceSpawn(String parentPath, String childPath, ObjectNode info) {
    ObjectNode created = JSON.createObjectNode().put("type", "stream.created").put("parent", parentPath);
    created.setAll(info.deepCopy());
    ObjectNode spawned = JSON.createObjectNode().put("type", "stream.spawned").put("child", childPath);
    spawned.setAll(info.deepCopy());
    return append(childPath, created, new Producer("spawn", 0, 0))
        .compose(v -> append(parentPath, spawned, new Producer("spawn:" + childPath, 0, 0)));
  }

  private Future<Void> append(String path, JsonNode event, Producer producer) {
    return committer.append(new AppendRequest(path, ContentTypes.JSON, List.of(Buffer.buffer(event.toString())),
        false, producer, null)).mapEmpty();
  }

  /** What a cascade does to each stream of the subtree. */
  public enum Cascade {
    CANCEL("canceling", "stream.canceled"),
    CLOSE("closing", "stream.closed");

    final String marking;
    final String event;

    Cascade(String marking, String event) {
      this.marking = marking;
      this.event = event;
    }
  }

  /**
   * Cancels or closes {@code path} and its whole subtree, leaf first; returns the affected
   * paths. Every stream is marked in one statement first, so the cascade survives a crash.
   */
  public Future<List<String>> cascade(Principal by, String path, Cascade mode, String reason) {
    ObjectNode info = JSON.createObjectNode().put("mode", mode.name().toLowerCase(java.util.Locale.ROOT))
        .put("by", by.subject()).put("origin", path).put("reason", reason == null ? "" : reason);
    return streams.find(path).compose(stream -> pool.preparedQuery(Sql.load("spawn/subtree.sql"))
        .execute(Tuple.of(stream.id())).compose(rows -> {
          List<Long> ids = new ArrayList<>();
          List<String> paths = new ArrayList<>();
          for (Row row : rows) {
            String state = row.getString("spawn_state");
            if (!"canceled".equals(state) && !"closed".equals(state)) {
              ids.add(row.getLong("id"));
              paths.add(row.getString("path"));
            }
          }
          return pool.preparedQuery(Sql.load("spawn/mark-canceling.sql"))
              .execute(Tuple.of(ids.toArray(new Long[0]), mode.marking, new JsonObject(info.toString())))
              .compose(v -> resume()).map(paths);
        }));
  }

  /**
   * Completes every cascade under way (also one interrupted by a restart), deepest streams
   * first, and starts the close cascade of parents closed through the protocol.
   */
  public Future<Void> resume() {
    return pool.preparedQuery(Sql.load("spawn/closed-parents.sql")).execute(Tuple.of(100))
        .compose(parents -> {
          Future<Void> chain = Future.succeededFuture();
          for (Row row : parents) {
            String parent = row.getString(0);
            chain = chain.compose(v -> markSubtree(parent, Cascade.CLOSE, "the parent stream was closed"));
          }
          return chain;
        })
        .compose(v -> pool.preparedQuery(Sql.load("spawn/canceling.sql")).execute(Tuple.of(1000)))
        .compose(rows -> {
          Future<Void> chain = Future.succeededFuture();
          for (Row row : rows) {
            long id = row.getLong("id");
            String path = row.getString("path");
            Cascade mode = "closing".equals(row.getString("spawn_state")) ? Cascade.CLOSE : Cascade.CANCEL;
            JsonNode cascade = parse(row.getValue("cascade"));
            chain = chain.compose(v -> processOne(id, path, mode, cascade));
          }
          return chain;
        });
  }

  private Future<Void> markSubtree(String path, Cascade mode, String reason) {
    ObjectNode info = JSON.createObjectNode().put("mode", mode.name().toLowerCase(java.util.Locale.ROOT))
        .put("by", "system").put("origin", path).put("reason", reason);
    return streams.find(path).compose(stream -> pool.preparedQuery(Sql.load("spawn/subtree.sql"))
        .execute(Tuple.of(stream.id())).compose(rows -> {
          List<Long> ids = new ArrayList<>();
          rows.forEach(row -> ids.add(row.getLong("id")));
          return pool.preparedQuery(Sql.load("spawn/mark-canceling.sql"))
              .execute(Tuple.of(ids.toArray(new Long[0]), mode.marking, new JsonObject(info.toString())));
        })).mapEmpty();
  }

  private Future<Void> processOne(long id, String path, Cascade mode, JsonNode cascade) {
    return pool.preparedQuery(Sql.load("spawn/pending-approvals.sql")).execute(Tuple.of(id))
        .compose(pending -> {
          Future<Void> chain = Future.succeededFuture();
          for (Row row : pending) {
            String approval = row.getString(0);
            chain = chain.compose(v -> approvals.decide(approval, approvalsSystem(),
                new Command.Cancel(approvalsSystem(), "the stream was " + (mode == Cascade.CLOSE ? "closed" : "canceled"))).mapEmpty());
          }
          return chain;
        })
        .compose(v -> {
          ObjectNode event = JSON.createObjectNode().put("type", mode.event)
              .put("by", cascade.path("by").asText("system"))
              .put("reason", cascade.path("reason").asText(""))
              .put("origin", cascade.path("origin").asText(path))
              .put("at", java.time.Instant.now().toString());
          return committer.append(new AppendRequest(path, ContentTypes.JSON, List.of(Buffer.buffer(event.toString())),
              true, new Producer("cascade", 0, 0), null)).mapEmpty()
              .recover(failure -> failure instanceof TandemError e && e.status() >= 404 && e.status() <= 410
                  ? Future.succeededFuture() // already closed, expired or deleted: nothing more to say in it
                  : Future.failedFuture(failure));
        })
        .compose(v -> pool.preparedQuery(Sql.load("spawn/mark-canceled.sql")).execute(Tuple.of(id)))
        .onFailure(e -> LOG.warn("cascade on {} will be retried: {}", path, e.toString()))
        .mapEmpty();
  }

  private static JsonNode parse(Object json) {
    try {
      return json == null ? JSON.createObjectNode() : JSON.readTree(json.toString());
    } catch (java.io.IOException e) {
      return JSON.createObjectNode();
    }
  }

  private static Principal approvalsSystem() {
    return ApprovalService.system();
  }

  /** The subtree rows of a stream (for the tree view), deepest first. */
  Future<RowSet<Row>> subtree(long id) {
    return pool.preparedQuery(Sql.load("spawn/subtree.sql")).execute(Tuple.of(id));
  }

  Future<RowSet<Row>> forksOf(List<Long> ids) {
    return pool.preparedQuery(Sql.load("spawn/forks-of.sql")).execute(Tuple.of(ids.toArray(new Long[0])));
  }

  StreamStore streams() {
    return streams;
  }

  private static StreamRecord streamRecord(RowSet<Row> rows) {
    return StreamRecord.of(rows.iterator().next());
  }

  private static String random() {
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      id.append("abcdefghijkmnopqrstuvwxyz23456789".charAt(RANDOM.nextInt(33)));
    }
    return id.toString();
  }
}
