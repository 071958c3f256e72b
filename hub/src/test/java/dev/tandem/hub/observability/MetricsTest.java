package dev.tandem.hub.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.hub.Eventually;
import dev.tandem.hub.TestHub;
import dev.tandem.hub.ws.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /metrics} on a real hub: the series exist, and move when the hub works. */
@ExtendWith(VertxExtension.class)
class MetricsTest {

  private static final String TOKEN = "scrape-token-0123456789";
  private static TestHub hub;
  private static Vertx vertx;

  @BeforeAll
  static void start(Vertx v) throws Exception {
    vertx = v;
    hub = TestHub.start(v, "metrics-token", TOKEN, "pool-size", "6");
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
  }

  @Test
  void metricsNeedTheTokenWhenOneIsSet() throws Exception {
    HttpResponse<String> anonymous = hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/metrics")).GET());
    assertEquals(401, anonymous.statusCode());
    HttpResponse<String> wrong = hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/metrics"))
        .header("Authorization", "Bearer " + TOKEN + "x").GET());
    assertEquals(401, wrong.statusCode());
    HttpResponse<String> scraped = scrapeResponse();
    assertEquals(200, scraped.statusCode());
    assertTrue(scraped.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
  }

  @Test
  void appendsCommitsAndSubscribersShowInTheSeries() throws Exception {
    String stream = "metrics/live";
    hub.put(stream, "application/json");
    Map<String, Double> before = scrape();

    try (WsTestClient reader = WsTestClient.hello(vertx, hub, "reader", "human")) {
      reader.subscribe(stream, "now");
      assertEquals(204, hub.post(stream, "application/json", "[{\"n\":1},{\"n\":2}]").statusCode());
      assertEquals(204, hub.post(stream, "application/json", "{\"n\":3}").statusCode());
      assertEquals(200, producerAppend(stream, "{\"n\":4}").statusCode());
      assertEquals(204, producerAppend(stream, "{\"n\":4}").statusCode(), "a retry is a duplicate");
      assertEquals(409, hub.post(stream, "text/plain", "not json").statusCode(), "refused: wrong content type");
      int seen = 0;
      while (seen < 4) {
        seen += reader.skipTo("events").get("events").size();
      }

      Map<String, Double> after = scrape();
      assertTrue(moved(before, after, "tandem_append_requests_total{result=\"stored\"}") >= 3, "stored appends");
      assertTrue(moved(before, after, "tandem_append_requests_total{result=\"duplicate\"}") >= 1, "duplicates");
      assertTrue(moved(before, after, "tandem_append_requests_total{result=\"refused\"}") >= 1, "refused appends");
      assertTrue(moved(before, after, "tandem_append_events_total") >= 4, "events stored");
      assertTrue(moved(before, after, "tandem_commit_batch_size_count") >= 1, "batches");
      assertTrue(moved(before, after, "tandem_commit_batch_size_sum") >= 5, "appends in batches");
      assertTrue(moved(before, after, "tandem_commit_latency_seconds_count") >= 1, "commit latency samples");
      assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("tandem_commit_latency_seconds_bucket{")),
          "commit latency is a histogram");
      assertTrue(after.get("tandem_ws_connections") >= 1, "connections");
      assertTrue(after.get("tandem_ws_subscribers") >= 1, "subscribers");
      assertTrue(after.get("tandem_ws_send_queue_bytes") >= 0, "send queue");
      assertTrue(after.containsKey("tandem_ws_slow_consumer_switches_total"));
      assertTrue(after.containsKey("tandem_ws_slow_consumer_disconnects_total"));
      assertTrue(after.get("tandem_db_pool_connections") >= 1, "the pool holds connections");
      assertEquals(6.0, after.get("tandem_db_pool_max_connections"));
      assertTrue(after.get("jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"}") != null
          || after.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes{")), "JVM basics");
      assertTrue(after.containsKey("process_uptime_seconds"));
    }
    Eventually.await(() -> value("tandem_ws_subscribers") == 0, 10_000, "the subscriber is gone after the socket closed");
  }

  @Test
  void approvalsAreCountedByState() throws Exception {
    String stream = "metrics/gated";
    hub.put(stream, "application/json");
    String policy = "{\"gates\":[{\"name\":\"all-deploys\",\"match\":{\"type\":\"deploy\"}}]}";
    assertEquals(200, hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/policies/" + stream))
        .PUT(BodyPublishers.ofString(policy))).statusCode());
    double pending = scrape().get("tandem_approvals{state=\"pending\"}");
    assertEquals(202, hub.post(stream, "application/json", "{\"type\":\"deploy\"}").statusCode());
    // Counted in Postgres every few seconds, not per scrape.
    Eventually.await(() -> value("tandem_approvals{state=\"pending\"}") >= pending + 1, 20_000,
        "the pending approval is counted");
  }

  private static HttpResponse<String> producerAppend(String stream, String body) throws Exception {
    return hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl(stream))).header("Content-Type", "application/json")
        .header("Producer-Id", "metrics-producer").header("Producer-Epoch", "0").header("Producer-Seq", "0")
        .POST(BodyPublishers.ofString(body)));
  }

  private static double moved(Map<String, Double> before, Map<String, Double> after, String series) {
    assertTrue(after.containsKey(series), "no series " + series + " in " + after.keySet());
    return after.get(series) - before.getOrDefault(series, 0.0);
  }

  private static double value(String series) {
    try {
      return scrape().getOrDefault(series, Double.NaN);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static HttpResponse<String> scrapeResponse() throws Exception {
    return hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/metrics"))
        .header("Authorization", "Bearer " + TOKEN).GET());
  }

  /** The scrape as series (name and labels, as printed) to value. */
  private static Map<String, Double> scrape() throws Exception {
    HttpResponse<String> response = scrapeResponse();
    assertEquals(200, response.statusCode(), response.body());
    Map<String, Double> series = new HashMap<>();
    for (String line : response.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return series;
  }
}
