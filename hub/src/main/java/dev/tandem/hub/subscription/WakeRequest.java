package dev.tandem.hub.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.hub.http.TandemError;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of a callback, ack or release (PROTOCOL 7.1, 7.2): which wake it speaks for, the
 * offsets it acks and whether the worker is done.
 */
public record WakeRequest(String wakeId, long generation, List<Ack> acks, boolean done) {

  /** Processed through {@code offset} (inclusive) on {@code stream}. */
  public record Ack(String stream, String offset) {}

  static final int MAX_ACKS = 1_000;

  /** Validates a parsed body; {@code withAcks} false for release, which acks nothing. */
  public static WakeRequest parse(JsonNode body, boolean withAcks) {
    if (body == null || !body.isObject()) {
      throw invalid("the body must be a JSON object with wake_id and generation");
    }
    JsonNode wakeId = body.get("wake_id");
    if (wakeId == null || !wakeId.isTextual()) {
      throw invalid("wake_id must be the wake's id");
    }
    JsonNode generation = body.get("generation");
    if (generation == null || !generation.isIntegralNumber() || !generation.canConvertToLong() || generation.asLong() < 0) {
      throw invalid("generation must be the wake's generation (a whole number)");
    }
    List<Ack> acks = new ArrayList<>();
    boolean done = false;
    if (withAcks) {
      JsonNode list = body.get("acks");
      if (list != null && !list.isNull()) {
        if (!list.isArray() || list.size() > MAX_ACKS) {
          throw invalid("acks must be an array of at most " + MAX_ACKS + " {\"stream\", \"offset\"} objects");
        }
        for (JsonNode ack : list) {
          JsonNode stream = ack.has("stream") ? ack.get("stream") : ack.get("path");
          JsonNode offset = ack.get("offset");
          if (!ack.isObject() || stream == null || !stream.isTextual() || offset == null || !offset.isTextual()) {
            throw invalid("each ack needs a stream path and an offset, both strings");
          }
          acks.add(new Ack(stream.asText(), offset.asText()));
        }
      }
      JsonNode doneNode = body.get("done");
      if (doneNode != null && !doneNode.isNull()) {
        if (!doneNode.isBoolean()) {
          throw invalid("done must be true or false");
        }
        done = doneNode.booleanValue();
      }
    }
    return new WakeRequest(wakeId.asText(), generation.asLong(), acks, done);
  }

  private static TandemError invalid(String message) {
    return TandemError.badRequest("invalid_request", message);
  }
}
