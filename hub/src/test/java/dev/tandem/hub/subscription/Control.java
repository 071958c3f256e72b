package dev.tandem.hub.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.hub.TestHub;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Calls on a test hub's reserved subscription APIs, and checks of what they answer. */
final class Control {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SIGNATURE = Pattern.compile("t=(\\d+),kid=([^,]+),ed25519=([A-Za-z0-9_-]+)");

  private final TestHub hub;

  Control(TestHub hub) {
    this.hub = hub;
  }

  String url(String rest) {
    return hub.baseUrl() + "/v1/stream/__ds/" + rest;
  }

  HttpResponse<String> put(String id, String body) throws Exception {
    return hub.send(HttpRequest.newBuilder(URI.create(url("subscriptions/" + id)))
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  HttpResponse<String> get(String id) throws Exception {
    return hub.send(HttpRequest.newBuilder(URI.create(url("subscriptions/" + id))).GET());
  }

  HttpResponse<String> delete(String rest) throws Exception {
    return hub.send(HttpRequest.newBuilder(URI.create(url(rest))).DELETE());
  }

  HttpResponse<String> post(String rest, String token, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(rest)))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
      return hub.sendRaw(request);
    }
    boolean wakeToken = rest.endsWith("/callback") || rest.endsWith("/ack") || rest.endsWith("/release");
    // Wake endpoints carry their own tokens: "no token" means none at all. Others get the test admin's.
    return wakeToken ? hub.sendRaw(request) : hub.send(request);
  }

  JsonNode json(HttpResponse<String> response, int status) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  /** The acked offset of {@code path} in a GET of the subscription, or null if not linked. */
  String ackedOffset(String id, String path) throws Exception {
    for (JsonNode stream : json(get(id), 200).get("streams")) {
      if (stream.get("path").asText().equals(path)) {
        return stream.get("acked_offset").asText();
      }
    }
    return null;
  }

  static void expectError(HttpResponse<String> response, int status, String code) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(code, JSON.readTree(response.body()).get("error").asText(), response.body());
  }

  static void expectControlError(HttpResponse<String> response, int status, String code) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(code, JSON.readTree(response.body()).get("error").get("code").asText(), response.body());
  }

  /** Verifies a Webhook-Signature header with the key its kid names in the hub's JWK Set. */
  boolean verifies(WebhookReceiver.Notification notification) throws Exception {
    Matcher header = SIGNATURE.matcher(notification.signature == null ? "" : notification.signature);
    if (!header.matches()) {
      return false;
    }
    long age = Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(header.group(1)));
    if (age > 300) {
      return false;
    }
    HttpResponse<String> jwks = hub.send(HttpRequest.newBuilder(URI.create(url("jwks.json"))).GET());
    assertEquals("application/jwk-set+json", jwks.headers().firstValue("Content-Type").orElseThrow());
    for (JsonNode key : JSON.readTree(jwks.body()).get("keys")) {
      if (key.get("kid").asText().equals(header.group(2))) {
        Signature ed25519 = Signature.getInstance("Ed25519");
        ed25519.initVerify(WebhookSigner.publicKey(key.get("x").asText()));
        ed25519.update((header.group(1) + "." + notification.raw).getBytes(StandardCharsets.UTF_8));
        return ed25519.verify(Base64.getUrlDecoder().decode(header.group(3)));
      }
    }
    return false;
  }
}
