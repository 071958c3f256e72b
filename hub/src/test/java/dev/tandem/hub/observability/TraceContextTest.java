package dev.tandem.hub.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Role;
import dev.tandem.governance.access.Scope;
import dev.tandem.hub.TestHub;
import dev.tandem.hub.ws.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * W3C {@code traceparent} on appends: stored with each event, delivered live over WebSocket,
 * replayed from Postgres after a restart, kept by an approval for the events it appends; an
 * invalid one is ignored, never an error.
 */
@ExtendWith(VertxExtension.class)
class TraceContextTest {

  private static final String HTTP_TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  private static final String WS_TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
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

  @Test
  void aTraceparentTravelsWithItsEventsLiveAndAfterARestart() throws Exception {
    String stream = "trace/live";
    hub.put(stream, "application/json");
    try (WsTestClient reader = WsTestClient.hello(vertx, hub, "reader", "agent")) {
      reader.subscribe(stream, "now");
      assertEquals(204, append(stream, "[{\"n\":0},{\"n\":1}]", HTTP_TRACE));
      assertEquals(204, append(stream, "{\"n\":2}", null));
      reader.request(WsTestClient.JSON.createObjectNode().put("type", "append").put("stream", stream)
          .put("traceparent", WS_TRACE).set("events", WsTestClient.JSON.readTree("[{\"n\":3}]")));
      assertTraces(events(reader, 4));
    }

    hub.restart(); // what follows is read back from Postgres, not from memory
    try (WsTestClient replay = WsTestClient.hello(vertx, hub, "replayer", "agent")) {
      replay.subscribe(stream, "beginning");
      assertTraces(events(replay, 4));
    }
  }

  private static void assertTraces(List<JsonNode> events) {
    assertEquals(HTTP_TRACE, events.get(0).path("traceparent").asText(), "every event of the append carries it");
    assertEquals(HTTP_TRACE, events.get(1).path("traceparent").asText());
    assertFalse(events.get(2).has("traceparent"), "an append without one stores none");
    assertEquals(WS_TRACE, events.get(3).path("traceparent").asText(), "append frames carry one too");
    for (int i = 0; i < 4; i++) {
      assertEquals(i, events.get(i).get("data").get("n").asInt());
    }
  }

  @Test
  void theEventsOfAnApprovalCarryTheTraceOfTheAppendItHolds() throws Exception {
    String stream = "trace/gated";
    hub.put(stream, "application/json");
    assertEquals(200, hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/policies/" + stream))
        .PUT(BodyPublishers.ofString("{\"gates\":[{\"name\":\"pay\",\"match\":{\"type\":\"payment\"}}]}"))).statusCode());
    String manager = hub.token("mia", Set.of(Role.MANAGER), new Scope("trace", EnumSet.of(Action.READ, Action.APPROVE)));
    try (WsTestClient reader = WsTestClient.hello(vertx, hub, "reader", "agent")) {
      reader.subscribe(stream, "now");
      HttpResponse<String> held = hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl(stream)))
          .header("Content-Type", "application/json").header("traceparent", HTTP_TRACE)
          .POST(BodyPublishers.ofString("{\"type\":\"payment\",\"amount\":5}")));
      assertEquals(202, held.statusCode(), held.body());
      String id = WsTestClient.JSON.readTree(held.body()).get("approval").get("id").asText();
      assertEquals(200, hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/approvals/" + id + "/approve"))
          .header("Authorization", "Bearer " + manager).POST(BodyPublishers.noBody())).statusCode());
      List<JsonNode> events = events(reader, 3);
      assertEquals(List.of("approval.requested", "approval.granted", "payment"),
          events.stream().map(e -> e.get("data").get("type").asText()).toList());
      for (JsonNode event : events) {
        assertEquals(HTTP_TRACE, event.path("traceparent").asText(), "the approval's events continue the held append's trace: " + event);
      }
    }
  }

  @Test
  void anInvalidTraceparentIsIgnoredAndTheAppendGoesThrough() throws Exception {
    String stream = "trace/invalid";
    hub.put(stream, "application/json");
    assertEquals(204, append(stream, "{\"n\":0}", "not-a-traceparent"));
    assertEquals(204, append(stream, "{\"n\":1}", HTTP_TRACE.toUpperCase()));
    try (WsTestClient client = WsTestClient.hello(vertx, hub, "writer", "agent")) {
      client.request(WsTestClient.JSON.createObjectNode().put("type", "append").put("stream", stream)
          .put("traceparent", 42).set("events", WsTestClient.JSON.readTree("[{\"n\":2}]")));
      assertEquals("appended", client.skipTo("appended").path("type").asText());
      client.request(WsTestClient.JSON.createObjectNode().put("type", "append").put("stream", stream)
          .put("traceparent", "00-zz").set("events", WsTestClient.JSON.readTree("[{\"n\":3}]")));
      client.skipTo("appended");
      client.subscribe(stream, "beginning");
      List<JsonNode> events = events(client, 4);
      for (int i = 0; i < 4; i++) {
        assertEquals(i, events.get(i).get("data").get("n").asInt());
        assertFalse(events.get(i).has("traceparent"), "nothing invalid is stored: " + events.get(i));
      }
    }
  }

  private static int append(String stream, String body, String traceparent) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hub.streamUrl(stream)))
        .header("Content-Type", "application/json").POST(BodyPublishers.ofString(body));
    if (traceparent != null) {
      request.header("traceparent", traceparent);
    }
    return hub.send(request).statusCode();
  }

  private static List<JsonNode> events(WsTestClient client, int count) throws InterruptedException {
    List<JsonNode> events = new ArrayList<>();
    while (events.size() < count) {
      client.skipTo("events").get("events").forEach(events::add);
    }
    return events;
  }
}
