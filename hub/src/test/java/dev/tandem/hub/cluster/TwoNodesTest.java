package dev.tandem.hub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Role;
import dev.tandem.governance.access.Scope;
import dev.tandem.hub.Eventually;
import dev.tandem.hub.TestHub;
import dev.tandem.hub.TwoHubs;
import dev.tandem.hub.stream.Offsets;
import dev.tandem.hub.ws.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two hub nodes, each with its own Vert.x, on one Postgres: what happens on one is seen on the other. */
@ExtendWith(VertxExtension.class)
class TwoNodesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static TwoHubs hubs;
  private static Vertx vertxA;
  private static Vertx vertxB;
  private static TestHub a;
  private static TestHub b;

  @BeforeAll
  static void start() throws Exception {
    hubs = TwoHubs.start("cluster-tail-check-ms", "500", "cluster-presence-timeout-ms", "1500");
    vertxA = hubs.vertxA;
    vertxB = hubs.vertxB;
    a = hubs.a;
    b = hubs.b;
  }

  @AfterAll
  static void stop() throws Exception {
    hubs.close();
  }

  private static void appendBatch(TestHub node, String stream, int from, int count) throws Exception {
    StringBuilder body = new StringBuilder("[");
    for (int i = from; i < from + count; i++) {
      body.append(i > from ? "," : "").append("{\"type\":\"tick\",\"i\":").append(i).append('}');
    }
    HttpResponse<String> response = node.post(stream, "application/json", body.append(']').toString());
    assertEquals(204, response.statusCode(), response.body());
  }

  private static long streamId(String path) throws Exception {
    return a.hub().database().pool().preparedQuery("SELECT id FROM streams WHERE path = $1")
        .execute(io.vertx.sqlclient.Tuple.of(path)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .iterator().next().getLong(0);
  }

  /** Joins the stream's presence (or updates it) with {@code {"step": step}}. */
  private static void setStep(WsTestClient client, String stream, String step) {
    ObjectNode presence = WsTestClient.JSON.createObjectNode().put("type", "presence").put("stream", stream);
    presence.putObject("state").put("step", step);
    client.request(presence);
  }

  /** A presence message on the cluster channel, as if hub node {@code node} had sent it. */
  private static void announcePresence(String node, ObjectNode message) throws Exception {
    a.hub().database().pool().preparedQuery("SELECT pg_notify('tandem_presence', $1)")
        .execute(io.vertx.sqlclient.Tuple.of(node + "|" + node + "|" + message)).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  /** Reads events from a subscription until {@code count} have arrived; returns their data. */
  private static List<JsonNode> receive(WsTestClient client, int count) throws Exception {
    List<JsonNode> seen = new ArrayList<>();
    while (seen.size() < count) {
      JsonNode frame = client.skipTo("events");
      for (JsonNode event : frame.get("events")) {
        assertEquals(Offsets.format(seen.size()), event.get("offset").asText(), "contiguous, no duplicates");
        seen.add(event.get("data"));
      }
    }
    return seen;
  }

  @Test
  void anAppendOnOneNodeReachesASubscriberOnTheOther() throws Exception {
    String stream = "cluster/simple";
    a.put(stream, "application/json");
    try (WsTestClient onB = WsTestClient.hello(vertxB, b, "reader-b", "human")) {
      onB.subscribe(stream, "beginning");
      appendBatch(a, stream, 0, 3);
      List<JsonNode> seen = receive(onB, 3);
      assertEquals(2, seen.get(2).get("i").asInt());
    }
  }

  @Test
  void writersOnBothNodesGetContiguousOffsetsAndBothNodesDeliverTheSameSequence() throws Exception {
    String stream = "cluster/busy";
    a.put(stream, "application/json");
    int writers = 4;
    int batches = 125;
    int perBatch = 100;
    int total = writers * batches * perBatch;
    try (WsTestClient onA = WsTestClient.hello(vertxA, a, "reader-a", "human");
         WsTestClient onB = WsTestClient.hello(vertxB, b, "reader-b", "human")) {
      onA.subscribe(stream, "beginning");
      onB.subscribe(stream, "beginning");
      List<CompletableFuture<Void>> running = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        running.add(CompletableFuture.runAsync(() -> {
          try {
            for (int n = 0; n < batches; n++) {
              appendBatch(n % 2 == 0 ? a : b, stream, (writer * batches + n) * perBatch, perBatch);
            }
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        }));
      }
      for (CompletableFuture<Void> writer : running) {
        writer.get(180, TimeUnit.SECONDS);
      }
      List<JsonNode> seenOnA = receive(onA, total);
      List<JsonNode> seenOnB = receive(onB, total);
      assertEquals(seenOnA, seenOnB, "both nodes deliver the identical sequence");
      JsonNode head = JSON.readTree(a.send(HttpRequest.newBuilder(URI.create(a.streamUrl(stream)))
          .method("HEAD", BodyPublishers.noBody())).headers().firstValue("Stream-Next-Offset").map(o -> "\"" + o + "\"").orElseThrow());
      assertEquals(Offsets.format(total), head.asText());
    }
  }

  @Test
  void killingTheListenerConnectionsLosesNothing() throws Exception {
    String stream = "cluster/listener-killed";
    a.put(stream, "application/json");
    try (WsTestClient onB = WsTestClient.hello(vertxB, b, "reader-b", "human")) {
      onB.subscribe(stream, "beginning");
      appendBatch(a, stream, 0, 10);
      receive(onB, 10);
      long killedAt = System.currentTimeMillis();
      a.hub().database().pool().query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
          + "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()").execute()
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      appendBatch(a, stream, 10, 10); // hints sent while B's listener is down are lost
      List<JsonNode> all = new ArrayList<>();
      while (all.size() < 10) {
        for (JsonNode event : onB.skipTo("events").get("events")) {
          all.add(event.get("data"));
        }
      }
      assertEquals(10, all.get(0).get("i").asInt());
      assertEquals(19, all.get(9).get("i").asInt());
      // Both listeners hear again, hints other than streams' included: each hears its own ping.
      Eventually.await(() -> a.hub().cluster().pingHeardAt() > killedAt && b.hub().cluster().pingHeardAt() > killedAt,
          20_000, "both listeners hear again after the kill");
    }
  }

  @Test
  void presenceAndApprovalDecisionsCrossNodes() throws Exception {
    String stream = "cluster/shared";
    a.put(stream, "application/json");
    try (WsTestClient watcherOnB = WsTestClient.hello(vertxB, b, "watcher", "human");
         WsTestClient botOnA = WsTestClient.hello(vertxA, a, "bot", "human")) {
      watcherOnB.subscribe(stream, "now");
      watcherOnB.skipTo("presence"); // the (empty) snapshot
      setStep(botOnA, stream, "planning");
      assertEquals("bot", watcherOnB.skipTo("presence").get("joined").get(0).get("participant").asText());
    }

    a.send(HttpRequest.newBuilder(URI.create(a.baseUrl() + "/v1/policies/" + stream))
        .PUT(BodyPublishers.ofString("{\"gates\":[{\"name\":\"pay\",\"match\":{\"type\":\"payment\"}}]}")));
    String agent = a.token("agent", Set.of(Role.AGENT), new Scope("cluster", EnumSet.of(Action.READ, Action.APPEND)));
    String manager = b.token("mia", Set.of(Role.MANAGER), new Scope("cluster", EnumSet.of(Action.READ, Action.APPROVE)));
    String pendingOnA = a.baseUrl() + "/v1/approvals?state=pending&stream=" + stream;
    String emptyTag = a.sendRaw(HttpRequest.newBuilder(URI.create(pendingOnA)).header("Authorization", "Bearer " + manager)
        .GET()).headers().firstValue("ETag").orElseThrow();
    CompletableFuture<HttpResponse<String>> listOnA = a.http.sendAsync(HttpRequest.newBuilder(
        URI.create(pendingOnA + "&wait=60s")).header("Authorization", "Bearer " + manager)
        .header("If-None-Match", emptyTag).GET().build(), HttpResponse.BodyHandlers.ofString());
    Eventually.await(() -> a.hub().limits().openConnections("subject:mia") == 1, 10_000, "the list long-poll waits on A");
    HttpResponse<String> held = b.sendRaw(HttpRequest.newBuilder(URI.create(b.streamUrl(stream)))
        .header("Authorization", "Bearer " + agent).header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString("{\"type\":\"payment\"}")));
    assertEquals(202, held.statusCode(), "the policy set on A holds an append on B: " + held.body());
    String id = JSON.readTree(held.body()).get("approval").get("id").asText();
    HttpResponse<String> listed = listOnA.get(30, TimeUnit.SECONDS);
    assertEquals(200, listed.statusCode(), "a request made on B answers a list long-poll on A");
    assertEquals(id, JSON.readTree(listed.body()).get("approvals").get(0).get("id").asText());
    CompletableFuture<HttpResponse<String>> waitingOnA = a.http.sendAsync(HttpRequest.newBuilder(
        URI.create(a.baseUrl() + "/v1/approvals/" + id + "?wait=60s")).header("Authorization", "Bearer " + a.adminToken())
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, b.sendRaw(HttpRequest.newBuilder(URI.create(b.baseUrl() + "/v1/approvals/" + id + "/approve"))
        .header("Authorization", "Bearer " + manager).POST(BodyPublishers.noBody())).statusCode());
    JsonNode decided = JSON.readTree(waitingOnA.get(30, TimeUnit.SECONDS).body());
    assertEquals("approved", decided.get("state").asText(), "the waiter on A wakes when B decides");
  }

  @Test
  void anInboxWaitingOnOneNodeIsAnsweredByAnAppendAndAnAckOnTheOther() throws Exception {
    String stream = "cluster/inbox";
    a.put(stream, "application/json");
    String token = a.participantToken("ines", Role.HUMAN);
    String cursorOnB = b.baseUrl() + "/v1/cursors/" + stream;
    assertEquals(200, b.sendRaw(HttpRequest.newBuilder(URI.create(cursorOnB)).header("Authorization", "Bearer " + token)
        .PUT(BodyPublishers.ofString("{\"offset\": \"" + Offsets.format(0) + "\"}"))).statusCode());
    String inboxOnA = a.baseUrl() + "/v1/inbox";
    String tag = a.sendRaw(HttpRequest.newBuilder(URI.create(inboxOnA)).header("Authorization", "Bearer " + token).GET())
        .headers().firstValue("ETag").orElseThrow();

    CompletableFuture<HttpResponse<String>> waiting = inboxChange(inboxOnA, token, tag);
    Eventually.await(() -> a.hub().limits().openConnections("subject:ines") == 1, 10_000, "the inbox long-poll waits on A");
    appendBatch(b, stream, 0, 2);
    HttpResponse<String> moved = waiting.get(30, TimeUnit.SECONDS);
    assertEquals(200, moved.statusCode(), "an append on B answers an inbox waiting on A");
    assertEquals(2, JSON.readTree(moved.body()).get("streams").get(0).get("unread").asInt());

    waiting = inboxChange(inboxOnA, token, moved.headers().firstValue("ETag").orElseThrow());
    Eventually.await(() -> a.hub().limits().openConnections("subject:ines") == 1, 10_000, "the inbox long-poll waits on A");
    assertEquals(200, b.sendRaw(HttpRequest.newBuilder(URI.create(cursorOnB)).header("Authorization", "Bearer " + token)
        .PUT(BodyPublishers.ofString("{\"offset\": \"" + Offsets.format(2) + "\"}"))).statusCode());
    HttpResponse<String> read = waiting.get(30, TimeUnit.SECONDS);
    assertEquals(200, read.statusCode(), "an ack on B answers an inbox waiting on A");
    assertEquals(0, JSON.readTree(read.body()).get("streams").get(0).get("unread").asInt());
  }

  @Test
  void aTreeWaitingOnOneNodeIsAnsweredByAForkMadeOnTheOther() throws Exception {
    String source = "cluster/forked";
    a.put(source, "application/json");
    appendBatch(a, source, 0, 2);
    String admin = a.adminToken();
    String treeOnA = a.baseUrl() + "/v1/tree/" + source;
    String tag = a.sendRaw(HttpRequest.newBuilder(URI.create(treeOnA)).header("Authorization", "Bearer " + admin).GET())
        .headers().firstValue("ETag").orElseThrow();

    CompletableFuture<HttpResponse<String>> waiting = a.http.sendAsync(HttpRequest.newBuilder(URI.create(treeOnA + "?wait=60s"))
        .header("Authorization", "Bearer " + admin).header("If-None-Match", tag).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    Eventually.await(() -> a.hub().limits().openConnections("subject:test-admin") == 1, 10_000, "the tree long-poll waits on A");
    assertEquals(201, b.send(HttpRequest.newBuilder(URI.create(b.streamUrl(source + "/forks/b")))
        .header("Content-Type", "application/json").header("Stream-Forked-From", source)
        .header("Stream-Fork-Offset", Offsets.format(1)).PUT(BodyPublishers.noBody())).statusCode());
    HttpResponse<String> forked = waiting.get(30, TimeUnit.SECONDS);
    assertEquals(200, forked.statusCode(), "a fork on B answers a tree waiting on A");
    assertEquals(source + "/forks/b", JSON.readTree(forked.body()).get("forks").get(0).get("stream").asText());
  }

  private static CompletableFuture<HttpResponse<String>> inboxChange(String url, String token, String etag) {
    return a.http.sendAsync(HttpRequest.newBuilder(URI.create(url + "?wait=60s")).header("Authorization", "Bearer " + token)
        .header("If-None-Match", etag).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void thePresenceOfANodeThatFallsSilentIsDropped() throws Exception {
    String stream = "cluster/ghost";
    a.put(stream, "application/json");
    long streamId = streamId(stream);
    try (WsTestClient watcherOnB = WsTestClient.hello(vertxB, b, "watcher-2", "human")) {
      watcherOnB.subscribe(stream, "now");
      watcherOnB.skipTo("presence"); // the (empty) snapshot
      // A node announces a participant, then dies: no "left", no heartbeat, nothing more.
      ObjectNode set = JSON.createObjectNode().put("op", "set").put("stream", streamId).put("path", stream)
          .put("connection", "c-1").put("participant", "ghost").put("kind", "agent");
      set.putObject("state");
      announcePresence("dead0000", set);
      JsonNode joined = watcherOnB.skipTo("presence");
      assertEquals("ghost", joined.path("joined").path(0).path("participant").asText(), joined.toString());
      JsonNode left = watcherOnB.skipTo("presence");
      assertEquals("ghost", left.get("left").get(0).asText(), "dropped once its node has been silent for the timeout");
    }
  }

  @Test
  void aPresenceChangeLostInTransitIsRepairedByTheHeartbeats() throws Exception {
    String stream = "cluster/lost-presence";
    a.put(stream, "application/json");
    long streamId = streamId(stream);
    try (WsTestClient watcherOnB = WsTestClient.hello(vertxB, b, "watcher-3", "human");
         WsTestClient botOnA = WsTestClient.hello(vertxA, a, "bot-3", "agent")) {
      watcherOnB.subscribe(stream, "now");
      watcherOnB.skipTo("presence"); // the (empty) snapshot
      setStep(botOnA, stream, "working");
      assertEquals("bot-3", watcherOnB.skipTo("presence").get("joined").get(0).get("participant").asText());

      // B comes to believe the bot left: as if it had missed A's later changes. A still has it.
      String nodeA = a.hub().cluster().nodeId();
      ObjectNode leave = JSON.createObjectNode().put("op", "leave").put("stream", streamId).put("path", stream)
          .put("connection", botOnA.welcome.get("connection").asText()).put("participant", "bot-3");
      announcePresence(nodeA, leave);
      assertEquals("bot-3", watcherOnB.skipTo("presence").get("left").get(0).asText());

      // A's heartbeats say what it has announced; B sees they disagree, asks, and takes A's snapshot.
      JsonNode back = watcherOnB.skipTo("presence");
      assertEquals("bot-3", back.path("joined").path(0).path("participant").asText(), back.toString());
      assertEquals("working", back.path("joined").path(0).path("state").path("step").asText());
    }
  }

  @Test
  void aListenerThatHearsNothingIsReconnected() throws Exception {
    PgConnection listener = b.hub().cluster().listenerConnection();
    // Connected, but deaf: what a listener whose backend died unnoticed amounts to.
    listener.query("UNLISTEN *").execute().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    long deafSince = System.currentTimeMillis();
    Eventually.await(() -> b.hub().cluster().listenerConnection() != listener
            && b.hub().cluster().pingHeardAt() > deafSince, 20_000,
        "B notices its listener hears nothing, reconnects it and hears itself again");
  }
}
