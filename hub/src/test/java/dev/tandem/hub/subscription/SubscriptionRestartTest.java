package dev.tandem.hub.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.hub.Eventually;
import dev.tandem.hub.TestHub;
import dev.tandem.hub.stream.Offsets;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Everything a subscription needs is in Postgres: after a restart the hub has the same
 * subscriptions, the same signing key (same kid), accepts tokens it issued before, and keeps
 * a retry schedule it persisted.
 */
@ExtendWith(VertxExtension.class)
class SubscriptionRestartTest {

  @Test
  void subscriptionsKeysTokensAndRetriesSurviveARestart(Vertx vertx) throws Exception {
    try (TestHub hub = TestHub.start(vertx); WebhookReceiver receiver = WebhookReceiver.start(vertx)) {
      Control control = new Control(hub);
      JsonNode before = control.json(control.put("rs-hook", "{\"type\":\"webhook\",\"pattern\":\"rs/*\","
          + "\"webhook\":{\"url\":\"" + receiver.url() + "\"},\"description\":\"kept\"}"), 201);
      String kid = before.get("webhook").get("signing").get("kid").asText();
      control.json(control.put("rs-pull", "{\"type\":\"pull-wake\",\"streams\":[\"rs-pull/a\"],\"wake_stream\":\"rs-wake\"}"), 201);
      hub.put("rs-wake", "application/json");

      hub.put("rs-pull/a", "application/json");
      hub.post("rs-pull/a", "application/json", "{\"n\":1}");
      JsonNode claimed = control.json(control.post("subscriptions/rs-pull/claim", null, "{\"worker\":\"w\"}"), 200);
      hub.put("rs/a", "application/json");
      hub.post("rs/a", "application/json", "{\"n\":1}");
      WebhookReceiver.Notification first = receiver.next();

      hub.restart();

      JsonNode after = control.json(control.get("rs-hook"), 200);
      assertEquals(before.get("created_at"), after.get("created_at"));
      assertEquals("kept", after.get("description").asText());
      assertEquals(kid, after.get("webhook").get("signing").get("kid").asText(), "the signing key survived");
      String jwks = hub.send(HttpRequest.newBuilder(URI.create(control.url("jwks.json"))).GET()).body();
      assertTrue(jwks.contains(kid));

      String ack = "{\"wake_id\":\"" + claimed.get("wake_id").asText() + "\",\"generation\":" + claimed.get("generation")
          + ",\"acks\":[{\"stream\":\"rs-pull/a\",\"offset\":\"" + Offsets.format(1) + "\"}],\"done\":true}";
      assertEquals(200, control.post("subscriptions/rs-pull/ack", claimed.get("token").asText(), ack).statusCode(),
          "a claim token from before the restart still works");
      String done = WebhookDeliveryTest.body(first.wakeId(), first.generation(), "rs/a", Offsets.format(1), true);
      assertEquals(200, control.post("subscriptions/rs-hook/callback", first.token(), done).statusCode(),
          "so does a callback token");

      receiver.answer(n -> new WebhookReceiver.Reply(503, "{}"));
      hub.post("rs/a", "application/json", "{\"n\":2}");
      WebhookReceiver.Notification failed = receiver.next();
      assertTrue(failed.signature.contains("kid=" + kid + ","));
      assertTrue(control.verifies(failed));
      Eventually.await(() -> {
        try {
          return "failed".equals(control.json(control.get("rs-hook"), 200).get("status").asText());
        } catch (Exception e) {
          return false;
        }
      }, 10_000, "the failure is recorded");

      receiver.answer(n -> WebhookReceiver.Reply.ok("{\"done\":true}"));
      hub.restart();
      WebhookReceiver.Notification retried = receiver.next();
      assertEquals(failed.generation() + 1, retried.generation(), "the persisted retry ran after the restart");
      assertTrue(control.verifies(retried));
      Eventually.await(() -> {
        try {
          return Offsets.format(2).equals(control.ackedOffset("rs-hook", "rs/a"));
        } catch (Exception e) {
          return false;
        }
      }, 10_000, "the retried wake finished");
    }
  }
}
