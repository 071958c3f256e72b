package dev.tandem.hub.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.hub.TestHub;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Dev mode: the printed tokens work, and local callers can mint more. */
@ExtendWith(VertxExtension.class)
class DevTokensTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void devTokensAreListedAndWorkAndMoreCanBeMinted(Vertx vertx) throws Exception {
    try (TestHub hub = TestHub.start(vertx, "dev-mode", "true")) {
      JsonNode listed = JSON.readTree(hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/dev/tokens")).GET()).body());
      Map<String, String> tokens = new HashMap<>();
      listed.get("tokens").forEach(t -> tokens.put(t.get("name").asText(), t.get("token").asText()));
      assertEquals(java.util.Set.of("admin", "manager", "agent", "human"), tokens.keySet());
      assertEquals(201, hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.streamUrl("dev/s")))
          .header("Authorization", "Bearer " + tokens.get("agent")).header("Content-Type", "application/json")
          .PUT(BodyPublishers.noBody())).statusCode());
      assertEquals(403, hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.streamUrl("dev/s")))
          .header("Authorization", "Bearer " + tokens.get("agent")).DELETE()).statusCode(), "agents are not admins");
      assertEquals(204, hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.streamUrl("dev/s")))
          .header("Authorization", "Bearer " + tokens.get("admin")).DELETE()).statusCode());

      var minted = hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/dev/tokens"))
          .POST(BodyPublishers.ofString("{\"subject\":\"alice\",\"roles\":[\"human\"],\"scopes\":[\"team:read\"]}")));
      assertEquals(201, minted.statusCode(), minted.body());
      String alice = JSON.readTree(minted.body()).get("token").asText();
      hub.put("team/s", "application/json");
      assertEquals(200, hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.streamUrl("team/s?offset=-1")))
          .header("Authorization", "Bearer " + alice).GET()).statusCode());
      assertEquals(403, hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.streamUrl("team/s")))
          .header("Authorization", "Bearer " + alice).header("Content-Type", "application/json")
          .POST(BodyPublishers.ofString("{}"))).statusCode());
      assertEquals(400, hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/dev/tokens"))
          .POST(BodyPublishers.ofString("{\"roles\":[\"human\"]}"))).statusCode(), "a subject is required");
    }
    try (TestHub production = TestHub.start(vertx, "dev-mode", "false")) {
      assertEquals(404, production.sendRaw(HttpRequest.newBuilder(URI.create(production.baseUrl() + "/v1/dev/tokens")).GET()).statusCode());
    }
  }
}
