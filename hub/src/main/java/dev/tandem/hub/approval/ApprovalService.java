package dev.tandem.hub.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.Role;
import dev.tandem.governance.access.ScopeMatcher;
import dev.tandem.governance.approval.Approval;
import dev.tandem.governance.approval.ApprovalMachine;
import dev.tandem.governance.approval.ApprovalState;
import dev.tandem.governance.approval.Command;
import dev.tandem.governance.approval.Outcome;
import dev.tandem.governance.policy.Gate;
import dev.tandem.hub.auth.Access;
import dev.tandem.hub.http.ChangeWait;
import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.store.Sql;
import dev.tandem.hub.stream.AppendRequest;
import dev.tandem.hub.stream.ContentTypes;
import dev.tandem.hub.stream.GroupCommitter;
import dev.tandem.hub.stream.Producer;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Approval gates in the hub: holds gated appends as durable approvals, applies decisions
 * through governance's {@link ApprovalMachine}, and appends what each change owes the stream.
 *
 * <p>Every change is first committed to the {@code approvals} row together with the events it
 * owes (numbered batches); the events are then appended as idempotent producer
 * {@code approval:<id>} with the batch number as sequence. A crash in between is repaired by
 * {@link #sweep()}: re-appending a batch that did land is a producer duplicate, so the stream
 * gets each event exactly once. Decisions lock the row, so concurrent ones resolve to one.
 */
public final class ApprovalService {

  private static final Logger LOG = LoggerFactory.getLogger(ApprovalService.class);
  static final Principal SYSTEM = new Principal("system", EnumSet.of(Role.ADMIN), List.of());
  private static final SecureRandom RANDOM = new SecureRandom();
  /** The most approval rows one list request looks at, however few of them the caller may see. */
  static final int LIST_SCAN_ROWS = 10_000;

  private final Vertx vertx;
  private final Pool pool;
  private final PolicyStore policies;
  private final GroupCommitter committer;
  private final Clock clock;
  private final ApprovalWaiters waiters = new ApprovalWaiters();
  private final Map<String, Future<Void>> announcing = new ConcurrentHashMap<>();
  private java.util.function.Consumer<String> onChanged = id -> { };

  public ApprovalService(Vertx vertx, Pool pool, PolicyStore policies, GroupCommitter committer, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.policies = policies;
    this.committer = committer;
    this.clock = clock;
  }

  /** The principal the hub acts as for expiry and cascades. */
  public static Principal system() {
    return SYSTEM;
  }

  /** Tells others (other hub nodes) that approval {@code id} was requested or changed. */
  public void onChanged(java.util.function.Consumer<String> listener) {
    this.onChanged = listener;
  }

  /** Approval {@code id} changed elsewhere: wake the waiters here. */
  public void changed(String id) {
    waiters.changed(id);
  }

  public PolicyStore policies() {
    return policies;
  }

  /**
   * Checks an append against the stream's gates: null when no gate holds it (append as usual),
   * else the approval that now holds it (new, or the existing one for the same idempotency key).
   */
  public Future<Approval> gate(Principal requester, String path, String contentType, List<Buffer> records,
                               String idempotencyKey, String traceparent) {
    if (!ContentTypes.isJson(contentType) || records.isEmpty()) {
      return Future.succeededFuture(null);
    }
    return policies.effective(path).compose(effective -> {
      if (effective == null || effective.policy().gates().isEmpty()) {
        return Future.succeededFuture(null);
      }
      Gate gate = null;
      JsonNode held = null;
      for (Buffer record : records) {
        JsonNode event = parse(record);
        Gate match = effective.policy().gateFor(event);
        if (match != null) {
          gate = match;
          held = event;
        }
      }
      if (gate == null) {
        return Future.succeededFuture(null);
      }
      if (records.size() > 1) {
        throw TandemError.badRequest("gated_event_in_batch",
            "gate '" + gate.name() + "' holds one of these events: append a gated event on its own");
      }
      return request(requester, path, effective.streamId(), held, gate, idempotencyKey, traceparent);
    });
  }

  private Future<Approval> request(Principal requester, String path, long streamId, JsonNode event, Gate gate,
                                   String key, String traceparent) {
    String id = "apr_" + randomId();
    Outcome.Changed requested = ApprovalMachine.request(id, path, requester.subject(), event, gate, clock.instant());
    Approval approval = requested.next();
    JsonArray owed = new JsonArray().add(batch(0, requested.events()));
    return pool.withTransaction(conn -> conn.preparedQuery(Sql.load("approval/insert.sql"))
            .execute(Tuple.of(id, streamId, path, requester.subject(), key, "pending")
                .addValue(new JsonObject(ApprovalCodec.toJson(approval).toString()))
                .addValue(OffsetDateTime.ofInstant(approval.expiresAt(), ZoneOffset.UTC))
                .addValue(owed)
                .addValue(traceparent))
            .compose(rows -> rows.size() > 0 ? Future.succeededFuture(approval) : existing(conn, streamId, requester, key)))
        .compose(result -> announce(result.id()).map(result))
        .onSuccess(result -> {
          waiters.changed(result.id());
          onChanged.accept(result.id());
        });
  }

  private Future<Approval> existing(SqlConnection conn, long streamId, Principal requester, String key) {
    return conn.preparedQuery(Sql.load("approval/find-by-key.sql")).execute(Tuple.of(streamId, requester.subject(), key))
        .map(rows -> ApprovalCodec.fromJson(json(rows.iterator().next().getValue(0))));
  }

  /** Result of a decision: the record, and whether this call changed it. */
  public record Decided(Approval approval, boolean changed) {}

  public Future<Decided> decide(String id, Principal by, Command command) {
    return pool.withTransaction(conn -> conn.preparedQuery(Sql.load("approval/lock.sql")).execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) {
            throw TandemError.notFound("no approval '" + id + "'");
          }
          Row row = rows.iterator().next();
          Approval approval = ApprovalCodec.fromJson(json(row.getValue(0)));
          if (by != SYSTEM) {
            authorise(by, approval, command);
          }
          Command effective = command;
          if (command instanceof Command.Approve && row.getBoolean(3) && !approval.state().settled()) {
            effective = new Command.Cancel(SYSTEM, "the stream was closed before the event could be released");
          }
          Outcome outcome = ApprovalMachine.apply(approval, effective, clock.instant());
          if (outcome instanceof Outcome.Refused refused) {
            throw TandemError.of(refused.code().callerForbidden() ? 403 : 409, refused.code().wire(),
                refused.message());
          }
          if (outcome instanceof Outcome.Unchanged unchanged) {
            return Future.succeededFuture(new Decided(unchanged.current(), false));
          }
          Outcome.Changed changed = (Outcome.Changed) outcome;
          List<JsonNode> events = new ArrayList<>(changed.events());
          JsonNode released = ApprovalMachine.releasedEvent(changed.next());
          if (released != null) {
            events.add(released);
          }
          long seq = row.getLong(1);
          JsonArray owed = ((JsonArray) row.getValue(2)).copy().add(batch(seq, events));
          Approval next = changed.next();
          return conn.preparedQuery(Sql.load("approval/update.sql"))
              .execute(Tuple.of(id, ApprovalCodec.stateName(next.state()),
                  new JsonObject(ApprovalCodec.toJson(next).toString()), seq + 1, owed))
              .map(new Decided(next, true));
        }))
        .compose(decided -> decided.changed()
            ? announce(id).map(decided).onSuccess(d -> {
              waiters.changed(id);
              onChanged.accept(id);
            })
            : Future.succeededFuture(decided));
  }

  private static void authorise(Principal by, Approval approval, Command command) {
    if (command instanceof Command.Cancel) {
      if (!by.subject().equals(approval.requester())) {
        Access.require(by, Action.ADMIN, approval.streamPath());
      }
    } else {
      Access.require(by, Action.APPROVE, approval.streamPath());
    }
  }

  /** Appends the batches an approval owes its stream, in order, once each. */
  Future<Void> announce(String id) {
    Promise<Void> done = Promise.promise();
    Future<Void> previous = announcing.put(id, done.future());
    Future<Void> after = previous == null ? Future.succeededFuture() : previous.otherwiseEmpty();
    after.compose(v -> announceNow(id)).onComplete(result -> {
      announcing.remove(id, done.future());
      done.handle(result);
    });
    return done.future();
  }

  private Future<Void> announceNow(String id) {
    return pool.preparedQuery(Sql.load("approval/unannounced.sql")).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.<Void>succeededFuture();
      }
      Row row = rows.iterator().next();
      String path = row.getString(1);
      String traceparent = row.getString(3); // the held append's: the trace goes on through the approval
      Future<Void> chain = Future.succeededFuture();
      for (Object item : (JsonArray) row.getValue(2)) {
        JsonObject batch = (JsonObject) item;
        long seq = batch.getLong("seq");
        List<Buffer> records = new ArrayList<>();
        batch.getJsonArray("events").forEach(e -> records.add(Buffer.buffer(e.toString())));
        chain = chain.compose(v -> committer.append(new AppendRequest(path, ContentTypes.JSON, records, false,
                new Producer("approval:" + id, 0, seq), null, traceparent, null)))
            .recover(failure -> {
              if (failure instanceof TandemError e && e.status() < 500) {
                LOG.warn("approval {} cannot announce batch {} to {}: {}", id, seq, path, e.getMessage());
                return Future.succeededFuture(); // the stream refuses it (closed, deleted): nothing to retry
              }
              return Future.failedFuture(failure);
            })
            .compose(v -> pool.preparedQuery(Sql.load("approval/mark-announced.sql")).execute(Tuple.of(id, seq + 1)))
            .mapEmpty();
      }
      return chain;
    });
  }

  /** Expires overdue approvals and re-appends owed events; runs periodically and at start-up. */
  public Future<Void> sweep() {
    Future<Void> expired = pool.preparedQuery(Sql.load("approval/overdue.sql")).execute(Tuple.of(100))
        .compose(rows -> {
          List<Future<Decided>> all = new ArrayList<>();
          for (Row row : rows) {
            all.add(decide(row.getString(0), SYSTEM, new Command.Expire()));
          }
          return Future.join(all).mapEmpty();
        });
    return expired.eventually(() -> pool.preparedQuery(Sql.load("approval/owing.sql")).execute(Tuple.of(100))
        .compose(rows -> {
          List<Future<Void>> all = new ArrayList<>();
          for (Row row : rows) {
            all.add(announce(row.getString(0)));
          }
          return Future.join(all).mapEmpty();
        }));
  }

  public Future<Approval> get(String id) {
    return pool.preparedQuery(Sql.load("approval/find.sql")).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        throw TandemError.notFound("no approval '" + id + "'");
      }
      return ApprovalCodec.fromJson(json(rows.iterator().next().getValue(0)));
    });
  }

  /** The approval, once it is settled or {@code waitMillis} have passed, whichever is first. */
  public Future<Approval> await(String id, long waitMillis) {
    return get(id).compose(current -> {
      if (current.state().settled() || waitMillis <= 0) {
        return Future.succeededFuture(current);
      }
      Promise<Approval> settled = Promise.promise();
      Runnable[] cancel = new Runnable[1];
      long timer = vertx.setTimer(waitMillis, t -> {
        cancel[0].run();
        get(id).onComplete(settled);
      });
      cancel[0] = waiters.watch(id, vertx.getOrCreateContext(), v -> get(id).onSuccess(a -> {
        if (a.state().settled() && settled.tryComplete(a)) {
          vertx.cancelTimer(timer);
          cancel[0].run();
        }
      }));
      // A decision between the first read and the watch would not wake us: look once more.
      get(id).onSuccess(a -> {
        if (a.state().settled() && settled.tryComplete(a)) {
          vertx.cancelTimer(timer);
          cancel[0].run();
        }
      });
      return settled.future();
    });
  }

  /** Calls {@code handler} on {@code context} whenever any approval is requested or changes, on any node, until the returned cancel runs. */
  public Runnable watchAll(io.vertx.core.Context context, Handler<Void> handler) {
    return waiters.watchAll(context, handler);
  }

  /**
   * A strong entity tag for a list of approvals: it changes when an approval joins or leaves
   * the list or any of its records changes (a vote, a decision), and not as they age.
   */
  public static String etag(List<Approval> list) {
    return ChangeWait.etag(list.stream().map(a -> ApprovalCodec.toJson(a).toString()).toList());
  }

  /** How many approvals are in each state, over the whole database (every state present, 0 if none). */
  public Future<Map<ApprovalState, Long>> countByState() {
    return pool.query(Sql.load("approval/count-by-state.sql")).execute().map(rows -> {
      Map<ApprovalState, Long> counts = new java.util.EnumMap<>(ApprovalState.class);
      for (ApprovalState state : ApprovalState.values()) {
        counts.put(state, 0L);
      }
      for (Row row : rows) {
        counts.put(ApprovalState.valueOf(row.getString("state").toUpperCase(java.util.Locale.ROOT)),
            row.getLong("approvals"));
      }
      return counts;
    });
  }

  /**
   * Approvals {@code principal} may see, newest first; with {@code decidable}, only those it may
   * decide now. Who may see or decide an approval is decided here, not in SQL (it depends on the
   * gate in the record), so rows are read in pages of {@code 4 × limit} until {@code limit} are
   * found, the rows run out, or {@link #LIST_SCAN_ROWS} rows have been looked at.
   */
  public Future<List<Approval>> list(Principal principal, String state, String streamPrefix, boolean decidable, int limit) {
    return listPage(principal, state, streamPrefix, decidable, limit, new ArrayList<>(), null, null, 0);
  }

  private Future<List<Approval>> listPage(Principal principal, String state, String streamPrefix, boolean decidable,
                                          int limit, List<Approval> visible, OffsetDateTime afterCreated,
                                          String afterId, int scanned) {
    int page = Math.min(limit * 4, LIST_SCAN_ROWS - scanned);
    return pool.preparedQuery(Sql.load("approval/list.sql"))
        .execute(Tuple.of(state, streamPrefix, page, afterCreated, afterId))
        .compose(rows -> {
          OffsetDateTime lastCreated = null;
          String lastId = null;
          for (Row row : rows) {
            lastCreated = row.getOffsetDateTime(1);
            lastId = row.getString(2);
            Approval a = ApprovalCodec.fromJson(json(row.getValue(0)));
            if (visibleTo(principal, a, decidable)) {
              visible.add(a);
              if (visible.size() == limit) {
                return Future.succeededFuture(visible);
              }
            }
          }
          int seen = scanned + rows.size();
          if (rows.size() < page || seen >= LIST_SCAN_ROWS) {
            return Future.succeededFuture(visible);
          }
          return listPage(principal, state, streamPrefix, decidable, limit, visible, lastCreated, lastId, seen);
        });
  }

  private static boolean visibleTo(Principal principal, Approval a, boolean decidable) {
    boolean mayRead = ScopeMatcher.allows(principal, Action.READ, a.streamPath());
    boolean mayDecide = ScopeMatcher.allows(principal, Action.APPROVE, a.streamPath())
        && a.gate().isApprover(principal) && !a.hasVoted(principal.subject())
        && (a.gate().allowSelfApproval() || !a.requester().equals(principal.subject()));
    return decidable ? mayDecide && !a.state().settled() : mayRead || mayDecide;
  }

  Instant now() {
    return clock.instant();
  }

  private static JsonObject batch(long seq, List<JsonNode> events) {
    JsonArray list = new JsonArray();
    events.forEach(e -> list.add(new JsonObject(e.toString())));
    return new JsonObject().put("seq", seq).put("events", list);
  }

  private static JsonNode parse(Buffer record) {
    try {
      return ApprovalCodec.JSON.readTree(record.getBytes());
    } catch (Exception e) {
      throw TandemError.badRequest("invalid_json", "the event is not valid JSON");
    }
  }

  private static JsonNode json(Object value) {
    try {
      return ApprovalCodec.JSON.readTree(value.toString());
    } catch (Exception e) {
      throw new IllegalStateException("stored approval is unreadable", e);
    }
  }

  private static String randomId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    StringBuilder id = new StringBuilder();
    for (byte b : bytes) {
      id.append("abcdefghijkmnopqrstuvwxyz23456789".charAt((b & 0xff) % 33));
    }
    return id.toString();
  }

  static ArrayNode views(List<Approval> approvals, Instant now) {
    ArrayNode list = ApprovalCodec.JSON.createArrayNode();
    approvals.forEach(a -> list.add(ApprovalCodec.view(a, now)));
    return list;
  }

  static ObjectNode view(Approval approval, Instant now) {
    return ApprovalCodec.view(approval, now);
  }

  static boolean isSettled(Approval a) {
    return a.state() != ApprovalState.PENDING;
  }
}
