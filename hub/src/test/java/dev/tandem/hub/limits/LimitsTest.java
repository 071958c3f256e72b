package dev.tandem.hub.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.governance.access.Role;
import dev.tandem.hub.Eventually;
import dev.tandem.hub.TestHub;
import dev.tandem.hub.ws.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Per-caller limits on a real hub: requests beyond the rate are {@code 429 rate_limited} with
 * {@code Retry-After}; long-lived connections (long-poll, SSE, WebSocket) beyond the limit are
 * {@code 429 too_many_connections}, or for a WebSocket that shows its token only in
 * {@code hello}, an error frame and close code 4004. Other callers are not affected.
 */
@ExtendWith(VertxExtension.class)
class LimitsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestHub hub;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    hub = TestHub.start(vertx, "max-connections-per-principal", "2", "max-requests-per-second-per-principal", "20",
        "long-poll-timeout-ms", "20000");
    assertEquals(201, hub.put("limits/stream", "application/json").statusCode());
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
  }

  @Test
  void requestsBeyondTheRateAre429WithRetryAfter() throws Exception {
    String rapid = hub.participantToken("rapid", Role.AGENT);
    HttpResponse<String> refused = null;
    for (int i = 0; i < 100 && refused == null; i++) {
      HttpResponse<String> response = get("limits/stream?offset=now", rapid);
      if (response.statusCode() == 429) {
        refused = response;
      } else {
        assertEquals(200, response.statusCode(), response.body());
      }
    }
    assertTrue(refused != null, "a burst of 100 requests went beyond 20 per second");
    assertEquals("rate_limited", JSON.readTree(refused.body()).get("error").asText());
    assertTrue(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()) >= 1);

    assertEquals(200, get("limits/stream?offset=now", hub.participantToken("calm", Role.AGENT)).statusCode(),
        "another caller has its own budget");
    String token = rapid;
    Eventually.await(() -> status("limits/stream?offset=now", token) == 200, 5_000, "the bucket refilled");
  }

  @Test
  void longLivedConnectionsBeyondTheLimitAre429(Vertx vertx) throws Exception {
    String holder = hub.participantToken("holder", Role.HUMAN);
    String waitHere = "limits/stream?offset=now&live=long-poll";
    List<CompletableFuture<HttpResponse<String>>> polls = List.of(getAsync(waitHere, holder), getAsync(waitHere, holder));
    Eventually.await(() -> hub.hub().limits().openConnections("subject:holder") == 2, 10_000, "two long-polls wait");

    HttpResponse<String> third = get(waitHere, holder);
    assertEquals(429, third.statusCode());
    assertEquals("too_many_connections", JSON.readTree(third.body()).get("error").asText());
    assertEquals(429, get("limits/stream?offset=now&live=sse", holder).statusCode());
    assertEquals(200, get("limits/stream?offset=now", holder).statusCode(), "plain reads are not connections");

    // A WebSocket with its token in the URL is refused at the upgrade ...
    ExecutionException upgrade = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () ->
        hub.http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + hub.hub().port() + "/v1/ws?token=" + holder),
            new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS));
    assertEquals(429, ((WebSocketHandshakeException) upgrade.getCause()).getResponse().statusCode());
    // ... and one that shows it in hello is told why and closed with 4004.
    WsTestClient late = WsTestClient.connect(vertx, hub.hub().port());
    late.request(WsTestClient.JSON.createObjectNode().put("type", "hello").put("v", 1).put("token", holder));
    JsonNode error = late.expect("error");
    assertEquals("too_many_connections", error.get("code").asText());
    assertEquals(429, error.get("status").asInt());
    assertEquals(4004, late.awaitClose(10_000));

    // Answered long-polls give their places back.
    assertEquals(204, hub.post("limits/stream", "application/json", "{\"type\":\"wake\"}").statusCode());
    for (CompletableFuture<HttpResponse<String>> poll : polls) {
      assertEquals(200, poll.get(30, TimeUnit.SECONDS).statusCode());
    }
    Eventually.await(() -> hub.hub().limits().openConnections("subject:holder") == 0, 10_000, "both places are free");
    try (WsTestClient ws = WsTestClient.helloWithToken(vertx, hub, "human", holder)) {
      assertEquals(1, hub.hub().limits().openConnections("subject:holder"));
    }
    Eventually.await(() -> hub.hub().limits().openConnections("subject:holder") == 0, 10_000, "the WebSocket's place is free");
  }

  private static HttpResponse<String> get(String pathAndQuery, String token) throws Exception {
    return hub.sendRaw(request(pathAndQuery, token));
  }

  private static int status(String pathAndQuery, String token) {
    try {
      return get(pathAndQuery, token).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static CompletableFuture<HttpResponse<String>> getAsync(String pathAndQuery, String token) {
    return hub.http.sendAsync(request(pathAndQuery, token).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(String pathAndQuery, String token) {
    return HttpRequest.newBuilder(URI.create(hub.streamUrl(pathAndQuery))).header("Authorization", "Bearer " + token)
        .timeout(java.time.Duration.ofSeconds(30)).GET();
  }
}
