package dev.tandem.hub.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.hub.TestHub;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The append path end to end on a real hub and embedded Postgres: concurrent writers get
 * contiguous offsets, acknowledged appends survive a restart, producer retries never duplicate.
 */
@ExtendWith(VertxExtension.class)
class StreamDurabilityTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestHub hub;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    hub = TestHub.start(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
  }

  @Test
  void concurrentProducersGetContiguousOffsetsAndEveryAckedEventIsReadable() throws Exception {
    String path = "durability/concurrent";
    assertEquals(201, hub.put(path, "application/json").statusCode());
    int producers = 64;
    int perProducer = 40;
    List<CompletableFuture<List<Long>>> writers = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int producer = p;
      writers.add(CompletableFuture.supplyAsync(() -> {
        List<Long> acked = new ArrayList<>();
        for (int n = 0; n < perProducer; n++) {
          HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(hub.streamUrl(path)))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"step\",\"p\":" + producer + ",\"n\":" + n + "}")));
          assertEquals(204, response.statusCode(), response.body());
          acked.add(Offsets.parse(response.headers().firstValue("Stream-Next-Offset").orElseThrow()));
        }
        return acked;
      }));
    }
    Set<Long> ackOffsets = new HashSet<>();
    for (CompletableFuture<List<Long>> writer : writers) {
      ackOffsets.addAll(writer.get(120, TimeUnit.SECONDS));
    }
    int total = producers * perProducer;
    assertEquals(total, ackOffsets.size(), "every append got its own next offset");
    for (long offset = 1; offset <= total; offset++) {
      assertTrue(ackOffsets.contains(offset), "no append was acknowledged with next offset " + offset);
    }

    List<JsonNode> events = readAll(path);
    assertEquals(total, events.size());
    Map<Integer, Integer> nextPerProducer = new HashMap<>();
    for (JsonNode event : events) {
      int producer = event.get("p").asInt();
      int expected = nextPerProducer.getOrDefault(producer, 0);
      assertEquals(expected, event.get("n").asInt(), "producer " + producer + "'s events stay in order, once each");
      nextPerProducer.put(producer, expected + 1);
    }
    assertEquals(producers, nextPerProducer.size());
  }

  @Test
  void theEmbeddedPostgresFlushesEveryCommit() throws Exception {
    for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
      String value = hub.hub().database().pool().query("SHOW " + setting).execute()
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).iterator().next().getString(0);
      assertEquals("on", value, setting + ": an acknowledged append must survive a machine crash");
    }
  }

  @Test
  void acknowledgedAppendsSurviveARestart() throws Exception {
    String path = "durability/restart";
    hub.put(path, "application/json");
    for (int i = 0; i < 200; i++) {
      assertEquals(204, hub.post(path, "application/json", "{\"i\":" + i + "}").statusCode());
    }
    hub.restart();
    List<JsonNode> events = readAll(path);
    assertEquals(200, events.size());
    for (int i = 0; i < 200; i++) {
      assertEquals(i, events.get(i).get("i").asInt());
    }
    assertEquals(204, hub.post(path, "application/json", "{\"i\":200}").statusCode(), "appends continue after restart");
    assertEquals(201, readAll(path).size());
  }

  @Test
  void idempotentProducerRetriesNeverDuplicate() throws Exception {
    String path = "durability/producer";
    hub.put(path, "application/json");
    for (int seq = 0; seq < 50; seq++) {
      for (int attempt = 0; attempt < 3; attempt++) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(hub.streamUrl(path)))
            .header("Content-Type", "application/json")
            .header("Producer-Id", "agent-7").header("Producer-Epoch", "0").header("Producer-Seq", String.valueOf(seq))
            .POST(HttpRequest.BodyPublishers.ofString("{\"seq\":" + seq + "}")));
        assertEquals(attempt == 0 ? 200 : 204, response.statusCode(), response.body());
        assertEquals(String.valueOf(seq), response.headers().firstValue("Producer-Seq").orElseThrow());
      }
    }
    List<JsonNode> events = readAll(path);
    assertEquals(50, events.size());
    for (int seq = 0; seq < 50; seq++) {
      assertEquals(seq, events.get(seq).get("seq").asInt());
    }
  }

  /** Reads a JSON stream from the beginning, page by page, until up to date. */
  static List<JsonNode> readAll(String path) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    String offset = "-1";
    while (true) {
      HttpResponse<String> page = hub.get(path + "?offset=" + offset);
      assertEquals(200, page.statusCode(), page.body());
      JSON.readTree(page.body()).forEach(events::add);
      offset = page.headers().firstValue("Stream-Next-Offset").orElseThrow();
      if (page.headers().firstValue("Stream-Up-To-Date").isPresent()) {
        return events;
      }
    }
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return hub.send(request);
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}
