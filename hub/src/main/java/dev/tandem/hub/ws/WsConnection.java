package dev.tandem.hub.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Principal;
import dev.tandem.hub.approval.ApprovalRoutes;
import dev.tandem.hub.auth.Access;
import dev.tandem.hub.auth.Authenticator;
import dev.tandem.hub.limits.OpenConnections;
import dev.tandem.hub.limits.RateLimiter;
import dev.tandem.hub.http.Responses;
import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.stream.AppendRequest;
import dev.tandem.hub.stream.Offsets;
import dev.tandem.hub.stream.Producer;
import dev.tandem.hub.stream.StreamPaths;
import dev.tandem.hub.stream.StreamRecord;
import dev.tandem.hub.stream.Traceparent;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.ContextInternal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * One WebSocket connection: parses and answers frames (docs/websocket.md), owns the
 * connection's subscriptions and presence, and bounds what the hub buffers for it.
 *
 * <p>Everything here runs on the connection's event loop. {@code queuedBytes} counts what was
 * written but not yet flushed to the socket. Above {@code ws-send-queue-bytes}, or above zero
 * while the hub's {@link SendBudget} is over, subscriptions stop taking live batches and catch up
 * from Postgres when it drains, and a connection that stays so for
 * {@code ws-slow-consumer-grace-ms} is closed with code 4000 (resume): a reader that stopped
 * cannot keep the hub's budget, and every other reader's catch-up, to itself.
 */
final class WsConnection {

  static final short CLOSE_RESUME = 4000;
  static final short CLOSE_UNAUTHORIZED = 4001;
  static final short CLOSE_UNSUPPORTED_VERSION = 4002;
  static final short CLOSE_IDLE = 4003;
  static final short CLOSE_TOO_MANY_CONNECTIONS = 4004;

  private final WsHub hub;
  private final ServerWebSocket socket;
  private final Context context;
  private final EventLoop loop;
  private final Flushes flushes;
  /** Per stream, the last append of this connection not yet admitted (see inTurn). */
  private final Map<String, Future<Void>> admitting = new HashMap<>();
  private final String id = "c-" + UUID.randomUUID();
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private final Map<Long, String> presence = new HashMap<>(); // stream id -> path
  private final Set<Subscription> drainWaiters = new LinkedHashSet<>();
  private final RateLimiter rateLimiter;
  private final Principal upgradePrincipal;
  /** This connection's place in its caller's connection limit; taken at the upgrade or at hello. */
  private OpenConnections.Permit permit;
  private Principal principal;
  private String participant;
  private String kind = "human";
  private long queuedBytes;
  private long overSince = -1;
  private long lastHeard = System.currentTimeMillis();
  private long timer = -1;
  private boolean closed;
  private boolean helloPending;

  WsConnection(WsHub hub, ServerWebSocket socket, Flushes flushes, Context context, Principal upgradePrincipal,
               OpenConnections.Permit permit) {
    this.hub = hub;
    this.permit = permit;
    this.upgradePrincipal = upgradePrincipal;
    this.socket = socket;
    this.flushes = flushes;
    this.context = context;
    this.loop = ((ContextInternal) context).nettyEventLoop();
    this.rateLimiter = new RateLimiter(hub.limits().maxMessagesPerSecond());
  }

  Context context() {
    return context;
  }

  WsHub hub() {
    return hub;
  }

  void start(Vertx vertx) {
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(b -> {
      heard();
      sendError(null, TandemError.badRequest("invalid_frame", "frames are JSON text messages"));
    });
    socket.pongHandler(b -> heard());
    socket.closeHandler(v -> onClose());
    socket.exceptionHandler(e -> { });
    long tick = Math.max(50, Math.min(hub.limits().heartbeatMs(), hub.limits().slowConsumerGraceMs()) / 2);
    timer = vertx.setPeriodic(tick, t -> tick());
  }

  // ---- incoming frames ------------------------------------------------------------------

  private void onText(String text) {
    heard();
    if (text.length() > hub.limits().maxFrameBytes()) {
      sendError(null, TandemError.of(413, "frame_too_large",
          "frames may be at most " + hub.limits().maxFrameBytes() + " bytes"));
      return;
    }
    JsonNode frame;
    try {
      frame = Frames.JSON.readTree(text);
    } catch (IOException e) {
      sendError(null, TandemError.badRequest("invalid_json", "the frame is not valid JSON"));
      return;
    }
    if (frame == null || !frame.isObject()) {
      sendError(null, TandemError.badRequest("invalid_frame", "a frame is a JSON object with a type"));
      return;
    }
    JsonNode re = frame.get("id");
    if (re != null && !re.isTextual() && !re.isNumber()) {
      sendError(null, TandemError.badRequest("invalid_frame", "id must be a string or a number"));
      return;
    }
    if (!rateLimiter.tryAcquire()) {
      sendError(re, TandemError.of(429, "rate_limited",
          "at most " + hub.limits().maxMessagesPerSecond() + " frames per second"));
      return;
    }
    Future<?> handled;
    try {
      handled = dispatch(frame, re);
    } catch (TandemError error) {
      handled = Future.failedFuture(error);
    }
    handled.onFailure(failure -> sendError(re, Responses.classify(failure)));
  }

  private Future<?> dispatch(JsonNode frame, JsonNode re) {
    String type = frame.path("type").asText("");
    if (participant == null && !type.equals("hello")) {
      if (type.equals("ping")) {
        return pong(re);
      }
      throw TandemError.of(401, "hello_required", "send a hello frame first");
    }
    return switch (type) {
      case "hello" -> hello(frame, re);
      case "subscribe" -> subscribe(frame, re);
      case "unsubscribe" -> unsubscribe(frame, re);
      case "append" -> append(frame, re);
      case "ack" -> ack(frame, re);
      case "presence" -> setPresence(frame, re);
      case "presence.leave" -> leavePresence(frame, re);
      case "ping" -> pong(re);
      case "" -> throw invalid("every frame needs a type");
      default -> throw TandemError.badRequest("unknown_type", "unknown frame type '" + type + "'");
    };
  }

  private Future<?> hello(JsonNode frame, JsonNode re) {
    if (participant != null || helloPending) {
      throw TandemError.conflict("already_hello", "hello was already accepted on this connection");
    }
    helloPending = true;
    int version = frame.path("v").asInt(Frames.VERSION);
    if (version != Frames.VERSION) {
      sendError(re, TandemError.badRequest("unsupported_version",
          "this hub speaks protocol version " + Frames.VERSION + ", not " + version));
      socket.close(CLOSE_UNSUPPORTED_VERSION, "unsupported protocol version");
      return Future.succeededFuture();
    }
    String declaredKind = frame.path("kind").asText("human");
    if (!declaredKind.equals("human") && !declaredKind.equals("agent")) {
      throw invalid("kind must be human or agent");
    }
    String token = text(frame, "token", false);
    Future<Principal> identified = token == null && upgradePrincipal != null
        ? Future.succeededFuture(upgradePrincipal)
        : hub.authenticator().authenticate(token);
    return identified.recover(failure -> {
      sendError(re, Responses.classify(failure));
      socket.close(CLOSE_UNAUTHORIZED, "authentication failed");
      return Future.succeededFuture(null);
    }).compose(who -> {
      if (who == null || closed) {
        return Future.succeededFuture();
      }
      if (permit == null) {
        try {
          permit = hub.callers().openConnection(hub.callers().caller(who, socket.remoteAddress()));
        } catch (TandemError refused) {
          sendError(re, refused);
          socket.close(CLOSE_TOO_MANY_CONNECTIONS, "too many connections");
          return Future.succeededFuture();
        }
      }
      String name = who.subject();
      if (!hub.authenticator().enabled()) {
        name = text(frame, "participant", true);
        if (name.isEmpty() || name.length() > 128) {
          throw invalid("participant must be 1 to 128 characters");
        }
      }
      principal = who;
      participant = name;
      kind = declaredKind;
      welcome(re);
      return Future.succeededFuture();
    }).onFailure(failure -> helloPending = false);
  }

  private void welcome(JsonNode re) {
    ObjectNode welcome = Frames.reply("welcome", re).put("v", Frames.VERSION)
        .put("participant", participant).put("connection", id)
        .put("heartbeatMs", hub.limits().heartbeatMs());
    welcome.putObject("limits")
        .put("maxFrameBytes", hub.limits().maxFrameBytes())
        .put("maxSubscriptions", hub.limits().maxSubscriptions())
        .put("maxMessagesPerSecond", hub.limits().maxMessagesPerSecond())
        .put("sendQueueBytes", hub.limits().sendQueueBytes());
    send(welcome.toString());
  }

  private Future<?> subscribe(JsonNode frame, JsonNode re) {
    String path = StreamPaths.validate(text(frame, "stream", true));
    Access.require(principal, Action.READ, path);
    String from = frame.path("from").asText("beginning");
    if (subscriptions.containsKey(path)) {
      throw TandemError.conflict("already_subscribed", "this connection is already subscribed to '" + path + "'");
    }
    if (subscriptions.size() >= hub.limits().maxSubscriptions()) {
      throw TandemError.of(429, "too_many_subscriptions",
          "at most " + hub.limits().maxSubscriptions() + " subscriptions per connection");
    }
    subscriptions.put(path, null); // reserve: a second subscribe while this one resolves is refused
    return hub.store().find(path)
        .compose(stream -> resolveFrom(stream, from).map(start -> {
          if (closed || !subscriptions.containsKey(path)) {
            return null;
          }
          Subscription subscription = new Subscription(this, hub.store(), hub.reader(), hub.fanOut(), stream);
          subscriptions.put(path, subscription);
          send(Frames.reply("subscribed", re).put("stream", path).put("from", Offsets.format(start))
              .put("tail", Offsets.format(stream.tailSeq())).put("contentType", stream.contentType()).toString());
          send(Frames.presenceSnapshot(path, hub.presence().present(stream.id())));
          subscription.start(start);
          hub.cursors().follow(participant, stream.id(), start);
          return null;
        }))
        .onFailure(failure -> subscriptions.remove(path, null));
  }

  private Future<Long> resolveFrom(StreamRecord stream, String from) {
    return switch (from) {
      case "beginning", "-1" -> Future.succeededFuture(0L);
      case "now" -> Future.succeededFuture(stream.tailSeq());
      case "cursor" -> hub.cursors().find(participant, stream.id()).map(c -> c == null ? 0L : Math.min(c, stream.tailSeq()));
      default -> {
        long offset = Offsets.parse(from);
        if (offset > stream.tailSeq()) {
          throw TandemError.badRequest("offset_out_of_range", "offset " + from + " is past the stream's tail");
        }
        yield Future.succeededFuture(offset);
      }
    };
  }

  private Future<?> unsubscribe(JsonNode frame, JsonNode re) {
    String path = text(frame, "stream", true);
    Subscription subscription = subscriptions.remove(path);
    if (subscription == null) {
      throw TandemError.notFound("this connection is not subscribed to '" + path + "'");
    }
    subscription.cancel();
    drainWaiters.remove(subscription);
    send(Frames.reply("unsubscribed", re).put("stream", path).toString());
    return Future.succeededFuture();
  }

  private Future<?> append(JsonNode frame, JsonNode re) {
    String path = StreamPaths.validate(text(frame, "stream", true));
    Access.require(principal, Action.APPEND, path);
    boolean close = frame.path("close").asBoolean(false);
    JsonNode events = frame.get("events");
    List<Buffer> records = new ArrayList<>();
    if (events == null || events.isNull()) {
      if (!close) {
        throw invalid("append needs events (a JSON array)");
      }
    } else if (!events.isArray() || events.isEmpty() && !close) {
      throw invalid("events must be a non-empty JSON array");
    } else {
      for (JsonNode event : (ArrayNode) events) {
        records.add(Buffer.buffer(event.toString()));
      }
    }
    Producer producer = producer(frame.get("producer"));
    String contentType = records.isEmpty() ? null : "application/json";
    String explicitKey = text(frame, "idempotencyKey", false);
    String key = explicitKey != null || producer == null ? explicitKey
        : "producer:" + producer.id() + ":" + producer.epoch() + ":" + producer.seq();
    String traceparent = traceparent(frame);
    return inTurn(path, () -> hub.approvals().gate(principal, path, contentType, records, key, traceparent)
        .map(approval -> {
          if (approval != null) {
            ObjectNode held = Frames.reply("approval.requested", re).put("stream", path);
            held.set("approval", ApprovalRoutes.view(approval, java.time.Instant.now()));
            send(held.toString());
            return Future.succeededFuture();
          }
          return hub.committer().append(new AppendRequest(path, contentType, records, close, producer, null,
                  traceparent, Authenticator.author(principal)))
              .onSuccess(ack -> send(Frames.reply("appended", re).put("stream", path)
                  .put("first", Offsets.format(ack.firstSeq())).put("next", Offsets.format(ack.nextSeq()))
                  .put("duplicate", ack.duplicate()).put("closed", ack.closed()).toString()));
        }));
  }

  /**
   * Runs {@code admit} (the gate check, then queueing the append for commit or holding it for
   * approval) once every earlier append of this connection to {@code path} has been admitted,
   * and returns the outcome {@code admit} gives. The gate check is asynchronous when the
   * stream's policy is not cached (a fresh stream, or after a policy change), and look-ups
   * started together may finish in any order; a producer that sends appends without waiting
   * for replies must still have them stored in the order it sent them.
   */
  private Future<?> inTurn(String path, Supplier<Future<Future<?>>> admit) {
    Promise<Void> admitted = Promise.promise();
    Future<Void> previous = admitting.put(path, admitted.future());
    Future<Void> turn = previous == null ? Future.succeededFuture() : previous;
    return turn.compose(v -> admit.get()).transform(result -> {
      admitting.remove(path, admitted.future());
      admitted.complete(); // after the append was queued: the next one may go
      return result.succeeded() ? result.result() : Future.failedFuture(result.cause());
    });
  }

  /** The frame's valid traceparent, or null: like the HTTP header, an invalid one is ignored. */
  private static String traceparent(JsonNode frame) {
    JsonNode value = frame.get("traceparent");
    return value != null && value.isTextual() ? Traceparent.parse(value.asText()) : null;
  }

  private static Producer producer(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject() || !node.path("id").isTextual() || node.path("id").asText().isEmpty()
        || !node.path("epoch").canConvertToExactIntegral() || !node.path("seq").canConvertToExactIntegral()
        || node.path("epoch").asLong() < 0 || node.path("seq").asLong() < 0) {
      throw TandemError.badRequest("invalid_producer", "producer is {\"id\": string, \"epoch\": integer >= 0, \"seq\": integer >= 0}");
    }
    return new Producer(node.get("id").asText(), node.get("epoch").asLong(), node.get("seq").asLong());
  }

  private Future<?> ack(JsonNode frame, JsonNode re) {
    String path = StreamPaths.validate(text(frame, "stream", true));
    Access.require(principal, Action.READ, path);
    long offset = Offsets.parse(text(frame, "offset", true));
    boolean reset = frame.path("reset").asBoolean(false);
    return hub.store().find(path).compose(stream -> {
      if (offset > stream.tailSeq()) {
        throw TandemError.badRequest("offset_out_of_range", "cannot acknowledge past the stream's tail");
      }
      return reset ? hub.cursors().reset(participant, stream.id(), offset)
          : hub.cursors().advance(participant, stream.id(), offset);
    }).onSuccess(cursor -> {
      if (re != null) {
        send(Frames.reply("acked", re).put("stream", path).put("cursor", Offsets.format(cursor)).toString());
      }
    });
  }

  private Future<?> setPresence(JsonNode frame, JsonNode re) {
    String path = StreamPaths.validate(text(frame, "stream", true));
    Access.require(principal, Action.READ, path);
    JsonNode state = frame.has("state") ? frame.get("state") : Frames.JSON.createObjectNode();
    if (!state.isObject()) {
      throw invalid("state must be a JSON object");
    }
    if (state.toString().getBytes(StandardCharsets.UTF_8).length > WsHub.MAX_PRESENCE_STATE_BYTES) {
      throw TandemError.of(413, "presence_state_too_large",
          "a presence state is at most " + WsHub.MAX_PRESENCE_STATE_BYTES + " bytes of JSON");
    }
    return hub.store().find(path).onSuccess(stream -> {
      presence.put(stream.id(), path);
      hub.presenceSet(stream.id(), path, id, participant, kind, state);
      if (re != null) {
        send(Frames.reply("presence.set", re).put("stream", path).toString());
      }
    });
  }

  private Future<?> leavePresence(JsonNode frame, JsonNode re) {
    String path = StreamPaths.validate(text(frame, "stream", true));
    presence.entrySet().removeIf(entry -> {
      if (!entry.getValue().equals(path)) {
        return false;
      }
      leave(entry.getKey(), path);
      return true;
    });
    if (re != null) {
      send(Frames.reply("presence.left", re).put("stream", path).toString());
    }
    return Future.succeededFuture();
  }

  private void leave(long streamId, String path) {
    hub.presenceLeave(streamId, path, id, participant);
  }

  private Future<?> pong(JsonNode re) {
    send(Frames.reply("pong", re).toString());
    return Future.succeededFuture();
  }

  // ---- outgoing frames and the send queue ----------------------------------------------

  /**
   * Sends a reply or any frame for this connection alone. Its flush waits for the tasks queued on
   * the event loop, so that replies completed together go out together ({@link Flushes}).
   */
  void send(String frame) {
    if (!closed) {
      checkOnLoop();
      flushes.defer();
      write(frame.length(), socket.writeTextMessage(frame), null);
    }
  }

  /**
   * Sends a frame fan-out encoded once for all the subscribers of a stream: this write takes a
   * view of its bytes, where Vert.x's public API takes text only as a String and would encode
   * it again for each of them. One longer than a transport frame goes the usual way, split into
   * several.
   */
  void send(SharedFrame frame) {
    if (closed) {
      return;
    }
    checkOnLoop();
    if (frame.length() > WsHub.Limits.transportFrameBytes(hub.limits().maxFrameBytes())) {
      send(frame.text());
    } else {
      write(frame.length(), socket.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, frame.view(), true)),
          frame);
    }
  }

  /**
   * Counts a write until the socket has taken it: in this connection's send queue, and in the
   * hub's {@link SendBudget}, where a {@code shared} frame counts once for all the connections
   * that owe it.
   */
  private void write(long size, Future<Void> written, SharedFrame shared) {
    SendBudget budget = hub.sendBudget();
    queuedBytes += size;
    if (shared == null || shared.owe()) {
      budget.take(size);
    }
    written.onComplete(done -> {
      queuedBytes -= size;
      if (shared == null || shared.paid()) {
        budget.give(size);
      }
      if (queuedBytes == 0 || queuedBytes <= hub.limits().sendQueueBytes() / 2 && !budget.over()) {
        overSince = -1;
      }
      if (queuedBytes <= hub.limits().sendQueueBytes() / 2) {
        resumeWaiters();
      }
    });
    if (overSince < 0 && sendQueueFull()) {
      overSince = System.currentTimeMillis();
    }
  }

  /**
   * The socket writes straight to its channel (DirectWrites), which is safe on its event loop
   * only; like Vert.x's strict thread mode for HTTP responses, a write from elsewhere is refused.
   */
  private void checkOnLoop() {
    if (!loop.inEventLoop()) {
      throw new IllegalStateException("WebSocket " + id + " written off its event loop");
    }
  }

  /**
   * Whether this connection should take no more live frames for now: its own queue is over
   * {@code ws-send-queue-bytes}, or the hub's {@link SendBudget} is over and this connection
   * still holds something. Either way its subscriptions wait for the queue to drain (a write of
   * its own is pending, so one will complete and wake them) and catch up from Postgres. A
   * connection with nothing queued always takes the next live frame, which the budget counts
   * once for all: it is the slow ones that give way.
   */
  boolean sendQueueFull() {
    return queuedBytes > hub.limits().sendQueueBytes() || queuedBytes > 0 && hub.sendBudget().over();
  }

  /**
   * Takes room in the hub's budget for a catch-up page about to be read for {@code subscription};
   * when there is none, returns false and resumes it once there may be.
   */
  boolean reservePage(Subscription subscription) {
    return hub.sendBudget().reserve(hub.pageBytes(), () -> context.runOnContext(v -> subscription.resume()));
  }

  /** Gives back what {@link #reservePage} took, once the page was sent (and counted as written). */
  void releasePage() {
    hub.sendBudget().give(hub.pageBytes());
  }

  void whenDrained(Subscription subscription) {
    drainWaiters.add(subscription);
  }

  private void resumeWaiters() {
    if (drainWaiters.isEmpty()) {
      return;
    }
    List<Subscription> ready = new ArrayList<>(drainWaiters);
    drainWaiters.clear();
    ready.forEach(Subscription::resume);
  }

  private void sendError(JsonNode re, TandemError error) {
    send(Frames.error(re, error));
  }

  void subscriptionFailed(Subscription subscription, Throwable failure) {
    TandemError error = Responses.classify(failure);
    send(Frames.streamEnded(error.status() == 404 || error.status() == 410 ? "stream.deleted" : "stream.error",
        subscription.path(), -1));
    subscription.cancel();
    forget(subscription);
  }

  void forget(Subscription subscription) {
    subscriptions.remove(subscription.path(), subscription);
    drainWaiters.remove(subscription);
  }

  // ---- heartbeats, idleness, slow consumers --------------------------------------------

  private void heard() {
    lastHeard = System.currentTimeMillis();
  }

  private long lastPing;

  private void tick() {
    if (closed) {
      return;
    }
    long now = System.currentTimeMillis();
    if (overSince >= 0 && !sendQueueFull()) {
      overSince = -1; // the hub's budget came back while this queue stood still
    }
    if (overSince >= 0 && now - overSince > hub.limits().slowConsumerGraceMs()) {
      hub.slowConsumerDisconnected();
      socket.close(CLOSE_RESUME, "too slow: reconnect and resume from your last offset");
      return;
    }
    if (now - lastHeard > hub.limits().idleTimeoutMs()) {
      socket.close(CLOSE_IDLE, "idle timeout");
      return;
    }
    if (now - lastPing >= hub.limits().heartbeatMs()) {
      lastPing = now;
      socket.writePing(Buffer.buffer("hb"));
    }
  }

  private void onClose() {
    closed = true;
    if (permit != null) {
      permit.release();
    }
    hub.vertx().cancelTimer(timer);
    subscriptions.values().forEach(s -> {
      if (s != null) {
        s.cancel();
      }
    });
    subscriptions.clear();
    drainWaiters.clear();
    presence.forEach(this::leave);
    presence.clear();
    hub.closed(this);
  }

  void closeForShutdown() {
    socket.close((short) 1001, "the hub is shutting down: reconnect and resume");
  }

  // ---- helpers ---------------------------------------------------------------------------

  private static String text(JsonNode frame, String field, boolean required) {
    JsonNode value = frame.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw invalid("missing field '" + field + "'");
      }
      return null;
    }
    if (!value.isTextual()) {
      throw invalid("field '" + field + "' must be a string");
    }
    return value.asText();
  }

  private static TandemError invalid(String message) {
    return TandemError.badRequest("invalid_frame", message);
  }
}
