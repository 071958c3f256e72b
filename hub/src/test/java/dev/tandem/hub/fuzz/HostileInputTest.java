package dev.tandem.hub.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.governance.access.Role;
import dev.tandem.hub.TestHub;
import dev.tandem.hub.ws.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 10,000 malformed or hostile HTTP requests and 2,000 WebSocket frames from a seeded random
 * generator: none may get a 5xx, and the hub must still serve normal traffic afterwards. The
 * seed is printed, so a failure can be replayed with {@code -Dfuzz.seed=...}.
 */
@ExtendWith(VertxExtension.class)
class HostileInputTest {

  private static final String[] METHODS = {"GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"};
  private static final String[] PATHS = {
      "/v1/stream/fuzz/json", "/v1/stream/fuzz/bytes", "/v1/stream/fuzz/new-%d", "/v1/stream/fuzz/../../etc/passwd",
      "/v1/stream/fuzz/%2e%2e/x", "/v1/stream/", "/v1/stream/fuzz//x", "/v1/stream/fuzz/%00", "/v1/stream/__ds/x",
      "/v1/stream/" + "a/".repeat(600) + "z", "/v1/approvals", "/v1/approvals/apr_nothere/approve",
      "/v1/approvals/not-an-id", "/v1/tree/fuzz/json", "/v1/tree/fuzz/json/cancel", "/v1/spawn/fuzz/json",
      "/v1/policies/fuzz/json", "/v1/cursors/fuzz/json", "/v1/inbox", "/v1/presence/fuzz/json", "/v1/nothing",
      "/v1/stream/__ds/subscriptions/s1", "/v1/stream/__ds/subscriptions/s1/callback"};
  private static final String[] HEADERS = {"Content-Type", "Stream-TTL", "Stream-Expires-At", "Stream-Closed",
      "Stream-Seq", "Producer-Id", "Producer-Epoch", "Producer-Seq", "Stream-Forked-From", "Stream-Fork-Offset",
      "Stream-Fork-Sub-Offset", "If-None-Match", "Idempotency-Key", "Content-Length-Ish", "Tandem-Retention"};
  private static final String[] VALUES = {"", "application/json", "text/plain", "application/json; charset=utf-8",
      "-1", "0", "1", "99999999999999999999", "9007199254740993", "abc", "1.5", "+1", "01", "true", "TRUE", "false",
      "2026-13-45T99:99:99Z", "2030-01-01T00:00:00Z", "0000000000000000_0000000000000000",
      "9999999999999999_0000000000000000", "now", "/v1/stream/fuzz/json", "fuzz/nothing", "\"etag\"", "\u00e9\u00e8",
      "x".repeat(5000)};
  private static final String[] QUERIES = {"", "?offset=-1", "?offset=now", "?offset=", "?offset=abc",
      "?offset=-1&offset=now", "?offset=now&live=long-poll&cursor=999999999999999999999", "?offset=-1&live=sse",
      "?live=long-poll", "?offset=0000000000000000_0000000000000000&live=bogus", "?state=weird", "?limit=-5",
      "?wait=99999m", "?limit=100000", "?offset=9999999999999999_9999999999999999"};

  @Test
  void hostileRequestsNeverGet5xxAndTheHubKeepsWorking(Vertx vertx) throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    System.out.println("HostileInputTest seed: " + seed);
    Random random = new Random(seed);
    try (TestHub hub = TestHub.start(vertx, "long-poll-timeout-ms", "200", "sse-max-ms", "200",
        "max-append-bytes", "65536")) {
      hub.put("fuzz/json", "application/json");
      hub.put("fuzz/bytes", "application/octet-stream");
      Map<Integer, Integer> statuses = new TreeMap<>();
      List<String> failures = new ArrayList<>();
      int total = 10_000;
      int workers = 8;
      List<CompletableFuture<Void>> running = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        long workerSeed = random.nextLong();
        running.add(CompletableFuture.runAsync(() -> {
          Random r = new Random(workerSeed);
          for (int i = 0; i < total / workers; i++) {
            HttpRequest.Builder request = hostile(hub, r);
            String described = request.build().method() + " " + request.build().uri();
            try {
              HttpResponse<String> response = r.nextInt(10) == 0 ? hub.sendRaw(request) : hub.send(request);
              synchronized (statuses) {
                statuses.merge(response.statusCode(), 1, Integer::sum);
                if (response.statusCode() >= 500) {
                  failures.add(response.statusCode() + " for " + described + ": " + response.body());
                }
              }
            } catch (IllegalArgumentException refusedByTheClient) {
              // the JDK client will not even send some of these; nothing to learn
            } catch (Exception e) {
              synchronized (statuses) {
                failures.add(e + " for " + described);
              }
            }
          }
        }));
      }
      for (CompletableFuture<Void> worker : running) {
        worker.get(10, TimeUnit.MINUTES);
      }
      System.out.println("HostileInputTest statuses: " + statuses);
      assertTrue(failures.isEmpty(), failures.size() + " bad answers, first: " + failures.subList(0, Math.min(5, failures.size())));
      assertTrue(statuses.values().stream().mapToInt(Integer::intValue).sum() > total / 2, "most requests were sent");

      fuzzFrames(vertx, hub, new Random(seed));

      // ... and normal traffic still works (on a fresh stream: the fuzzing may delete the others).
      assertEquals(201, hub.put("after/fuzz", "application/json").statusCode());
      assertEquals(204, hub.post("after/fuzz", "application/json", "{\"type\":\"still-alive\"}").statusCode());
      JsonNode events = WsTestClient.JSON.readTree(hub.get("after/fuzz?offset=-1").body());
      assertEquals("still-alive", events.get(events.size() - 1).get("type").asText());
    }
  }

  private static HttpRequest.Builder hostile(TestHub hub, Random r) {
    String path = PATHS[r.nextInt(PATHS.length)];
    if (path.contains("%d")) {
      path = String.format(path, r.nextInt(50));
    }
    String query = QUERIES[r.nextInt(QUERIES.length)];
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hub.baseUrl() + path + query));
    int headers = r.nextInt(5);
    for (int h = 0; h < headers; h++) {
      String name = HEADERS[r.nextInt(HEADERS.length)];
      String value = VALUES[r.nextInt(VALUES.length)];
      try {
        request.setHeader(name, value);
      } catch (IllegalArgumentException notAValidHeader) {
        // skip it
      }
    }
    String method = METHODS[r.nextInt(METHODS.length)];
    return request.method(method, body(r));
  }

  private static HttpRequest.BodyPublisher body(Random r) {
    return switch (r.nextInt(9)) {
      case 0 -> BodyPublishers.noBody();
      case 1 -> BodyPublishers.ofString("{\"type\":\"ok\",\"n\":" + r.nextInt() + "}");
      case 2 -> BodyPublishers.ofString("[" + "{\"a\":[".repeat(r.nextInt(400)));
      case 3 -> BodyPublishers.ofByteArray(randomBytes(r, r.nextInt(2000)));
      case 4 -> BodyPublishers.ofByteArray(new byte[] {'"', (byte) 0xff, (byte) 0xfe, '"'});
      case 5 -> BodyPublishers.ofString("[]");
      case 6 -> BodyPublishers.ofByteArray(new byte[70_000]);
      case 7 -> BodyPublishers.ofString("{\"gates\":[{\"name\":\"g\",\"match\":{\"type\":\"t\"},\"quorum\":" + r.nextInt() + "}]}");
      default -> BodyPublishers.ofString("{\"type\":\"tool.call\",\"args\":{\"amount\":\"" + "9".repeat(r.nextInt(400)) + "\"}}");
    };
  }

  private static byte[] randomBytes(Random r, int n) {
    byte[] bytes = new byte[n];
    r.nextBytes(bytes);
    return bytes;
  }

  private static void fuzzFrames(Vertx vertx, TestHub hub, Random r) throws Exception {
    String[] types = {"hello", "subscribe", "unsubscribe", "append", "ack", "presence", "presence.leave", "ping", "nope", ""};
    hub.put("fuzz/json", "application/json"); // it may have been deleted by the HTTP round
    try (WsTestClient client = WsTestClient.hello(vertx, hub, "fuzzer", "agent")) {
      for (int i = 0; i < 2000; i++) {
        String frame = switch (r.nextInt(6)) {
          case 0 -> new String(randomBytes(r, r.nextInt(200)), StandardCharsets.ISO_8859_1);
          case 1 -> "{\"type\":\"" + types[r.nextInt(types.length)] + "\",\"stream\":\"" + PATHS[r.nextInt(PATHS.length)]
              .replace("/v1/stream/", "") + "\",\"from\":\"" + VALUES[r.nextInt(VALUES.length)] + "\"}";
          case 2 -> "{\"type\":\"append\",\"stream\":\"fuzz/json\",\"events\":" + (r.nextBoolean() ? "[1,{},[]]" : "{}")
              + ",\"producer\":{\"id\":\"p\",\"epoch\":" + r.nextInt(3) + ",\"seq\":" + r.nextInt(5) + "}}";
          case 3 -> "{\"type\":\"ack\",\"stream\":\"fuzz/json\",\"offset\":\"" + VALUES[r.nextInt(VALUES.length)] + "\",\"id\":" + i + "}";
          case 4 -> "[" + "[".repeat(r.nextInt(2000)) + "]";
          default -> "{\"type\":\"presence\",\"stream\":\"fuzz/json\",\"state\":" + (r.nextBoolean() ? "{\"x\":1}" : "7") + "}";
        };
        client.send(frame);
      }
      client.request(WsTestClient.JSON.createObjectNode().put("type", "ping"));
      JsonNode pong = client.skipTo("pong");
      assertEquals("pong", pong.get("type").asText(), "the connection survived 2,000 hostile frames");
      for (JsonNode frame : client.frames) {
        if (frame.path("type").asText().equals("error")) {
          assertTrue(frame.get("status").asInt() < 500, "no 5xx error frame: " + frame);
        }
      }
    }
  }
}
