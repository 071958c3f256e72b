package dev.tandem.hub.subscription;

import static dev.tandem.hub.subscription.Control.expectControlError;
import static dev.tandem.hub.subscription.Control.expectError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.hub.Eventually;
import dev.tandem.hub.TestHub;
import dev.tandem.hub.stream.Offsets;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.http.HttpResponse;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pull-wake subscriptions (PROTOCOL 7.2 and 7.3): wake events in an ordinary stream, claims
 * that race, acks that heartbeat or finish, releases, lease expiry and fencing.
 */
@ExtendWith(VertxExtension.class)
class PullWakeTest {

  private static TestHub hub;
  private static Control control;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    hub = TestHub.start(vertx, "long-poll-timeout-ms", "15000");
    control = new Control(hub);
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
  }

  /** Reads a wake stream with long-polls: each call returns the next wake event. */
  private static final class WakeReader {
    private final String path;
    private final Deque<JsonNode> buffered = new ArrayDeque<>();
    private String offset = "-1";

    WakeReader(String path) {
      this.path = path;
    }

    JsonNode next() throws Exception {
      long deadline = System.currentTimeMillis() + 20_000;
      while (buffered.isEmpty()) {
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("no wake event in " + path);
        }
        HttpResponse<String> page = hub.get(path + "?offset=" + offset + "&live=long-poll");
        offset = page.headers().firstValue("Stream-Next-Offset").orElse(offset);
        if (page.statusCode() == 200) {
          Control.JSON.readTree(page.body()).forEach(buffered::add);
        }
      }
      return buffered.poll();
    }
  }

  private static HttpResponse<String> claim(String id, String worker) throws Exception {
    return control.post("subscriptions/" + id + "/claim", null, "{\"worker\":\"" + worker + "\"}");
  }

  private static String ack(JsonNode claim, String stream, String offset, Boolean done) {
    return "{\"wake_id\":\"" + claim.get("wake_id").asText() + "\",\"generation\":" + claim.get("generation").asLong()
        + (stream == null ? "" : ",\"acks\":[{\"stream\":\"" + stream + "\",\"offset\":\"" + offset + "\"}]")
        + (done == null ? "" : ",\"done\":" + done) + "}";
  }

  @Test
  void claimAckAndReleaseUseSubscriptionScopedLeases() throws Exception {
    hub.put("pw/wake", "application/json");
    control.json(control.put("pw-1", "{\"type\":\"pull-wake\",\"pattern\":\"pw-events/*\",\"wake_stream\":\"pw/wake\"}"), 201);
    WakeReader wakes = new WakeReader("pw/wake");
    expectControlError(claim("pw-1", "worker-1"), 409, "NO_PENDING_WORK");

    hub.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(hub.streamUrl("pw-events/a")))
        .header("Content-Type", "application/json").PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"n\":1}")));
    JsonNode event = wakes.next();
    assertEquals("wake", event.get("type").asText());
    assertEquals("pw-1", event.get("subscription_id").asText());
    assertEquals("pw-events/a", event.get("stream").asText());
    assertTrue(Math.abs(System.currentTimeMillis() - event.get("ts").asLong()) < 60_000);

    JsonNode claimed = control.json(claim("pw-1", "worker-1"), 200);
    assertEquals(event.get("generation").asLong(), claimed.get("generation").asLong(), "the announced wake is claimed");
    assertEquals(30000, claimed.get("lease_ttl_ms").asInt());
    JsonNode stream = claimed.get("streams").get(0);
    assertEquals("pw-events/a", stream.get("path").asText());
    assertEquals(Offsets.format(0), stream.get("acked_offset").asText());
    assertEquals(Offsets.format(1), stream.get("tail_offset").asText());
    assertTrue(stream.get("has_pending").asBoolean());

    HttpResponse<String> busy = claim("pw-1", "worker-2");
    expectControlError(busy, 409, "ALREADY_CLAIMED");
    JsonNode error = Control.JSON.readTree(busy.body()).get("error");
    assertEquals("worker-1", error.get("current_holder").asText());
    assertEquals(claimed.get("generation").asLong(), error.get("generation").asLong());

    String token = claimed.get("token").asText();
    JsonNode heartbeat = control.json(control.post("subscriptions/pw-1/ack", token, ack(claimed, null, null, null)), 200);
    assertFalse(heartbeat.get("next_wake").asBoolean());
    expectError(control.post("subscriptions/pw-1/callback", token, ack(claimed, null, null, true)), 400, "wrong_subscription_type");
    JsonNode done = control.json(control.post("subscriptions/pw-1/ack", token, ack(claimed, "pw-events/a", Offsets.format(1), true)), 200);
    assertTrue(done.get("ok").asBoolean());
    assertFalse(done.get("next_wake").asBoolean());
    expectControlError(control.post("subscriptions/pw-1/ack", token, ack(claimed, null, null, true)), 409, "FENCED");
    expectControlError(claim("pw-1", "worker-2"), 409, "NO_PENDING_WORK");

    hub.post("pw-events/a", "application/json", "{\"n\":2}");
    JsonNode second = wakes.next();
    assertEquals(claimed.get("generation").asLong() + 1, second.get("generation").asLong());
    JsonNode claimed2 = control.json(claim("pw-1", "worker-2"), 200);
    assertEquals(second.get("generation").asLong(), claimed2.get("generation").asLong());
    assertEquals(204, control.post("subscriptions/pw-1/release", claimed2.get("token").asText(), ack(claimed2, null, null, null)).statusCode());

    JsonNode third = wakes.next();
    assertEquals(claimed2.get("generation").asLong() + 1, third.get("generation").asLong(), "released work wakes again");
    expectControlError(control.post("subscriptions/pw-1/release", claimed2.get("token").asText(), ack(claimed2, null, null, null)),
        409, "FENCED");
    JsonNode claimed3 = control.json(claim("pw-1", "worker-1"), 200);
    assertEquals(third.get("generation").asLong(), claimed3.get("generation").asLong());
    JsonNode finished = control.json(control.post("subscriptions/pw-1/ack", claimed3.get("token").asText(),
        ack(claimed3, "pw-events/a", Offsets.format(2), true)), 200);
    assertFalse(finished.get("next_wake").asBoolean());
    assertEquals(Offsets.format(2), control.ackedOffset("pw-1", "pw-events/a"));
  }

  @Test
  void anExpiredClaimIsClearedAndTheSubscriptionWakesAgain() throws Exception {
    hub.put("pwl/wake", "application/json");
    control.json(control.put("pw-lease",
        "{\"type\":\"pull-wake\",\"streams\":[\"pwl-events/a\"],\"wake_stream\":\"pwl/wake\",\"lease_ttl_ms\":1000}"), 201);
    WakeReader wakes = new WakeReader("pwl/wake");
    hub.put("pwl-events/a", "application/json");
    hub.post("pwl-events/a", "application/json", "{\"n\":1}");
    JsonNode first = wakes.next();
    JsonNode claimed = control.json(claim("pw-lease", "worker-1"), 200);
    assertEquals(first.get("generation").asLong(), claimed.get("generation").asLong());

    JsonNode again = wakes.next(); // the worker never acks: its lease runs out
    assertEquals(claimed.get("generation").asLong() + 1, again.get("generation").asLong());
    expectControlError(control.post("subscriptions/pw-lease/ack", claimed.get("token").asText(),
        ack(claimed, "pwl-events/a", Offsets.format(1), true)), 409, "FENCED");
    JsonNode claimed2 = control.json(claim("pw-lease", "worker-2"), 200);
    assertEquals(again.get("generation").asLong(), claimed2.get("generation").asLong());
    assertEquals(Offsets.format(0), claimed2.get("streams").get(0).get("acked_offset").asText(), "no cursor moved");
  }

  @Test
  void aMissingWakeStreamIsRetriedUntilItExists() throws Exception {
    control.json(control.put("pw-missing",
        "{\"type\":\"pull-wake\",\"pattern\":\"pwm-events/*\",\"wake_stream\":\"pwm/wake\"}"), 201);
    hub.put("pwm-events/a", "application/json");
    hub.post("pwm-events/a", "application/json", "{\"n\":1}");
    Eventually.await(() -> {
      try {
        return "failed".equals(control.json(control.get("pw-missing"), 200).get("status").asText());
      } catch (Exception e) {
        return false;
      }
    }, 10_000, "the failed wake event shows in the status");

    hub.put("pwm/wake", "text/plain");
    HttpResponse<String> page = hub.get("pwm/wake?offset=-1&live=long-poll");
    while (page.statusCode() == 204) {
      page = hub.get("pwm/wake?offset=-1&live=long-poll");
    }
    assertTrue(page.body().endsWith("}\n"), "one JSON event per line in a byte stream: " + page.body());
    assertEquals("pw-missing", Control.JSON.readTree(page.body()).get("subscription_id").asText());
    Eventually.await(() -> {
      try {
        return "active".equals(control.json(control.get("pw-missing"), 200).get("status").asText());
      } catch (Exception e) {
        return false;
      }
    }, 10_000, "the subscription recovers");
  }

  @Test
  void aPatternNeverLinksItsOwnWakeStream() throws Exception {
    hub.put("pwself/wake", "application/json");
    control.json(control.put("pw-self", "{\"type\":\"pull-wake\",\"pattern\":\"pwself/**\",\"wake_stream\":\"pwself/wake\"}"), 201);
    WakeReader wakes = new WakeReader("pwself/wake");
    hub.put("pwself/events", "application/json");
    hub.post("pwself/events", "application/json", "{\"n\":1}");
    assertEquals("pwself/events", wakes.next().get("stream").asText());
    JsonNode claimed = control.json(claim("pw-self", "worker"), 200);
    assertEquals(1, claimed.get("streams").size(), "only the events stream: " + claimed);
    assertEquals(null, control.ackedOffset("pw-self", "pwself/wake"));
  }
}
