package dev.tandem.hub.subscription;

import static dev.tandem.hub.subscription.Control.expectControlError;
import static dev.tandem.hub.subscription.Control.expectError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.hub.Eventually;
import dev.tandem.hub.TestHub;
import dev.tandem.hub.stream.Offsets;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Webhook delivery (PROTOCOL 7.1 and 7.3) against a local receiver: signed notifications,
 * synchronous done with auto-ack and re-wake, callbacks and their fencing, lease expiry,
 * retries with backoff.
 */
@ExtendWith(VertxExtension.class)
class WebhookDeliveryTest {

  private static TestHub hub;
  private static Control control;
  private static Vertx vertx;
  private WebhookReceiver receiver;

  @BeforeAll
  static void start(Vertx v) throws Exception {
    vertx = v;
    hub = TestHub.start(vertx);
    control = new Control(hub);
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
  }

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = WebhookReceiver.start(vertx);
  }

  @AfterEach
  void stopReceiver() throws Exception {
    receiver.close();
  }

  private void subscribe(String id, String pattern, int leaseMs) throws Exception {
    control.json(control.put(id, "{\"type\":\"webhook\",\"pattern\":\"" + pattern + "\",\"webhook\":{\"url\":\""
        + receiver.url() + "\"},\"lease_ttl_ms\":" + leaseMs + "}"), 201);
  }

  @Test
  void aNewMatchingStreamWakesTheSubscriptionWithASignedNotification() throws Exception {
    subscribe("hook-signed", "signed/*", 30_000);
    assertEquals(201, hub.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(hub.streamUrl("signed/one")))
        .header("Content-Type", "application/json")
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("[{\"n\":1},{\"n\":2}]"))).statusCode());

    WebhookReceiver.Notification n = receiver.next();
    assertTrue(control.verifies(n), "the signature verifies with the JWKS key named by kid: " + n.signature);
    assertFalse(control.verifies(new WebhookReceiver.Notification(n.raw.replace("signed/one", "signed/two"), n.body,
        n.signature, null, null)), "a changed body does not verify");
    assertEquals("hook-signed", n.body.get("subscription_id").asText());
    assertTrue(n.wakeId().startsWith("w_"));
    assertEquals(1, n.generation());
    assertEquals(hub.baseUrl() + "/v1/stream/__ds/subscriptions/hook-signed/callback", n.body.get("callback_url").asText());
    JsonNode stream = n.stream("signed/one");
    assertEquals("glob", stream.get("link_type").asText());
    assertEquals(Offsets.format(0), stream.get("acked_offset").asText(), "linked before its first records");
    assertEquals(Offsets.format(2), stream.get("tail_offset").asText());
    assertTrue(stream.get("has_pending").asBoolean());
  }

  @Test
  void doneTrueAcksTheSnapshotAndWakesAgainForWhatCameAfter() throws Exception {
    subscribe("hook-done", "done/*", 30_000);
    hub.put("done/s", "application/json");
    receiver.answer(n -> null); // hold the first answer while more records arrive
    hub.post("done/s", "application/json", "{\"n\":1}");
    WebhookReceiver.Notification first = receiver.next();
    assertEquals(Offsets.format(1), first.stream("done/s").get("tail_offset").asText());

    hub.post("done/s", "application/json", "{\"n\":2}");
    receiver.answer(n -> WebhookReceiver.Reply.ok("{\"done\": true}"));
    first.reply(WebhookReceiver.Reply.ok("{\"done\": true}"));

    WebhookReceiver.Notification second = receiver.next();
    assertEquals(first.generation() + 1, second.generation(), "a new generation");
    assertNotEquals(first.wakeId(), second.wakeId());
    JsonNode stream = second.stream("done/s");
    assertEquals(Offsets.format(1), stream.get("acked_offset").asText(), "the first snapshot was acked");
    assertEquals(Offsets.format(2), stream.get("tail_offset").asText());
    Eventually.await(() -> Offsets.format(2).equals(acked("hook-done", "done/s")), 10_000, "the second snapshot is acked");
    assertEquals("active", control.json(control.get("hook-done"), 200).get("status").asText());
  }

  @Test
  void callbacksAckExtendAndFinishOnlyTheCurrentWake() throws Exception {
    subscribe("hook-cb", "cb/*", 30_000);
    hub.put("cb/s", "application/json");
    hub.post("cb/s", "application/json", "[{\"n\":1},{\"n\":2}]");
    WebhookReceiver.Notification n = receiver.next();
    String cb = "subscriptions/hook-cb/callback";
    String tail = n.stream("cb/s").get("tail_offset").asText();
    assertEquals(Offsets.format(2), tail);

    expectControlError(control.post(cb, n.token(), body(n.wakeId(), n.generation() + 1, "cb/s", tail, true)), 409, "FENCED");
    expectControlError(control.post(cb, n.token(), body("w_other", n.generation(), "cb/s", tail, true)), 409, "FENCED");
    expectControlError(control.post(cb, n.token(), body(n.wakeId(), n.generation(), "cb/none", tail, true)), 409, "INVALID_OFFSET");
    expectControlError(control.post(cb, n.token(), body(n.wakeId(), n.generation(), "cb/s", Offsets.format(3), true)),
        409, "INVALID_OFFSET");
    expectError(control.post(cb, n.token(), body(n.wakeId(), n.generation(), "cb/s", "-1", true)), 400, "invalid_offset");
    assertEquals(Offsets.format(0), acked("hook-cb", "cb/s"), "refused callbacks move nothing");

    // Progress without done: the ack applies and the lease is extended.
    JsonNode progress = control.json(control.post(cb, n.token(), body(n.wakeId(), n.generation(), "cb/s", Offsets.format(1), false)), 200);
    assertTrue(progress.get("ok").asBoolean());
    assertFalse(progress.get("next_wake").asBoolean());
    assertEquals(Offsets.format(1), acked("hook-cb", "cb/s"));
    expectControlError(control.post(cb, n.token(), body(n.wakeId(), n.generation(), "cb/s", Offsets.format(0), false)),
        409, "INVALID_OFFSET");

    // Records that arrive while the wake is in flight wait for it; done with work left wakes again.
    hub.post("cb/s", "application/json", "{\"n\":3}");
    JsonNode done = control.json(control.post(cb, n.token(), body(n.wakeId(), n.generation(), "cb/s", tail, true)), 200);
    assertTrue(done.get("next_wake").asBoolean());
    WebhookReceiver.Notification again = receiver.next();
    assertEquals(n.generation() + 1, again.generation());
    assertEquals(tail, again.stream("cb/s").get("acked_offset").asText());
    assertEquals(Offsets.format(3), again.stream("cb/s").get("tail_offset").asText());
    expectControlError(control.post(cb, n.token(), body(n.wakeId(), n.generation(), "cb/s", tail, true)), 409, "FENCED");
    expectControlError(control.post(cb, n.token(), body(again.wakeId(), again.generation(), "cb/s", tail, true)), 409, "FENCED");

    JsonNode last = control.json(control.post(cb, again.token(), body(again.wakeId(), again.generation(), "cb/s", Offsets.format(3), true)), 200);
    assertFalse(last.get("next_wake").asBoolean());
    assertEquals(Offsets.format(3), acked("hook-cb", "cb/s"));

    // Deleting the subscription fails its in-flight callbacks without moving cursors.
    hub.post("cb/s", "application/json", "{\"n\":4}");
    WebhookReceiver.Notification third = receiver.next();
    assertEquals(204, control.delete("subscriptions/hook-cb").statusCode());
    expectError(control.post(cb, third.token(), body(third.wakeId(), third.generation(), "cb/s", Offsets.format(4), true)),
        404, "not_found");
    int status = control.put("hook-cb", "{\"type\":\"webhook\",\"pattern\":\"cb/*\",\"webhook\":{\"url\":\""
        + receiver.url() + "\"},\"lease_ttl_ms\":30000}").statusCode();
    assertEquals(201, status, "the id can be used again");
    assertEquals(Offsets.format(4), acked("hook-cb", "cb/s"), "a new subscription starts at the tail");
    expectControlError(control.post(cb, third.token(), body(third.wakeId(), third.generation(), "cb/s", Offsets.format(4), true)),
        409, "FENCED");
  }

  @Test
  void anExpiredLeaseEndsTheWakeAndWakesAgain() throws Exception {
    subscribe("hook-lease", "lease/*", 1_500);
    subscribe("hook-lease-other", "lease-other/*", 30_000);
    hub.put("lease/s", "application/json");
    hub.post("lease/s", "application/json", "{\"n\":1}");
    WebhookReceiver.Notification first = receiver.next(); // answered {}: the callback never comes
    WebhookReceiver.Notification second = receiver.next();
    assertEquals(first.generation() + 1, second.generation(), "the expired wake was followed by a new one");
    assertTrue(second.stream("lease/s").get("has_pending").asBoolean());

    String cb = "subscriptions/hook-lease/callback";
    String heartbeat = "{\"wake_id\":\"" + second.wakeId() + "\",\"generation\":" + second.generation() + "}";
    assertEquals(200, control.post(cb, second.token(), heartbeat).statusCode(), "a callback without done extends the lease");
    expectControlError(control.post(cb, first.token(), body(first.wakeId(), first.generation(), "lease/s", Offsets.format(1), true)),
        409, "FENCED");
    expectControlError(control.post("subscriptions/hook-lease-other/callback", second.token(), heartbeat), 401, "TOKEN_INVALID");
    JsonNode done = control.json(control.post(cb, second.token(),
        body(second.wakeId(), second.generation(), "lease/s", Offsets.format(1), true)), 200);
    assertFalse(done.get("next_wake").asBoolean());
  }

  @Test
  void aFailedDeliveryIsRetriedAfterAPersistedBackoff() throws Exception {
    subscribe("hook-retry", "retry/*", 30_000);
    receiver.answer(n -> new WebhookReceiver.Reply(500, "{}"));
    hub.put("retry/s", "application/json");
    hub.post("retry/s", "application/json", "{\"n\":1}");
    WebhookReceiver.Notification failed = receiver.next();
    receiver.answer(n -> WebhookReceiver.Reply.ok("{\"done\":true}"));

    Eventually.await(() -> "failed".equals(status("hook-retry")), 10_000, "the subscription shows the failure");
    Row row = hub.hub().database().pool()
        .preparedQuery("SELECT attempts, wake_id, extract(epoch FROM next_attempt_at - now()) * 1000 AS wait_ms"
            + " FROM subscriptions WHERE id = $1")
        .execute(Tuple.of("hook-retry")).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .iterator().next();
    if (row.getString("wake_id") == null) { // not retried yet: the schedule is in the row
      assertEquals(1, row.getInteger("attempts"));
      assertTrue(row.getDouble("wait_ms") <= 1_200, "first retry within 1 s + 20%: " + row.getDouble("wait_ms"));
    }

    WebhookReceiver.Notification retried = receiver.next();
    assertEquals(failed.generation() + 1, retried.generation());
    assertTrue(retried.stream("retry/s").get("has_pending").asBoolean());
    Eventually.await(() -> "active".equals(status("hook-retry")) && Offsets.format(1).equals(acked("hook-retry", "retry/s")),
        10_000, "the retry delivered and acked");
  }

  private String status(String id) {
    try {
      return control.json(control.get(id), 200).get("status").asText();
    } catch (Exception e) {
      return null;
    }
  }

  private String acked(String id, String path) {
    try {
      return control.ackedOffset(id, path);
    } catch (Exception e) {
      return null;
    }
  }

  static String body(String wakeId, long generation, String stream, String offset, boolean done) {
    return "{\"wake_id\":\"" + wakeId + "\",\"generation\":" + generation + ",\"acks\":[{\"stream\":\"" + stream
        + "\",\"offset\":\"" + offset + "\"}],\"done\":" + done + "}";
  }
}
