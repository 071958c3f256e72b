package dev.tandem.hub.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.hub.Eventually;
import dev.tandem.hub.TestHub;
import dev.tandem.hub.TwoHubs;
import dev.tandem.hub.stream.Offsets;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A webhook subscription on two hub nodes sharing one Postgres: appends made on either node
 * wake it, one wake at a time (the subscription's row lock decides, whichever node commits),
 * and everything ends up acknowledged.
 */
class SubscriptionsOnTwoNodesTest {

  private static TwoHubs hubs;

  @BeforeAll
  static void start() throws Exception {
    // A hub on an external database is not in development mode: it allows localhost webhooks only when told.
    hubs = TwoHubs.start("webhook-allow-localhost", "true");
  }

  @AfterAll
  static void stop() throws Exception {
    hubs.close();
  }

  @Test
  void appendsOnBothNodesWakeTheSubscriptionOneWakeAtATimeUntilAllIsAcked() throws Exception {
    TestHub a = hubs.a;
    TestHub b = hubs.b;
    Control control = new Control(a);
    try (WebhookReceiver receiver = WebhookReceiver.start(hubs.vertxA)) {
      receiver.answer(n -> WebhookReceiver.Reply.ok("{\"done\": true}"));
      control.json(control.put("hook-two-nodes", "{\"type\":\"webhook\",\"pattern\":\"two-nodes/*\",\"webhook\":{\"url\":\""
          + receiver.url() + "\"},\"lease_ttl_ms\":30000}"), 201);
      b.put("two-nodes/s", "application/json");
      int events = 40;
      for (int i = 0; i < events; i++) {
        HttpResponse<String> appended = (i % 2 == 0 ? a : b).post("two-nodes/s", "application/json", "{\"i\":" + i + "}");
        assertEquals(204, appended.statusCode(), appended.body());
      }
      Eventually.await(() -> Offsets.format(events).equals(acked(control)), 30_000,
          "everything appended on either node is acknowledged");

      List<WebhookReceiver.Notification> wakes = receiver.drain();
      assertTrue(!wakes.isEmpty(), "the appends woke the subscription");
      Set<String> wakeIds = new HashSet<>();
      long generation = 0;
      for (WebhookReceiver.Notification wake : wakes) {
        assertTrue(wakeIds.add(wake.wakeId()), "each wake once: " + wake.raw);
        assertTrue(wake.generation() > generation, "one wake at a time, generations in order: " + wake.generation()
            + " after " + generation);
        generation = wake.generation();
      }
    }
  }

  private static String acked(Control control) {
    try {
      return control.ackedOffset("hook-two-nodes", "two-nodes/s");
    } catch (Exception e) {
      return null; // asked again
    }
  }
}
