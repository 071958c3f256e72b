package dev.tandem.hub.subscription;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.hub.stream.Offsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The JSON documents of the subscription protocol: subscription metadata (6.3), webhook
 * notifications (7.1), claim answers and wake events (7.2). URLs in them are absolute, built
 * from the hub's public URL ({@code public-url}).
 */
final class SubscriptionJson {

  static final String CONTROL_PREFIX = "/v1/stream/__ds/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

  private final Supplier<String> publicUrl;
  private final WebhookSigner signer;

  SubscriptionJson(Supplier<String> publicUrl, WebhookSigner signer) {
    this.publicUrl = publicUrl;
    this.signer = signer;
  }

  String jwksUrl() {
    return publicUrl.get() + CONTROL_PREFIX + "jwks.json";
  }

  String callbackUrl(String id) {
    return publicUrl.get() + CONTROL_PREFIX + "subscriptions/" + id + "/callback";
  }

  /** GET / PUT answer: configuration, links with their cursors, status. Never a secret. */
  byte[] subscription(SubscriptionRow row, List<StreamLink> links) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", row.id());
    root.put("subscription_id", row.id());
    root.put("type", row.type());
    root.put("pattern", row.pattern());
    ArrayNode streams = root.putArray("streams");
    for (StreamLink link : links) {
      ObjectNode item = streams.addObject();
      item.put("path", link.path());
      item.put("link_type", link.linkType());
      item.put("acked_offset", Offsets.format(link.ackedSeq()));
    }
    if (row.isWebhook()) {
      ObjectNode webhook = root.putObject("webhook");
      webhook.put("url", row.webhookUrl());
      ObjectNode signing = webhook.putObject("signing");
      signing.put("alg", "ed25519");
      signing.put("kid", signer.kid());
      signing.put("jwks_url", jwksUrl());
    } else {
      root.putNull("webhook");
    }
    root.put("wake_stream", row.wakeStream());
    root.put("lease_ttl_ms", row.leaseTtlMs());
    root.put("created_at", TIMESTAMP.format(row.createdAt().withOffsetSameInstant(ZoneOffset.UTC)));
    root.put("status", row.status());
    root.put("description", row.description());
    return bytes(root);
  }

  /** The webhook request body (7.1). */
  byte[] notification(Wake wake) {
    ObjectNode root = JSON.createObjectNode();
    root.put("subscription_id", wake.subscriptionId());
    root.put("wake_id", wake.wakeId());
    root.put("generation", wake.generation());
    streamStates(root.putArray("streams"), wake.links());
    root.put("callback_url", callbackUrl(wake.subscriptionId()));
    root.put("callback_token", wake.token());
    return bytes(root);
  }

  /** A successful claim (7.2). */
  byte[] claim(Wake wake) {
    ObjectNode root = JSON.createObjectNode();
    root.put("wake_id", wake.wakeId());
    root.put("generation", wake.generation());
    root.put("token", wake.token());
    streamStates(root.putArray("streams"), wake.links());
    root.put("lease_ttl_ms", wake.subscription().leaseTtlMs());
    return bytes(root);
  }

  private static void streamStates(ArrayNode streams, List<StreamLink> links) {
    for (StreamLink link : links) {
      ObjectNode item = streams.addObject();
      item.put("path", link.path());
      item.put("link_type", link.linkType());
      item.put("acked_offset", Offsets.format(link.ackedSeq()));
      item.put("tail_offset", Offsets.format(link.tailSeq()));
      item.put("has_pending", link.pending());
    }
  }

  /** The event a pull-wake subscription appends to its wake stream (7.2). */
  static byte[] wakeEvent(String subscriptionId, String stream, long generation, long epochMillis) {
    ObjectNode root = JSON.createObjectNode();
    root.put("type", "wake");
    root.put("subscription_id", subscriptionId);
    root.put("stream", stream);
    root.put("generation", generation);
    root.put("ts", epochMillis);
    return bytes(root);
  }

  static byte[] ackResult(boolean nextWake) {
    ObjectNode root = JSON.createObjectNode();
    root.put("ok", true);
    root.put("next_wake", nextWake);
    return bytes(root);
  }

  static byte[] error(ControlError error) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode body = root.putObject("error");
    body.put("code", error.code());
    body.put("message", error.getMessage());
    for (Map.Entry<String, Object> detail : error.details().entrySet()) {
      body.putPOJO(detail.getKey(), detail.getValue());
    }
    return bytes(root);
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
