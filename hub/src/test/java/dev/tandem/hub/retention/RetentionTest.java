package dev.tandem.hub.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.hub.Eventually;
import dev.tandem.hub.TestHub;
import dev.tandem.hub.stream.Offsets;
import dev.tandem.hub.ws.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retention on a real hub and embedded Postgres: the sweeper deletes events older than a
 * stream's max age in small batches while appends go on, offsets stay where they were, and
 * reads behave as docs/protocol.md says (from -1: the first retained record; from a deleted
 * offset: 410 offset_gone). Expired and deleted streams lose their events too.
 *
 * <p>Events are made old by moving their commit time back in the database, so no test waits
 * for a max age to pass; the sweeper runs every 100 ms, deleting 7 events per transaction.
 */
@ExtendWith(VertxExtension.class)
class RetentionTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestHub hub;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    hub = TestHub.start(vertx, "retention-default-seconds", "3600", "retention-sweep-ms", "100",
        "retention-batch-rows", "7", "long-poll-timeout-ms", "500", "sse-max-ms", "300");
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
  }

  @Test
  void oldEventsGoInBatchesWhileAppendsContinueAndReadsBeginAtTheFirstRetained() throws Exception {
    String path = "retention/busy";
    assertEquals(201, hub.put(path, "application/json").statusCode()); // the hub default: 3600 s
    for (int n = 0; n < 30; n++) {
      assertEquals(204, hub.post(path, "application/json", event(n)).statusCode());
    }
    makeOld(path);
    long trimmedBefore = hub.hub().retention().trimmedEvents();

    // A writer keeps appending while the sweeper deletes the 30 old events.
    AtomicBoolean writing = new AtomicBoolean(true);
    CompletableFuture<List<Long>> writer = CompletableFuture.supplyAsync(() -> {
      List<Long> acks = new ArrayList<>();
      for (int n = 30; writing.get() || n < 40; n++) {
        HttpResponse<String> ack = post(path, event(n));
        assertEquals(204, ack.statusCode(), ack.body());
        acks.add(Offsets.parse(ack.headers().firstValue("Stream-Next-Offset").orElseThrow()));
      }
      return acks;
    });
    Eventually.await(() -> status(path + "?offset=" + Offsets.format(29)) == 410, 20_000,
        "the sweeper deleted the old events");
    writing.set(false);
    List<Long> acks = writer.get(60, TimeUnit.SECONDS);
    for (int i = 0; i < acks.size(); i++) {
      assertEquals(31 + i, acks.get(i), "appends during the sweep kept consecutive offsets");
    }
    long tail = 30 + acks.size();
    assertTrue(hub.hub().retention().trimmedEvents() - trimmedBefore >= 30, "30 events were trimmed");

    HttpResponse<String> all = hub.get(path + "?offset=-1");
    assertEquals(200, all.statusCode());
    JsonNode events = JSON.readTree(all.body());
    assertEquals(tail - 30, events.size(), "everything after the old events is still there");
    for (int i = 0; i < events.size(); i++) {
      assertEquals(30 + i, events.get(i).get("n").asInt());
    }
    assertEquals(Offsets.format(tail), all.headers().firstValue("Stream-Next-Offset").orElseThrow());
    assertEquals(Offsets.format(30), all.headers().firstValue("Tandem-First-Offset").orElseThrow(),
        "a read from -1 says where its records begin");

    HttpResponse<String> exact = hub.get(path + "?offset=" + Offsets.format(30));
    assertEquals(200, exact.statusCode());
    assertEquals(30, JSON.readTree(exact.body()).get(0).get("n").asInt());

    HttpResponse<String> gone = hub.get(path + "?offset=" + Offsets.format(12));
    assertEquals(410, gone.statusCode());
    assertEquals("offset_gone", JSON.readTree(gone.body()).get("error").asText());
    assertTrue(gone.body().contains(Offsets.format(30)), "the refusal names the first retained offset: " + gone.body());
    assertEquals(410, status(path + "?offset=" + Offsets.format(0) + "&live=long-poll"));

    HttpResponse<String> head = hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl(path)))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertEquals(Offsets.format(tail), head.headers().firstValue("Stream-Next-Offset").orElseThrow());
    assertEquals("3600", head.headers().firstValue("Tandem-Retention").orElseThrow());
  }

  @Test
  void aStreamEmptiedByRetentionKeepsItsTailAndLiveReadersStartThere(Vertx vertx) throws Exception {
    String path = "retention/emptied";
    assertEquals(201, hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl(path)))
        .header("Content-Type", "application/json").header("Tandem-Retention", "60")
        .PUT(HttpRequest.BodyPublishers.ofString("[" + event(0) + "," + event(1) + "," + event(2) + "]"))).statusCode());
    makeOld(path);
    Eventually.await(() -> status(path + "?offset=" + Offsets.format(0)) == 410, 20_000, "all three events are gone");

    HttpResponse<String> all = hub.get(path + "?offset=-1");
    assertEquals("[]", all.body());
    assertEquals(Offsets.format(3), all.headers().firstValue("Stream-Next-Offset").orElseThrow());
    assertEquals("true", all.headers().firstValue("Stream-Up-To-Date").orElseThrow());

    // An append continues at the old tail, and a subscriber from the beginning gets it at offset 3.
    assertEquals(Offsets.format(4), hub.post(path, "application/json", event(3)).headers()
        .firstValue("Stream-Next-Offset").orElseThrow());
    try (WsTestClient ws = WsTestClient.hello(vertx, hub, "reader", "human")) {
      ws.subscribe(path, "beginning");
      JsonNode frame = ws.skipTo("events");
      assertEquals(Offsets.format(3), frame.get("events").get(0).get("offset").asText());
    }
    HttpResponse<String> sse = hub.get(path + "?offset=-1&live=sse");
    assertTrue(sse.body().contains("\"n\":3") && !sse.body().contains("\"n\":2"), sse.body());
  }

  @Test
  void retentionIsPartOfTheStreamsConfigurationAndChildrenInheritIt() throws Exception {
    String path = "retention/configured";
    assertEquals(201, putWithRetention(path, "120").statusCode());
    assertEquals(200, putWithRetention(path, "120").statusCode(), "the same PUT again");
    HttpResponse<String> other = putWithRetention(path, "121");
    assertEquals(409, other.statusCode());
    assertEquals(409, hub.put(path, "application/json").statusCode(), "no header means the hub default");
    for (String bad : List.of("0", "-1", "01", "1.5", "abc", "99999999999")) {
      HttpResponse<String> refused = putWithRetention("retention/bad", bad);
      assertEquals(400, refused.statusCode(), bad);
      assertEquals("invalid_retention", JSON.readTree(refused.body()).get("error").asText());
    }

    HttpResponse<String> spawned = hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/spawn/" + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"kid\"}")));
    assertEquals(201, spawned.statusCode(), spawned.body());
    HttpResponse<String> child = hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl(path + "/agents/kid")))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertEquals("120", child.headers().firstValue("Tandem-Retention").orElseThrow());
  }

  @Test
  void expiredAndDeletedStreamsLoseTheirEventsInBatches() throws Exception {
    String expiring = "retention/expiring";
    assertEquals(201, hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl(expiring)))
        .header("Content-Type", "application/json").header("Stream-TTL", "1")
        .PUT(HttpRequest.BodyPublishers.ofString(manyEvents(25)))).statusCode());
    long expiringId = streamId(expiring);
    String deleted = "retention/deleted";
    assertEquals(201, hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl(deleted)))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(manyEvents(40)))).statusCode());
    long deletedId = streamId(deleted);
    assertEquals(204, hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl(deleted))).DELETE()).statusCode());

    Eventually.await(() -> events(expiringId) == 0 && events(deletedId) == 0 && rows("SELECT 1 FROM event_purges") == 0,
        20_000, "the sweeper removed both streams' events");
    assertEquals(0, rows("SELECT 1 FROM streams WHERE id = " + expiringId), "the expired stream is gone");
    assertEquals(404, status(expiring));
    assertEquals(201, hub.put(expiring, "application/json").statusCode(), "its path can be used again");
    assertEquals("[]", hub.get(expiring + "?offset=-1").body());
  }

  // ---- helpers ---------------------------------------------------------------------------

  private static String event(int n) {
    return "{\"type\":\"step\",\"n\":" + n + "}";
  }

  private static String manyEvents(int count) {
    List<String> events = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      events.add(event(n));
    }
    return "[" + String.join(",", events) + "]";
  }

  private static HttpResponse<String> putWithRetention(String path, String seconds) throws Exception {
    return hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl(path)))
        .header("Content-Type", "application/json").header("Tandem-Retention", seconds)
        .PUT(HttpRequest.BodyPublishers.noBody()));
  }

  private static HttpResponse<String> post(String path, String body) {
    try {
      return hub.post(path, "application/json", body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static int status(String pathAndQuery) {
    try {
      return hub.get(pathAndQuery).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Moves the stream's creation and its events' commit time two hours back. */
  private static void makeOld(String path) throws Exception {
    long id = streamId(path);
    sql("UPDATE streams SET created_at = now() - interval '2 hours' WHERE id = $1", Tuple.of(id));
    sql("UPDATE events SET appended_at = now() - interval '2 hours' WHERE stream_id = $1", Tuple.of(id));
  }

  private static long streamId(String path) throws Exception {
    return sql("SELECT id FROM streams WHERE path = $1", Tuple.of(path)).iterator().next().getLong(0);
  }

  private static int events(long streamId) {
    return rows("SELECT 1 FROM events WHERE stream_id = " + streamId);
  }

  private static int rows(String query) {
    try {
      return sql(query, Tuple.tuple()).size();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static RowSet<Row> sql(String query, Tuple args) throws Exception {
    return hub.hub().database().pool().preparedQuery(query).execute(args)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
