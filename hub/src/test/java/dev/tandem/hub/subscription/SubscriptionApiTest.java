package dev.tandem.hub.subscription;

import static dev.tandem.hub.subscription.Control.expectControlError;
import static dev.tandem.hub.subscription.Control.expectError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.hub.TestHub;
import dev.tandem.hub.stream.Offsets;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The subscription control APIs (PROTOCOL 6): idempotent PUT, GET, DELETE to a tombstone,
 * eager glob backfill at current tails, explicit membership, SSRF refusals and bad input.
 */
@ExtendWith(VertxExtension.class)
class SubscriptionApiTest {

  private static TestHub hub;
  private static Control control;
  private static final String HOOK = "http://127.0.0.1:9/hook";

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    hub = TestHub.start(vertx);
    control = new Control(hub);
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
  }

  @Test
  void putCreatesThenReconfirmsAndRefusesAnotherConfiguration() throws Exception {
    String body = "{\"type\":\"webhook\",\"pattern\":\"api/*\",\"streams\":[\"api-x/b\",\"api-x/a\"],"
        + "\"webhook\":{\"url\":\"" + HOOK + "\"},\"lease_ttl_ms\":5000,\"description\":\"test\"}";
    HttpResponse<String> created = control.put("sub-api", body);
    JsonNode json = control.json(created, 201);
    assertTrue(created.headers().firstValue("Location").orElseThrow().endsWith("/v1/stream/__ds/subscriptions/sub-api"));
    assertEquals("sub-api", json.get("id").asText());
    assertEquals("sub-api", json.get("subscription_id").asText());
    assertEquals("webhook", json.get("type").asText());
    assertEquals("api/*", json.get("pattern").asText());
    assertEquals(HOOK, json.get("webhook").get("url").asText());
    JsonNode signing = json.get("webhook").get("signing");
    assertEquals("ed25519", signing.get("alg").asText());
    assertTrue(signing.get("kid").asText().startsWith("ds_"));
    assertEquals(hub.baseUrl() + "/v1/stream/__ds/jwks.json", signing.get("jwks_url").asText());
    assertTrue(json.get("wake_stream").isNull());
    assertEquals(5000, json.get("lease_ttl_ms").asInt());
    assertEquals("active", json.get("status").asText());
    assertEquals("test", json.get("description").asText());
    assertTrue(json.get("created_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
    assertEquals(2, json.get("streams").size());
    for (JsonNode stream : json.get("streams")) {
      assertEquals("explicit", stream.get("link_type").asText());
      assertEquals(Offsets.format(0), stream.get("acked_offset").asText());
    }
    assertFalse(created.body().contains("secret") || created.body().contains("token"), "no secrets in metadata");

    // The same configuration, normalized: order, duplicates and slashes do not matter.
    String same = "{\"type\":\"webhook\",\"pattern\":\"/api/*/\",\"streams\":[\"api-x/a\",\"/api-x/b\",\"api-x/a\"],"
        + "\"webhook\":{\"url\":\"" + HOOK + "\"},\"lease_ttl_ms\":5000,\"description\":\"test\",\"unknown\":1}";
    control.json(control.put("sub-api", same), 200);
    expectError(control.put("sub-api", body.replace("\"test\"", "\"other\"")), 409, "subscription_exists");
    expectError(control.put("sub-api", body.replace("5000", "6000")), 409, "subscription_exists");

    assertEquals(204, control.delete("subscriptions/sub-api").statusCode());
    expectError(control.get("sub-api"), 404, "not_found");
    assertEquals(204, control.delete("subscriptions/sub-api").statusCode(), "deleting a tombstone is idempotent");
    expectError(control.delete("subscriptions/never-existed"), 404, "not_found");
    control.json(control.put("sub-api", body.replace("\"test\"", "\"again\"")), 201);
  }

  @Test
  void defaultLeaseIsThirtySeconds() throws Exception {
    JsonNode json = control.json(control.put("sub-default",
        "{\"type\":\"pull-wake\",\"streams\":[\"x/y\"],\"wake_stream\":\"wake/default\"}"), 201);
    assertEquals(30000, json.get("lease_ttl_ms").asInt());
    assertTrue(json.get("webhook").isNull());
    assertEquals("wake/default", json.get("wake_stream").asText());
  }

  @Test
  void aPatternBackfillsExistingMatchesAtTheirCurrentTail() throws Exception {
    hub.put("fill/a", "application/json");
    hub.post("fill/a", "application/json", "[{\"n\":1},{\"n\":2}]");
    hub.put("fill/b", "text/plain");
    hub.put("fill/deep/c", "application/json");
    hub.put("fillother/d", "application/json");

    JsonNode one = control.json(control.put("sub-fill-one",
        "{\"type\":\"webhook\",\"pattern\":\"fill/*\",\"webhook\":{\"url\":\"" + HOOK + "\"}}"), 201);
    assertEquals(List.of("fill/a", "fill/b"), paths(one));
    assertEquals(Offsets.format(2), control.ackedOffset("sub-fill-one", "fill/a"), "linked at its tail, no replay");
    assertEquals(Offsets.format(0), control.ackedOffset("sub-fill-one", "fill/b"));
    assertEquals("glob", one.get("streams").get(0).get("link_type").asText());

    JsonNode all = control.json(control.put("sub-fill-all",
        "{\"type\":\"webhook\",\"pattern\":\"fill/**\",\"streams\":[\"fill/a\"],\"webhook\":{\"url\":\"" + HOOK + "\"}}"), 201);
    assertEquals(List.of("fill/a", "fill/b", "fill/deep/c"), paths(all));
    assertEquals("explicit", all.get("streams").get(0).get("link_type").asText(), "explicit wins over glob");
  }

  @Test
  void streamsCreatedLaterAreLinkedFromTheirBeginning() throws Exception {
    control.json(control.put("sub-later",
        "{\"type\":\"webhook\",\"pattern\":\"later/*\",\"webhook\":{\"url\":\"" + HOOK + "\"}}"), 201);
    hub.put("later/one", "application/json");
    dev.tandem.hub.Eventually.await(() -> {
      try {
        return Offsets.format(0).equals(control.ackedOffset("sub-later", "later/one"));
      } catch (Exception e) {
        return false;
      }
    }, 10_000, "the new stream is linked");
  }

  @Test
  void explicitStreamsCanBeAddedAndRemoved() throws Exception {
    hub.put("members/a", "application/json");
    hub.post("members/a", "application/json", "{\"n\":1}");
    control.json(control.put("sub-members",
        "{\"type\":\"webhook\",\"pattern\":\"members/*\",\"streams\":[\"manual/one\"],\"webhook\":{\"url\":\"" + HOOK + "\"}}"), 201);

    assertEquals(204, control.post("subscriptions/sub-members/streams", null,
        "{\"streams\":[\"manual/two\",\"members/a\",\"manual/deep/three\"]}").statusCode());
    assertEquals(204, control.post("subscriptions/sub-members/streams", null, "{\"streams\":[\"manual/two\"]}").statusCode(),
        "adding again is idempotent");
    JsonNode json = control.json(control.get("sub-members"), 200);
    assertEquals(List.of("manual/deep/three", "manual/one", "manual/two", "members/a"), paths(json));
    assertEquals(Offsets.format(1), control.ackedOffset("sub-members", "members/a"));

    assertEquals(204, control.delete("subscriptions/sub-members/streams/manual%2Fdeep%2Fthree").statusCode());
    assertEquals(204, control.delete("subscriptions/sub-members/streams/manual/two").statusCode(), "slashes may stay literal");
    assertEquals(204, control.delete("subscriptions/sub-members/streams/manual%2Fnothing").statusCode(), "absent link: idempotent");
    assertEquals(204, control.delete("subscriptions/sub-members/streams/members%2Fa").statusCode());
    json = control.json(control.get("sub-members"), 200);
    assertEquals(List.of("manual/one", "members/a"), paths(json));
    assertEquals("glob", json.get("streams").get(1).get("link_type").asText(), "the glob link remains");
    assertEquals(Offsets.format(1), control.ackedOffset("sub-members", "members/a"), "and keeps its cursor");

    expectError(control.post("subscriptions/nobody/streams", null, "{\"streams\":[\"a\"]}"), 404, "not_found");
    expectError(control.post("subscriptions/sub-members/streams", null, "{\"streams\":[]}"), 400, "invalid_request");
    expectError(control.post("subscriptions/sub-members/streams", null, "{\"streams\":[\"a/../b\"]}"), 400, "invalid_path");
  }

  @Test
  void unsafeWebhookUrlsAreRefused() throws Exception {
    for (String url : new String[] {"http://10.0.0.1/hook", "https://10.0.0.1/hook", "https://192.168.1.20/hook",
        "https://172.20.0.5/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]/hook",
        "https://[fe80::1]/hook", "https://[fd12::1]/hook", "http://example.com/hook", "ftp://example.com/hook",
        "http://127.0.1.1/hook", "https://0.0.0.0/hook"}) {
      expectControlError(control.put("sub-unsafe",
          "{\"type\":\"webhook\",\"pattern\":\"x/*\",\"webhook\":{\"url\":\"" + url + "\"}}"), 400, "WEBHOOK_URL_REJECTED");
    }
    expectError(control.get("sub-unsafe"), 404, "not_found");
  }

  @Test
  void badInputIs4xxNever500() throws Exception {
    String url = "\"webhook\":{\"url\":\"" + HOOK + "\"}";
    expectError(control.put("bad", "{\"type\": "), 400, "invalid_json");
    expectError(control.put("bad", "{} {}"), 400, "invalid_json");
    expectError(control.put("bad", ""), 400, "invalid_subscription");
    expectError(control.put("bad", "[]"), 400, "invalid_subscription");
    expectError(control.put("bad", "{\"type\":\"push\",\"pattern\":\"a/*\"," + url + "}"), 400, "invalid_subscription");
    expectError(control.put("bad", "{\"type\":\"webhook\"," + url + "}"), 400, "invalid_subscription");
    expectError(control.put("bad", "{\"type\":\"webhook\",\"pattern\":\"a/*\"}"), 400, "invalid_subscription");
    expectError(control.put("bad", "{\"type\":\"webhook\",\"pattern\":\"a/*\",\"webhook\":\"x\"}"), 400, "invalid_subscription");
    expectError(control.put("bad", "{\"type\":\"pull-wake\",\"pattern\":\"a/*\"}"), 400, "invalid_subscription");
    expectError(control.put("bad", "{\"type\":\"pull-wake\",\"streams\":[\"a/w\"],\"wake_stream\":\"a/w\"}"), 400, "invalid_subscription");
    expectError(control.put("bad", "{\"type\":\"webhook\",\"pattern\":\"a/*\",\"lease_ttl_ms\":999," + url + "}"), 400, "invalid_subscription");
    expectError(control.put("bad", "{\"type\":\"webhook\",\"pattern\":\"a/*\",\"lease_ttl_ms\":600001," + url + "}"), 400, "invalid_subscription");
    expectError(control.put("bad", "{\"type\":\"webhook\",\"pattern\":\"a/*\",\"lease_ttl_ms\":1.5," + url + "}"), 400, "invalid_subscription");
    expectError(control.put("bad", "{\"type\":\"webhook\",\"pattern\":\"a/b*\"," + url + "}"), 400, "invalid_pattern");
    expectError(control.put("bad", "{\"type\":\"webhook\",\"streams\":[1]," + url + "}"), 400, "invalid_subscription");
    expectError(control.put("bad", "{\"type\":\"webhook\",\"streams\":[\"__ds/x\"]," + url + "}"), 400, "invalid_path");
    expectError(control.put("bad", "{\"type\":\"webhook\",\"pattern\":\"a/*\",\"description\":7," + url + "}"), 400, "invalid_subscription");
    expectError(control.put("bad%20id", "{\"type\":\"webhook\",\"pattern\":\"a/*\"," + url + "}"), 400, "invalid_subscription_id");
    assertEquals("invalid_path", org.junit.jupiter.api.Assertions.assertThrows(dev.tandem.hub.http.TandemError.class,
        () -> SubscriptionRoutes.decode("bad%zz")).code());
    assertEquals("a/b+c", SubscriptionRoutes.decode("a%2Fb+c"));

    expectError(control.post("subscriptions/bad", null, "{}"), 405, "method_not_allowed");
    expectError(control.get("bad/extra"), 404, "not_found");
    expectError(hub.send(HttpRequest.newBuilder(URI.create(control.url("nothing"))).GET()), 404, "not_found");
    expectError(hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl("__ds"))).GET()), 404, "not_found");

    control.json(control.put("sub-bad-hook",
        "{\"type\":\"webhook\",\"pattern\":\"badhook/*\"," + url + "}"), 201);
    expectControlError(control.post("subscriptions/sub-bad-hook/callback", null, "{}"), 401, "TOKEN_INVALID");
    expectControlError(control.post("subscriptions/sub-bad-hook/callback", "garbage", "{\"wake_id\":\"w\",\"generation\":1}"),
        401, "TOKEN_INVALID");
    expectError(control.post("subscriptions/sub-bad-hook/callback", "garbage", "{\"generation\":1}"), 400, "invalid_request");
    expectError(control.post("subscriptions/sub-bad-hook/claim", null, "{\"worker\":\"w\"}"), 400, "wrong_subscription_type");
    expectError(control.post("subscriptions/nobody/claim", null, "{\"worker\":\"w\"}"), 404, "not_found");
    expectError(control.post("subscriptions/sub-bad-hook/claim", null, "{}"), 400, "invalid_request");
    expectError(control.post("subscriptions/nobody/ack", "t", "{\"wake_id\":\"w\",\"generation\":1}"), 404, "not_found");

    // Nothing under __ds is ever a stream.
    expectError(hub.put("__ds/thing", "application/json"), 404, "not_found");
    expectError(hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl("fork-of-ds")))
        .header("Stream-Forked-From", "__ds/subscriptions").PUT(HttpRequest.BodyPublishers.noBody())), 400, "invalid_path");
  }

  @Test
  void jwksIsCacheablePublicKeyMaterial() throws Exception {
    HttpResponse<String> jwks = hub.send(HttpRequest.newBuilder(URI.create(control.url("jwks.json"))).GET());
    assertEquals(200, jwks.statusCode());
    assertEquals("public, max-age=300", jwks.headers().firstValue("Cache-Control").orElseThrow());
    JsonNode key = Control.JSON.readTree(jwks.body()).get("keys").get(0);
    assertEquals("OKP", key.get("kty").asText());
    assertEquals("sig", key.get("use").asText());
    assertNull(key.get("d"), "never the private key");
  }

  private static List<String> paths(JsonNode subscription) {
    List<String> paths = new ArrayList<>();
    subscription.get("streams").forEach(s -> paths.add(s.get("path").asText()));
    return paths;
  }
}
