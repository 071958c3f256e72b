package dev.tandem.hub.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.stream.StreamPaths;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * The body of {@code PUT __ds/subscriptions/:id} (PROTOCOL 6.2), validated and normalized:
 * paths without leading or trailing slashes, {@code streams} sorted and without duplicates,
 * the default lease filled in. {@link #hash()} over this normal form decides re-confirmation.
 */
public record SubscriptionConfig(
    String type,
    GlobMatcher pattern,
    List<String> streams,
    String webhookUrl,
    String wakeStream,
    int leaseTtlMs,
    String description) {

  public static final String WEBHOOK = "webhook";
  public static final String PULL_WAKE = "pull-wake";
  static final int DEFAULT_LEASE_TTL_MS = 30_000;
  static final int MIN_LEASE_TTL_MS = 1_000;
  static final int MAX_LEASE_TTL_MS = 600_000;
  static final int MAX_DESCRIPTION = 1_000;
  static final int MAX_STREAMS = 1_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Validates a parsed PUT body; every refusal is a 400 {@code invalid_subscription}. */
  public static SubscriptionConfig parse(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw invalid("the body must be a JSON object");
    }
    String type = text(body, "type", true);
    if (!WEBHOOK.equals(type) && !PULL_WAKE.equals(type)) {
      throw invalid("type must be \"webhook\" or \"pull-wake\"");
    }
    String rawPattern = text(body, "pattern", false);
    GlobMatcher pattern = rawPattern == null ? null : GlobMatcher.compile(rawPattern);
    List<String> streams = paths(body.get("streams"), "streams");
    if (pattern == null && streams.isEmpty()) {
      throw invalid("give a pattern, streams, or both");
    }
    String webhookUrl = null;
    JsonNode webhook = body.get("webhook");
    if (webhook != null && !webhook.isNull()) {
      if (!webhook.isObject()) {
        throw invalid("webhook must be an object like {\"url\": \"https://...\"}");
      }
      webhookUrl = text(webhook, "url", false);
    }
    String wakeStream = text(body, "wake_stream", false);
    if (WEBHOOK.equals(type)) {
      if (webhookUrl == null || webhookUrl.isEmpty()) {
        throw invalid("webhook subscriptions need webhook.url");
      }
      if (wakeStream != null) {
        throw invalid("wake_stream is for pull-wake subscriptions");
      }
    } else {
      if (wakeStream == null) {
        throw invalid("pull-wake subscriptions need wake_stream");
      }
      if (webhookUrl != null) {
        throw invalid("webhook is for webhook subscriptions");
      }
      wakeStream = path(wakeStream, "wake_stream");
      if (streams.contains(wakeStream)) {
        throw invalid("a subscription cannot watch its own wake stream"); // a pattern just skips it
      }
    }
    int leaseTtlMs = leaseTtl(body.get("lease_ttl_ms"));
    String description = text(body, "description", false);
    if (description != null && description.length() > MAX_DESCRIPTION) {
      throw invalid("description is longer than " + MAX_DESCRIPTION + " characters");
    }
    return new SubscriptionConfig(type, pattern, streams, webhookUrl, wakeStream, leaseTtlMs, description);
  }

  /** The paths of a {@code streams} array, normalized, sorted and distinct. */
  static List<String> paths(JsonNode array, String field) {
    if (array == null || array.isNull()) {
      return List.of();
    }
    if (!array.isArray()) {
      throw invalid(field + " must be an array of stream paths");
    }
    if (array.size() > MAX_STREAMS) {
      throw invalid(field + " may list at most " + MAX_STREAMS + " paths");
    }
    TreeSet<String> paths = new TreeSet<>();
    for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
      JsonNode item = it.next();
      if (!item.isTextual()) {
        throw invalid(field + " must hold only strings");
      }
      paths.add(path(item.asText(), field));
    }
    return new ArrayList<>(paths);
  }

  /** A stream-root-relative path, slashes at either end dropped; a malformed one is a 400. */
  static String path(String raw, String field) {
    String path = GlobMatcher.trimSlashes(raw);
    try {
      return StreamPaths.validate(path);
    } catch (TandemError e) {
      throw TandemError.badRequest("invalid_path", field + ": " + e.getMessage());
    }
  }

  private static int leaseTtl(JsonNode node) {
    if (node == null || node.isNull()) {
      return DEFAULT_LEASE_TTL_MS;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()
        || node.asInt() < MIN_LEASE_TTL_MS || node.asInt() > MAX_LEASE_TTL_MS) {
      throw invalid("lease_ttl_ms must be a whole number of milliseconds from " + MIN_LEASE_TTL_MS
          + " to " + MAX_LEASE_TTL_MS);
    }
    return node.asInt();
  }

  private static String text(JsonNode object, String field, boolean required) {
    JsonNode node = object.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        throw invalid(field + " is required");
      }
      return null;
    }
    if (!node.isTextual()) {
      throw invalid(field + " must be a string");
    }
    return node.asText();
  }

  private static TandemError invalid(String message) {
    return TandemError.badRequest("invalid_subscription", message);
  }

  public boolean isWebhook() {
    return WEBHOOK.equals(type);
  }

  /** SHA-256 (hex) of the normalized configuration: type, pattern, streams, delivery, lease, description. */
  public String hash() {
    ObjectNode canonical = JSON.createObjectNode();
    canonical.put("type", type);
    canonical.put("pattern", pattern == null ? null : pattern.pattern());
    ArrayNode list = canonical.putArray("streams");
    streams.forEach(list::add);
    canonical.put("webhook_url", webhookUrl);
    canonical.put("wake_stream", wakeStream);
    canonical.put("lease_ttl_ms", leaseTtlMs);
    canonical.put("description", description);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
