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
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every bad input gets its 4xx and a machine-readable body, never a 500 or a hang. */
@ExtendWith(VertxExtension.class)
class BadInputTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestHub hub;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    hub = TestHub.start(vertx, "max-append-bytes", "1024");
    hub.put("bad/json", "application/json");
    hub.put("bad/closed", "text/plain");
    hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl("bad/closed")))
        .header("Stream-Closed", "true").POST(BodyPublishers.noBody()));
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
  }

  @Test
  void malformedJsonIs400() throws Exception {
    expect(400, "invalid_json", hub.post("bad/json", "application/json", "{\"type\": "));
    expect(400, "invalid_json", hub.post("bad/json", "application/json", "{} {}"));
    expect(400, "empty_json_array", hub.post("bad/json", "application/json", "[]"));
  }

  @Test
  void oversizedBodyIs413() throws Exception {
    expect(413, "payload_too_large", hub.post("bad/json", "application/json", "[\"" + "x".repeat(2000) + "\"]"));
  }

  @Test
  void badOffsetsAre400() throws Exception {
    expect(400, "invalid_offset", hub.get("bad/json?offset=12,3"));
    expect(400, "invalid_offset", hub.get("bad/json?offset="));
    expect(400, "offset_out_of_range", hub.get("bad/json?offset=" + Offsets.format(999)));
    expect(400, "invalid_offset", hub.get("bad/json?live=long-poll"));
  }

  @Test
  void unknownStreamIs404() throws Exception {
    expect(404, "not_found", hub.get("bad/nothing-here"));
    expect(404, "not_found", hub.post("bad/nothing-here", "application/json", "{}"));
  }

  @Test
  void appendToClosedStreamIs409WithClosedHeader() throws Exception {
    HttpResponse<String> response = hub.post("bad/closed", "text/plain", "late");
    expect(409, "stream_closed", response);
    assertEquals("true", response.headers().firstValue("Stream-Closed").orElseThrow());
  }

  @Test
  void contentTypeMismatchIs409() throws Exception {
    expect(409, "content_type_mismatch", hub.post("bad/json", "text/plain", "hello"));
  }

  @Test
  void staleProducerEpochIs403() throws Exception {
    hub.send(producer(5, 0));
    HttpResponse<String> stale = hub.send(producer(4, 0));
    expect(403, "stale_producer_epoch", stale);
    assertEquals("5", stale.headers().firstValue("Producer-Epoch").orElseThrow());
  }

  @Test
  void badPathsAndHeadersAre400() throws Exception {
    expect(400, "invalid_path", hub.get("bad/%2e%2e/secret"));
    expect(400, "invalid_path", hub.get("bad//double"));
    expect(400, "missing_content_type", hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl("bad/json")))
        .POST(BodyPublishers.ofString("{}"))));
    expect(400, "invalid_ttl", hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl("bad/ttl")))
        .header("Stream-TTL", "1.5").PUT(BodyPublishers.noBody())));
    expect(400, "invalid_producer", hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl("bad/json")))
        .header("Content-Type", "application/json").header("Producer-Id", "p")
        .POST(BodyPublishers.ofString("{}"))));
  }

  private static HttpRequest.Builder producer(int epoch, int seq) {
    return HttpRequest.newBuilder(URI.create(hub.streamUrl("bad/json")))
        .header("Content-Type", "application/json")
        .header("Producer-Id", "fenced").header("Producer-Epoch", String.valueOf(epoch))
        .header("Producer-Seq", String.valueOf(seq))
        .POST(BodyPublishers.ofString("{\"ok\":true}"));
  }

  private static void expect(int status, String code, HttpResponse<String> response) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    JsonNode body = JSON.readTree(response.body());
    assertEquals(code, body.path("error").asText(), response.body());
    assertTrue(body.path("message").asText().length() > 5, "the error explains itself: " + response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
  }
}
