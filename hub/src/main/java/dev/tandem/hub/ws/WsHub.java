package dev.tandem.hub.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.access.Principal;
import dev.tandem.hub.approval.ApprovalService;
import dev.tandem.hub.auth.Authenticator;
import dev.tandem.hub.cluster.Cluster;
import dev.tandem.hub.config.HubConfig;
import dev.tandem.hub.cursor.CursorStore;
import dev.tandem.hub.http.Responses;
import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.limits.CallerLimits;
import dev.tandem.hub.limits.OpenConnections;
import dev.tandem.hub.presence.PresenceRegistry;
import dev.tandem.hub.presence.RemotePresence;
import dev.tandem.hub.stream.CommittedBatch;
import dev.tandem.hub.stream.GroupCommitter;
import dev.tandem.hub.stream.StreamReader;
import dev.tandem.hub.stream.StreamStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket endpoint {@code /v1/ws} and what its connections share: the stores, the
 * fan-out, presence and the limits. See docs/websocket.md for the protocol.
 */
public final class WsHub {

  public static final String PATH = "/v1/ws";
  /**
   * Most characters of announcements in one snapshot part. The part travels as one JSON string,
   * whose escaping at most doubles it, so a hint stays under Postgres's 8,000 bytes.
   */
  private static final int SNAPSHOT_PART_CHARS = 3000;
  /** Largest presence state, in UTF-8 bytes: a presence change must fit one hint, snapshots included. */
  static final int MAX_PRESENCE_STATE_BYTES = 1024;
  private static final Logger LOG = LoggerFactory.getLogger(WsHub.class);

  /**
   * Per-connection limits, from the {@code ws-*} settings, and {@code sendQueueTotalBytes}, the
   * bound on the send queues of all connections together.
   */
  public record Limits(int maxFrameBytes, int maxSubscriptions, int maxMessagesPerSecond,
                       long sendQueueBytes, long sendQueueTotalBytes, long slowConsumerGraceMs, long heartbeatMs,
                       long idleTimeoutMs, long fanoutIntervalMs, int fanoutMaxLoopPercent) {
    /**
     * The largest frame either side sends or accepts: 4x {@code ws-max-frame-bytes}, so an
     * oversized request frame is answered with {@code frame_too_large} instead of a dropped
     * connection. Longer messages the hub sends are split into frames of this size.
     */
    public static int transportFrameBytes(int maxFrameBytes) {
      return 4 * Math.max(65536, maxFrameBytes);
    }

    public static Limits from(HubConfig config) {
      return new Limits(config.wsMaxFrameBytes(), config.wsMaxSubscriptions(), config.wsMaxMessagesPerSecond(),
          config.wsSendQueueBytes(), config.wsSendQueueTotalBytes(), config.wsSlowConsumerGraceMs(),
          config.wsHeartbeatMs(), config.wsIdleTimeoutMs(), config.wsFanoutIntervalMs(), config.wsFanoutMaxLoopPercent());
    }
  }

  private final Vertx vertx;
  private final Authenticator authenticator;
  private final ApprovalService approvals;
  private final StreamStore store;
  private final StreamReader reader;
  private final GroupCommitter committer;
  private final CursorStore cursors;
  private final PresenceRegistry presence;
  private final RemotePresence remote = new RemotePresence();
  private final Limits limits;
  private final CallerLimits callers;
  private final FanOut fanOut;
  private final Set<WsConnection> connections = ConcurrentHashMap.newKeySet();
  /** What this node announced and has not taken back, by {@code streamId:connection}: for heartbeats and snapshots. */
  private final Map<String, String> announced = new ConcurrentHashMap<>();
  private String nodeId = "";
  private java.util.function.Consumer<String> presenceBroadcast = change -> { };
  private final java.util.concurrent.atomic.AtomicLong slowConsumerDisconnects = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong slowConsumerSwitches = new java.util.concurrent.atomic.AtomicLong();
  private final SendBudget sendBudget;

  public WsHub(Vertx vertx, Authenticator authenticator, StreamStore store, StreamReader reader,
               GroupCommitter committer, ApprovalService approvals, CursorStore cursors,
               PresenceRegistry presence, Limits limits, CallerLimits callers) {
    this.vertx = vertx;
    this.callers = callers;
    this.approvals = approvals;
    this.authenticator = authenticator;
    this.store = store;
    this.reader = reader;
    this.committer = committer;
    this.cursors = cursors;
    this.presence = presence;
    this.limits = limits;
    this.sendBudget = new SendBudget(limits.sendQueueTotalBytes());
    this.fanOut = new FanOut(limits.fanoutIntervalMs(), limits.fanoutMaxLoopPercent());
  }

  /**
   * Upgrades {@code GET /v1/ws} to a WebSocket connection. {@code principal} is the caller when
   * the upgrade request carried a token; otherwise the {@code hello} frame must carry one.
   * A caller known at the upgrade is counted against its connection limit there, so a refusal
   * is a plain {@code 429}; one known only at {@code hello} is counted then.
   */
  public void handle(HttpServerRequest request, Principal principal) {
    OpenConnections.Permit permit;
    try {
      permit = principal == null ? null : callers.openConnection(callers.caller(principal, request.remoteAddress()));
    } catch (TandemError refused) {
      Responses.error(request, refused);
      return;
    }
    request.toWebSocket().onSuccess(socket -> {
      DirectWrites.install(socket);
      WsConnection connection = new WsConnection(this, socket, Flushes.install(request.connection()),
          vertx.getOrCreateContext(), principal, permit);
      connections.add(connection);
      connection.start(vertx);
    }).onFailure(failure -> {
      if (permit != null) {
        permit.release();
      }
      Responses.error(request, failure);
    });
  }

  /** A batch committed: deliver it to live subscribers. */
  public void committed(CommittedBatch batch) {
    fanOut.committed(batch);
  }

  /** A stream was deleted: end its subscriptions. */
  public void deleted(long streamId) {
    fanOut.deleted(streamId);
  }

  /** Streams with live subscribers on this node. */
  public Set<Long> subscribedStreams() {
    return fanOut.streamIds();
  }

  /** Joins or updates presence, here and (through {@code broadcast}) on the other nodes. */
  void presenceSet(long streamId, String path, String connection, String participant, String kind,
                   JsonNode state) {
    PresenceRegistry.Diff diff = presence.set(streamId, connection, participant, kind, state);
    if (diff != null) {
      fanOut.presence(path, diff);
    }
    ObjectNode change = Frames.JSON.createObjectNode().put("op", "set").put("stream", streamId).put("path", path)
        .put("connection", connection).put("participant", participant).put("kind", kind);
    change.set("state", state);
    String announcement = change.toString();
    announced.put(streamId + ":" + connection, announcement);
    presenceBroadcast.accept(announcement);
  }

  void presenceLeave(long streamId, String path, String connection, String participant) {
    PresenceRegistry.Diff diff = presence.leave(streamId, connection, participant);
    if (diff != null) {
      fanOut.presence(path, diff);
    }
    announced.remove(streamId + ":" + connection);
    presenceBroadcast.accept(Frames.JSON.createObjectNode().put("op", "leave").put("stream", streamId)
        .put("path", path).put("connection", connection).put("participant", participant).toString());
  }

  /**
   * Says this node is alive, with a digest of the presence it has announced: a node whose view
   * of it disagrees (a change lost in transit) asks for a snapshot. Sent while the node has
   * connections; one that stops is dropped by the others after the timeout.
   */
  public void heartbeat() {
    presenceBroadcast.accept(Frames.JSON.createObjectNode().put("op", "alive")
        .put("digest", RemotePresence.digest(announced.values())).toString());
  }

  /** Everything this node has announced, again, in parts that each fit one hint. */
  private void sendSnapshot() {
    List<String> parts = Cluster.pack(announced.values(), "\n", SNAPSHOT_PART_CHARS);
    String id = UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < parts.size(); i++) {
      presenceBroadcast.accept(Frames.JSON.createObjectNode().put("op", "snapshot").put("id", id).put("part", i)
          .put("parts", parts.size()).put("changes", parts.get(i)).toString());
    }
  }

  /**
   * Applies a presence message from another node ({@code node} names it): a change, a
   * heartbeat, a request for this node's snapshot, or a snapshot of the other's.
   */
  public void remotePresence(String node, String message) {
    remote.heard(node, System.currentTimeMillis());
    JsonNode c;
    try {
      c = Frames.JSON.readTree(message);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable presence message from node " + node, e);
    }
    switch (c.path("op").asText()) {
      case "alive" -> {
        if (c.has("digest") && remote.disagrees(node, c.get("digest").asText())) {
          LOG.info("presence announced by hub node {} differs from what this node heard; asking it again", node);
          presenceBroadcast.accept(Frames.JSON.createObjectNode().put("op", "resync").put("node", node).toString());
        }
      }
      case "resync" -> {
        if (c.path("node").asText().equals(nodeId)) {
          sendSnapshot();
        }
      }
      case "snapshot" -> {
        List<String> changes = remote.snapshotPart(node, c.path("id").asText(), c.path("part").asInt(),
            c.path("parts").asInt(), c.path("changes").asText());
        if (changes != null) {
          replaceRemote(node, changes);
        }
      }
      case "set", "leave" -> applyRemote(node, c, message);
      default -> LOG.debug("presence message of unknown kind from node {}: {}", node, message);
    }
  }

  private void applyRemote(String node, JsonNode c, String message) {
    String connection = "node-" + node + ":" + c.get("connection").asText();
    long streamId = c.get("stream").asLong();
    String path = c.get("path").asText();
    String participant = c.get("participant").asText();
    PresenceRegistry.Diff diff;
    if (c.get("op").asText().equals("set")) {
      diff = presence.set(streamId, connection, participant, c.get("kind").asText(), c.get("state"));
      remote.set(node, new RemotePresence.Entry(streamId, path, connection, participant, message));
    } else {
      diff = presence.leave(streamId, connection, participant);
      remote.left(node, connection, streamId);
    }
    if (diff != null) {
      fanOut.presence(path, diff);
    }
  }

  /** Makes {@code node}'s presence here what its snapshot says: missed joins join, missed leaves leave. */
  private void replaceRemote(String node, List<String> changes) {
    Map<String, JsonNode> fresh = new HashMap<>();
    List<RemotePresence.Entry> entries = new ArrayList<>();
    for (String change : changes) {
      try {
        JsonNode c = Frames.JSON.readTree(change);
        String connection = "node-" + node + ":" + c.get("connection").asText();
        fresh.put(c.get("stream").asLong() + ":" + connection, c);
        entries.add(new RemotePresence.Entry(c.get("stream").asLong(), c.get("path").asText(), connection,
            c.get("participant").asText(), change));
      } catch (java.io.IOException e) {
        throw new IllegalStateException("unreadable presence snapshot from node " + node, e);
      }
    }
    for (RemotePresence.Entry gone : remote.replace(node, entries)) {
      if (!fresh.containsKey(gone.streamId() + ":" + gone.connection())) {
        PresenceRegistry.Diff diff = presence.leave(gone.streamId(), gone.connection(), gone.participant());
        if (diff != null) {
          fanOut.presence(gone.path(), diff);
        }
      }
    }
    for (RemotePresence.Entry entry : entries) {
      JsonNode c = fresh.get(entry.streamId() + ":" + entry.connection());
      PresenceRegistry.Diff diff = presence.set(entry.streamId(), entry.connection(), entry.participant(),
          c.get("kind").asText(), c.get("state"));
      if (diff != null) {
        fanOut.presence(entry.path(), diff);
      }
    }
  }

  /**
   * Drops the presence of nodes silent for {@code timeoutMs} (crashed, or cut off from
   * Postgres): their participants leave, as they would have had the node closed.
   */
  public void expireSilentNodes(long timeoutMs) {
    List<RemotePresence.Entry> gone = remote.expire(System.currentTimeMillis() - timeoutMs);
    if (!gone.isEmpty()) {
      LOG.info("{} presence entries of silent hub nodes dropped (no word from them for {} ms)", gone.size(), timeoutMs);
    }
    for (RemotePresence.Entry entry : gone) {
      PresenceRegistry.Diff diff = presence.leave(entry.streamId(), entry.connection(), entry.participant());
      if (diff != null) {
        fanOut.presence(entry.path(), diff);
      }
    }
  }

  /** Presence crosses nodes through {@code broadcast}; this node is {@code nodeId} there. */
  public void clusterPresence(String nodeId, java.util.function.Consumer<String> broadcast) {
    this.nodeId = nodeId;
    this.presenceBroadcast = broadcast;
  }

  public int connectionCount() {
    return connections.size();
  }

  public int subscriberCount() {
    return fanOut.subscriberCount();
  }

  /**
   * Bytes written to WebSocket connections and not yet taken by their sockets, all together (a
   * fan-out frame once however many owe it), with the catch-up pages being read.
   */
  public long queuedBytes() {
    return sendBudget.used();
  }

  SendBudget sendBudget() {
    return sendBudget;
  }

  /** The most a catch-up page holds: what one reserves in the {@link SendBudget}. */
  long pageBytes() {
    return reader.chunkBytes();
  }

  /** Connections closed because they stayed over their send-queue bound too long. */
  public long slowConsumerDisconnects() {
    return slowConsumerDisconnects.get();
  }

  void slowConsumerDisconnected() {
    slowConsumerDisconnects.incrementAndGet();
  }

  /** Live subscriptions moved to catch-up reads because their connection's send queue was full. */
  public long slowConsumerSwitches() {
    return slowConsumerSwitches.get();
  }

  void slowConsumerSwitched() {
    slowConsumerSwitches.incrementAndGet();
  }

  /** Closes every connection with 1001 so clients reconnect elsewhere and resume. */
  public void shutdown() {
    connections.forEach(c -> c.context().runOnContext(v -> c.closeForShutdown()));
  }

  void closed(WsConnection connection) {
    connections.remove(connection);
  }

  Vertx vertx() {
    return vertx;
  }

  Authenticator authenticator() {
    return authenticator;
  }

  ApprovalService approvals() {
    return approvals;
  }

  StreamStore store() {
    return store;
  }

  StreamReader reader() {
    return reader;
  }

  GroupCommitter committer() {
    return committer;
  }

  CursorStore cursors() {
    return cursors;
  }

  PresenceRegistry presence() {
    return presence;
  }

  FanOut fanOut() {
    return fanOut;
  }

  Limits limits() {
    return limits;
  }

  CallerLimits callers() {
    return callers;
  }
}
