package dev.tandem.hub.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.access.Role;
import dev.tandem.hub.Eventually;
import dev.tandem.hub.TestHub;
import dev.tandem.hub.stream.Offsets;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The WebSocket hub against a real hub on embedded Postgres, with real sockets. */
@ExtendWith(VertxExtension.class)
class WebSocketHubTest {

  private static TestHub hub;
  private static Vertx vertx;

  @BeforeAll
  static void start(Vertx v) throws Exception {
    vertx = v;
    hub = TestHub.start(v);
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
  }

  private static int port() {
    return hub.hub().port();
  }

  /** Appends {@code count} events {"i": from..} in batches of {@code batch} over HTTP. */
  private static void appendEvents(String stream, int from, int count, int batch) throws Exception {
    for (int start = from; start < from + count; start += batch) {
      StringBuilder body = new StringBuilder("[");
      for (int i = start; i < Math.min(start + batch, from + count); i++) {
        body.append(i > start ? "," : "").append("{\"type\":\"tick\",\"i\":").append(i).append('}');
      }
      HttpResponse<String> response = hub.post(stream, "application/json", body.append(']').toString());
      assertEquals(204, response.statusCode(), response.body());
    }
  }

  /**
   * Appends {@code total} padded events in requests of 500, reading each request's events with
   * {@code reader} before the next; returns the most the hub's send queues held meanwhile.
   */
  private static long appendWhileReading(TestHub on, String stream, WsTestClient reader, int total) throws Exception {
    long maxQueued = 0;
    int seen = 0;
    for (int start = 0; start < total; start += 500) {
      appendPadded(on, stream, start, 500, "x".repeat(60));
      while (seen < start + 500) {
        for (JsonNode event : reader.skipTo("events").get("events")) {
          assertEquals(seen++, event.get("data").get("i").asInt(), "the reader gets every event, in order");
        }
        maxQueued = Math.max(maxQueued, on.hub().ws().queuedBytes());
      }
    }
    return maxQueued;
  }

  /** Appends {"type": "tick", "i": from.., "pad": pad} events to {@code on} in one request. */
  private static void appendPadded(TestHub on, String stream, int from, int count, String pad) throws Exception {
    StringBuilder body = new StringBuilder("[");
    for (int i = from; i < from + count; i++) {
      body.append(i > from ? "," : "").append("{\"type\":\"tick\",\"i\":").append(i).append(",\"pad\":\"")
          .append(pad).append("\"}");
    }
    HttpResponse<String> response = on.post(stream, "application/json", body.append(']').toString());
    assertEquals(204, response.statusCode(), response.body());
  }

  @Test
  void catchUpThenLiveDeliversEveryEventOnceInOrderAcrossRandomReconnects() throws Exception {
    String stream = "ws/reconnects";
    hub.put(stream, "application/json");
    int total = 100_000;
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try {
        appendEvents(stream, 0, total, 250);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    Random random = new Random(42);
    int received = 0;
    String from = "beginning";
    int reconnects = 0;
    while (received < total) {
      try (WsTestClient client = WsTestClient.hello(vertx, hub, "reader", "agent")) {
        client.subscribe(stream, from);
        int stopAt = reconnects < 25 ? received + 1 + random.nextInt(total / 20) : Integer.MAX_VALUE;
        while (received < Math.min(stopAt, total)) {
          JsonNode frame = client.next();
          if (!frame.path("type").asText().equals("events")) {
            continue;
          }
          for (JsonNode event : frame.get("events")) {
            assertEquals(Offsets.format(received), event.get("offset").asText(), "offsets are contiguous");
            assertEquals(received, event.get("data").get("i").asInt(), "no gap, no duplicate");
            received++;
          }
          from = frame.get("next").asText();
          assertEquals(Offsets.format(received), from);
        }
      }
      reconnects++;
    }
    writer.get(120, TimeUnit.SECONDS);
    assertEquals(total, received);
    assertTrue(reconnects >= 20, "reconnected " + reconnects + " times");
  }

  @Test
  void aThousandSubscribersEachReceiveEveryEventInOrder() throws Exception {
    String stream = "ws/thousand";
    hub.put(stream, "application/json");
    int subscribers = 1000;
    int events = 200;
    List<WsTestClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < subscribers; i++) {
        WsTestClient client = WsTestClient.hello(vertx, hub, "watcher-" + i, "human");
        client.subscribe(stream, "now");
        clients.add(client);
      }
      appendEvents(stream, 0, events, 10);
      for (WsTestClient client : clients) {
        int seen = 0;
        while (seen < events) {
          JsonNode frame = client.skipTo("events");
          for (JsonNode event : frame.get("events")) {
            assertEquals(seen++, event.get("data").get("i").asInt());
          }
        }
      }
    } finally {
      for (WsTestClient client : clients) {
        client.close();
      }
    }
  }

  @Test
  void aQuietStreamDeliversAtOnceAndABusyOneSendsWhatCommittedWithinTheIntervalAsOneFrame() throws Exception {
    try (TestHub paced = TestHub.start(vertx, "ws-fanout-interval-ms", "1000");
         WsTestClient client = WsTestClient.hello(vertx, paced, "reader", "agent")) {
      String stream = "ws/interval";
      paced.put(stream, "application/json");
      client.subscribe(stream, "now");
      assertEquals(204, paced.post(stream, "application/json", "{\"i\":0}").statusCode());
      assertEquals(1, client.skipTo("events").get("events").size(), "the first commit goes out alone, at once");
      for (int i = 1; i <= 5; i++) { // five commits, well within the second after that delivery
        assertEquals(204, paced.post(stream, "application/json", "{\"i\":" + i + "}").statusCode());
      }
      JsonNode frame = client.skipTo("events");
      assertEquals(5, frame.get("events").size(), "one frame for the five commits: " + frame);
      assertEquals(Offsets.format(6), frame.get("next").asText());
    }
  }

  @Test
  void aSubscriberThatNeverReadsStaysWithinItsQueueBoundAndOthersKeepGoing() throws Exception {
    try (TestHub small = TestHub.start(vertx, "ws-send-queue-bytes", "262144", "ws-slow-consumer-grace-ms", "3000")) {
      String stream = "ws/slow";
      small.put(stream, "application/json");
      WsTestClient stuck = WsTestClient.hello(vertx, small, "stuck", "agent");
      stuck.subscribe(stream, "now");
      stuck.socket.pause(); // stop reading: the server's writes back up into its send queue
      WsTestClient healthy = WsTestClient.hello(vertx, small, "healthy", "human");
      healthy.subscribe(stream, "now");
      long maxQueued = appendWhileReading(small, stream, healthy, 100_000); // while the stuck one is stuck
      // The bound is 256 KiB; at most one more page or batch frame (~50 KiB) can be in flight over it.
      assertTrue(maxQueued < 262_144 + 2 * 1024 * 1024, "queued bytes stayed bounded: " + maxQueued);
      Eventually.await(() -> small.hub().ws().slowConsumerDisconnects() > 0, 30_000, "the stuck subscriber is disconnected");
      stuck.socket.resume(); // now read what was queued, and the close frame behind it
      assertEquals((short) 4000, stuck.closed.get(30, TimeUnit.SECONDS), "the stuck subscriber is told to resume");
      healthy.close();
    }
  }

  @Test
  void subscribersThatStopReadingShareOneBoundAndMissNothingWhenTheyReadAgain() throws Exception {
    long budget = 1024 * 1024;
    try (TestHub small = TestHub.start(vertx, "ws-send-queue-total-bytes", String.valueOf(budget),
        "read-chunk-bytes", "65536", "ws-slow-consumer-grace-ms", "600000")) {
      String stream = "ws/slow-many";
      small.put(stream, "application/json");
      List<WsTestClient> stuck = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        WsTestClient client = WsTestClient.hello(vertx, small, "stuck-" + i, "agent");
        client.subscribe(stream, "now");
        client.socket.pause(); // each may queue 4 MiB (ws-send-queue-bytes); together they may not
        stuck.add(client);
      }
      WsTestClient healthy = WsTestClient.hello(vertx, small, "healthy", "human");
      healthy.subscribe(stream, "now");
      int total = 100_000;
      long maxQueued = appendWhileReading(small, stream, healthy, total); // while the others are stuck
      // Over the budget, each stuck connection takes at most one more frame: a batch (~45 KB)
      // or a page (64 KiB). Without the bound they held 4 MiB each.
      assertTrue(maxQueued < budget + 4 * 128 * 1024, "queued bytes stayed within the total bound: " + maxQueued);
      assertTrue(small.hub().ws().slowConsumerSwitches() > 0, "the stuck ones were moved to catch-up reads");
      assertEquals(0, small.hub().ws().slowConsumerDisconnects(), "none was over its own bound");
      stuck.forEach(client -> client.socket.resume()); // together: each one paused holds the budget
      for (WsTestClient client : stuck) {
        int seen = 0;
        while (seen < total) {
          for (JsonNode event : client.skipTo("events").get("events")) {
            assertEquals(seen++, event.get("data").get("i").asInt(), "in order, no gap, no duplicate");
          }
        }
        client.close();
      }
      healthy.close();
    }
  }

  @Test
  void aReaderThatStopsWhileTheHubIsOverItsBudgetIsToldToResume() throws Exception {
    try (TestHub small = TestHub.start(vertx, "ws-send-queue-total-bytes", String.valueOf(1024 * 1024),
        "ws-slow-consumer-grace-ms", "1000")) {
      String stream = "ws/slow-budget";
      small.put(stream, "application/json");
      WsTestClient stuck = WsTestClient.hello(vertx, small, "stuck", "agent");
      stuck.subscribe(stream, "now");
      stuck.socket.pause(); // far under its own 4 MiB bound, but holding the hub's budget
      String pad = "x".repeat(1000);
      int appended = 0;
      while (small.hub().ws().slowConsumerDisconnects() == 0) {
        appendPadded(small, stream, appended, 100, pad);
        appended += 100;
        assertTrue(appended < 100_000, "the stuck reader was never closed; queued " + small.hub().ws().queuedBytes());
      }
      stuck.socket.resume();
      assertEquals((short) 4000, stuck.closed.get(30, TimeUnit.SECONDS), "the stuck reader is told to resume");
      Eventually.await(() -> small.hub().ws().queuedBytes() == 0, 10_000, "its queue was given back");
    }
  }

  @Test
  void cursorsResumeAfterTheAckedOffsetAndSurviveARestart() throws Exception {
    String stream = "ws/cursors";
    hub.put(stream, "application/json");
    appendEvents(stream, 0, 10, 10);
    try (WsTestClient alice = WsTestClient.hello(vertx, hub, "alice", "human")) {
      alice.subscribe(stream, "beginning");
      JsonNode frame = alice.skipTo("events");
      assertEquals(10, frame.get("events").size());
      alice.request(WsTestClient.JSON.createObjectNode().put("type", "ack").put("stream", stream)
          .put("offset", Offsets.format(6)));
      assertEquals(Offsets.format(6), alice.skipTo("acked").get("cursor").asText());
      alice.request(WsTestClient.JSON.createObjectNode().put("type", "ack").put("stream", stream)
          .put("offset", Offsets.format(3)));
      assertEquals(Offsets.format(6), alice.skipTo("acked").get("cursor").asText(), "cursors never move back");
    }
    JsonNode inbox = WsTestClient.JSON.readTree(hub.send(HttpRequest.newBuilder(
        URI.create(hub.baseUrl() + "/v1/inbox")).header("Authorization", "Bearer " + hub.participantToken("alice", Role.HUMAN)).GET()).body());
    JsonNode entry = find(inbox.get("streams"), stream);
    assertEquals(4, entry.get("unread").asInt());
    appendEvents(stream, 10, 5, 5);
    hub.restart();
    inbox = WsTestClient.JSON.readTree(hub.send(HttpRequest.newBuilder(
        URI.create(hub.baseUrl() + "/v1/inbox")).header("Authorization", "Bearer " + hub.participantToken("alice", Role.HUMAN)).GET()).body());
    assertEquals(9, find(inbox.get("streams"), stream).get("unread").asInt());
    try (WsTestClient alice = WsTestClient.hello(vertx, hub, "alice", "human")) {
      JsonNode subscribed = alice.subscribe(stream, "cursor");
      assertEquals(Offsets.format(6), subscribed.get("from").asText());
      assertEquals(6, alice.skipTo("events").get("events").get(0).get("data").get("i").asInt());
    }
    HttpResponse<String> cursor = hub.send(HttpRequest.newBuilder(
        URI.create(hub.baseUrl() + "/v1/cursors/" + stream)).header("Authorization", "Bearer " + hub.participantToken("alice", Role.HUMAN)).GET());
    assertEquals(Offsets.format(6), WsTestClient.JSON.readTree(cursor.body()).get("cursor").asText());
  }

  @Test
  void eventsSayWhoAppendedThem() throws Exception {
    String stream = "ws/authors";
    HttpResponse<String> byCarol = hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.streamUrl(stream)))
        .header("Authorization", "Bearer " + hub.participantToken("carol", Role.HUMAN))
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"text\":\"opened\"}")));
    assertEquals(201, byCarol.statusCode(), byCarol.body());
    HttpResponse<String> byAlice = hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.streamUrl(stream)))
        .header("Authorization", "Bearer " + hub.participantToken("alice", Role.HUMAN))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\"}")));
    assertEquals(204, byAlice.statusCode(), byAlice.body());
    try (WsTestClient bot = WsTestClient.hello(vertx, hub, "bot-1", "agent")) {
      ObjectNode append = WsTestClient.JSON.createObjectNode().put("type", "append").put("stream", stream);
      append.putArray("events").addObject().put("text", "on it");
      bot.request(append);
      bot.skipTo("appended");
    }
    // The hub's own events (here the parent's stream.spawned) have no author.
    HttpResponse<String> spawned = hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/spawn/" + stream))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"kid\"}")));
    assertEquals(201, spawned.statusCode(), spawned.body());

    try (WsTestClient reader = WsTestClient.hello(vertx, hub, "reader", "human")) {
      reader.subscribe(stream, "beginning");
      List<JsonNode> events = new ArrayList<>();
      while (events.size() < 4) {
        reader.skipTo("events").get("events").forEach(events::add);
      }
      assertEquals("carol", events.get(0).path("by").asText(), "created with a body: " + events);
      assertEquals("alice", events.get(1).path("by").asText(), events.toString());
      assertEquals("bot-1", events.get(2).path("by").asText(), events.toString());
      assertEquals("stream.spawned", events.get(3).get("data").get("type").asText());
      assertFalse(events.get(3).has("by"), "the hub's own event: " + events.get(3));
    }
  }

  @Test
  void anInboxLongPollIsAnsweredByAnAppendAndByAnAck() throws Exception {
    String stream = "ws/inbox-follow";
    hub.put(stream, "application/json");
    appendEvents(stream, 0, 3, 3);
    String token = hub.participantToken("ines", Role.HUMAN);
    String inbox = hub.baseUrl() + "/v1/inbox";
    HttpResponse<String> followed = hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/cursors/" + stream))
        .header("Authorization", "Bearer " + token).PUT(HttpRequest.BodyPublishers.ofString("{\"offset\": \"" + Offsets.format(1) + "\"}")));
    assertEquals(200, followed.statusCode(), followed.body());
    HttpResponse<String> first = hub.sendRaw(HttpRequest.newBuilder(URI.create(inbox)).header("Authorization", "Bearer " + token).GET());
    assertEquals(2, find(WsTestClient.JSON.readTree(first.body()).get("streams"), stream).get("unread").asInt());
    String tag = first.headers().firstValue("ETag").orElseThrow();

    // Another event on a followed stream answers the wait.
    CompletableFuture<HttpResponse<String>> waiting = inboxChange(inbox + "?wait=30s", token, tag);
    Eventually.await(() -> hub.hub().limits().openConnections("subject:ines") == 1, 10_000, "the inbox long-poll waits");
    appendEvents(stream, 3, 1, 1);
    HttpResponse<String> moved = waiting.get(30, TimeUnit.SECONDS);
    assertEquals(200, moved.statusCode(), moved.body());
    assertEquals(3, find(WsTestClient.JSON.readTree(moved.body()).get("streams"), stream).get("unread").asInt());
    tag = moved.headers().firstValue("ETag").orElseThrow();
    assertEquals(0, hub.hub().limits().openConnections("subject:ines"), "the answered long-poll gave its connection back");

    // Reading it elsewhere (an ack over a WebSocket) answers the next one.
    waiting = inboxChange(inbox + "?wait=30s", token, tag);
    Eventually.await(() -> hub.hub().limits().openConnections("subject:ines") == 1, 10_000, "the inbox long-poll waits");
    try (WsTestClient ines = WsTestClient.hello(vertx, hub, "ines", "human")) {
      ines.request(WsTestClient.JSON.createObjectNode().put("type", "ack").put("stream", stream).put("offset", Offsets.format(4)));
      ines.skipTo("acked");
    }
    HttpResponse<String> read = waiting.get(30, TimeUnit.SECONDS);
    assertEquals(200, read.statusCode(), read.body());
    assertEquals(0, find(WsTestClient.JSON.readTree(read.body()).get("streams"), stream).get("unread").asInt());
    tag = read.headers().firstValue("ETag").orElseThrow();

    // Nothing changes: the wait ends with 304 and the same tag.
    HttpResponse<String> unchanged = inboxChange(inbox + "?wait=300ms", token, tag).get(30, TimeUnit.SECONDS);
    assertEquals(304, unchanged.statusCode());
    assertEquals(tag, unchanged.headers().firstValue("ETag").orElseThrow());
  }

  private static CompletableFuture<HttpResponse<String>> inboxChange(String url, String token, String etag) {
    return hub.http.sendAsync(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
        .header("If-None-Match", etag).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode find(JsonNode streams, String stream) {
    for (JsonNode entry : streams) {
      if (entry.get("stream").asText().equals(stream)) {
        return entry;
      }
    }
    throw new AssertionError(stream + " is not in the inbox: " + streams);
  }

  @Test
  void presenceJoinUpdateAndLeaveAreSeenByOthers() throws Exception {
    String stream = "ws/presence";
    hub.put(stream, "application/json");
    try (WsTestClient watcher = WsTestClient.hello(vertx, hub, "manager", "human")) {
      watcher.subscribe(stream, "now");
      assertEquals(0, watcher.skipTo("presence").get("present").size(), "an empty snapshot first");
      WsTestClient bot = WsTestClient.hello(vertx, hub, "bot-1", "agent");
      ObjectNode running = WsTestClient.JSON.createObjectNode().put("type", "presence").put("stream", stream);
      running.putObject("state").put("step", "running step 3");
      bot.request(running);
      JsonNode joined = watcher.skipTo("presence");
      assertEquals("bot-1", joined.get("joined").get(0).get("participant").asText());
      assertEquals("agent", joined.get("joined").get(0).get("kind").asText());
      ObjectNode done = WsTestClient.JSON.createObjectNode().put("type", "presence").put("stream", stream);
      done.putObject("state").put("step", "done");
      bot.request(done);
      assertEquals("done", watcher.skipTo("presence").get("updated").get(0).get("state").get("step").asText());
      // A presence change must fit one hint to the other hubs: a larger state is refused, and kept out.
      ObjectNode huge = WsTestClient.JSON.createObjectNode().put("type", "presence").put("stream", stream);
      huge.putObject("state").put("notes", "x".repeat(WsHub.MAX_PRESENCE_STATE_BYTES));
      bot.request(huge);
      JsonNode refused = bot.skipTo("error");
      assertEquals("presence_state_too_large", refused.get("code").asText(), refused.toString());
      assertEquals(413, refused.get("status").asInt());
      HttpResponse<String> present = hub.send(HttpRequest.newBuilder(
          URI.create(hub.baseUrl() + "/v1/presence/" + stream)).GET());
      assertEquals("bot-1", WsTestClient.JSON.readTree(present.body()).get("present").get(0).get("participant").asText());
      bot.socket.close(); // a dropped connection leaves
      assertEquals("bot-1", watcher.skipTo("presence").get("left").get(0).asText());
    }
  }

  @Test
  void malformedFramesGetErrorFramesAndTheConnectionKeepsWorking() throws Exception {
    String stream = "ws/malformed";
    hub.put(stream, "application/json");
    try (WsTestClient client = WsTestClient.connect(vertx, port())) {
      client.send("{\"type\":\"subscribe\",\"stream\":\"" + stream + "\"}");
      assertEquals("hello_required", client.expect("error").get("code").asText());
      client.send("{\"type\":\"hello\",\"v\":1,\"token\":\"" + hub.participantToken("fuzzer", Role.HUMAN) + "\"}");
      client.expect("welcome");
      String[][] cases = {
          {"{not json", "invalid_json"},
          {"[1,2,3]", "invalid_frame"},
          {"{\"id\":1}", "invalid_frame"},
          {"{\"type\":\"teleport\",\"id\":2}", "unknown_type"},
          {"{\"type\":\"subscribe\",\"id\":3}", "invalid_frame"},
          {"{\"type\":\"subscribe\",\"id\":4,\"stream\":42}", "invalid_frame"},
          {"{\"type\":\"subscribe\",\"id\":5,\"stream\":\"../etc\"}", "invalid_path"},
          {"{\"type\":\"subscribe\",\"id\":6,\"stream\":\"ws/none\"}", "not_found"},
          {"{\"type\":\"subscribe\",\"id\":7,\"stream\":\"" + stream + "\",\"from\":\"12,3\"}", "invalid_offset"},
          {"{\"type\":\"append\",\"id\":8,\"stream\":\"" + stream + "\",\"events\":{}}", "invalid_frame"},
          {"{\"type\":\"append\",\"id\":9,\"stream\":\"" + stream + "\",\"events\":[1],\"producer\":{\"id\":\"\"}}", "invalid_producer"},
          {"{\"type\":\"ack\",\"id\":10,\"stream\":\"" + stream + "\",\"offset\":\"x\"}", "invalid_offset"},
          {"{\"type\":\"presence\",\"id\":11,\"stream\":\"" + stream + "\",\"state\":[]}", "invalid_frame"},
          {"{\"type\":\"unsubscribe\",\"id\":12,\"stream\":\"" + stream + "\"}", "not_found"},
          {"{\"type\":\"ping\",\"id\":{}}", "invalid_frame"},
          {"{\"type\":\"hello\",\"id\":13,\"participant\":\"again\"}", "already_hello"},
          {"{\"type\":\"append\",\"id\":14,\"stream\":\"" + stream + "\",\"events\":[\"" + "x".repeat(1_100_000) + "\"]}", "frame_too_large"},
      };
      for (String[] c : cases) {
        client.send(c[0]);
        JsonNode error = client.frames.poll(20, TimeUnit.SECONDS);
        assertTrue(error != null && error.path("type").asText().equals("error"),
            "an error frame answers " + c[0].substring(0, Math.min(80, c[0].length())) + ", got " + error);
        assertEquals(c[1], error.get("code").asText(), "for frame " + c[0].substring(0, Math.min(80, c[0].length())));
        assertTrue(error.get("status").asInt() >= 400 && error.get("status").asInt() < 500, error.toString());
        assertFalse(error.get("message").asText().isEmpty());
      }
      // ... and the connection still works.
      client.request(WsTestClient.JSON.createObjectNode().put("type", "ping"));
      client.expect("pong");
      ObjectNode append = WsTestClient.JSON.createObjectNode().put("type", "append").put("stream", stream);
      append.putArray("events").addObject().put("type", "message").put("text", "still here");
      client.request(append);
      assertEquals(Offsets.format(1), client.expect("appended").get("next").asText());
    }
  }

  @Test
  void framesAreAuthenticatedAndAuthorisedPerStream() throws Exception {
    hub.put("team-x/s", "application/json");
    hub.put("team-y/s", "application/json");
    try (WsTestClient anonymous = WsTestClient.connect(vertx, port())) {
      anonymous.send("{\"type\":\"hello\",\"v\":1,\"id\":1}");
      assertEquals("missing_token", anonymous.expect("error").get("code").asText());
      assertEquals((short) 4001, anonymous.closed.get(10, TimeUnit.SECONDS));
    }
    String token = hub.token("scoped", java.util.Set.of(Role.AGENT),
        new dev.tandem.governance.access.Scope("team-x", java.util.EnumSet.of(
            dev.tandem.governance.access.Action.READ, dev.tandem.governance.access.Action.APPEND)));
    try (WsTestClient scoped = WsTestClient.helloWithToken(vertx, hub, "agent", token)) {
      scoped.subscribe("team-x/s", "beginning");
      scoped.request(WsTestClient.JSON.createObjectNode().put("type", "subscribe").put("stream", "team-y/s"));
      JsonNode refused = scoped.skipTo("error");
      assertEquals("forbidden", refused.get("code").asText());
      assertEquals(403, refused.get("status").asInt());
      ObjectNode append = WsTestClient.JSON.createObjectNode().put("type", "append").put("stream", "team-y/s");
      append.putArray("events").addObject().put("type", "x");
      scoped.request(append);
      assertEquals("forbidden", scoped.skipTo("error").get("code").asText());
    }
  }

  @Test
  void appendsOverWebSocketAreIdempotentAndReachHttpReaders() throws Exception {
    String stream = "ws/appends";
    hub.put(stream, "application/json");
    try (WsTestClient agent = WsTestClient.hello(vertx, hub, "agent-1", "agent")) {
      for (int attempt = 0; attempt < 2; attempt++) {
        ObjectNode append = WsTestClient.JSON.createObjectNode().put("type", "append").put("stream", stream);
        append.putArray("events").addObject().put("type", "tool.call").put("tool", "search");
        append.putObject("producer").put("id", "agent-1").put("epoch", 0).put("seq", 0);
        agent.request(append);
        JsonNode appended = agent.expect("appended");
        assertEquals(attempt == 1, appended.get("duplicate").asBoolean());
      }
    }
    JsonNode events = WsTestClient.JSON.readTree(hub.get(stream + "?offset=-1").body());
    assertEquals(1, events.size());
    assertEquals("search", events.get(0).get("tool").asText());
  }

  /**
   * A producer streaming its appends without waiting for replies: the first ones reach a
   * stream whose policy the hub has not looked up yet, and those look-ups may finish in any
   * order; the events must still be stored in the order they were sent.
   */
  @Test
  void appendsSentWithoutWaitingAreStoredInTheOrderSent() throws Exception {
    int count = 200; // two rounds stay within the default 500 frames a second of a connection
    try (WsTestClient agent = WsTestClient.hello(vertx, hub, "agent-1", "agent")) {
      for (int round = 0; round < 2; round++) {
        String stream = "ws/streamed-" + round;
        hub.put(stream, "application/json");
        for (int i = 0; i < count; i++) {
          ObjectNode append = WsTestClient.JSON.createObjectNode().put("type", "append").put("stream", stream);
          append.putArray("events").addObject().put("type", "token").put("i", i);
          agent.request(append);
        }
        for (int i = 0; i < count; i++) {
          agent.expect("appended");
        }
        JsonNode events = WsTestClient.JSON.readTree(hub.get(stream + "?offset=-1").body());
        List<Integer> order = new ArrayList<>();
        events.forEach(event -> order.add(event.get("i").asInt()));
        assertEquals(java.util.stream.IntStream.range(0, count).boxed().toList(), order, stream);
      }
    }
  }
}
