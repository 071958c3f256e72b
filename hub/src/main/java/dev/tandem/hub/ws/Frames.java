package dev.tandem.hub.ws;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.presence.PresenceRegistry;
import dev.tandem.hub.stream.ContentTypes;
import dev.tandem.hub.stream.Offsets;
import dev.tandem.hub.stream.Stamp;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Encodes the frames the hub sends (docs/websocket.md). {@link #events} is on the hot path:
 * the frame for a committed batch is built once, as text, and the same string is written to
 * every live subscriber of the stream. Stored JSON is spliced in as it is, never re-encoded.
 */
final class Frames {

  static final ObjectMapper JSON = new ObjectMapper();
  static final int VERSION = 1;

  private Frames() {}

  /**
   * An {@code events} frame for {@code records[from..]}, the first of which has offset
   * {@code firstSeq + from}. {@code stamps} (null when no record has one) adds {@code by} (the
   * author) and {@code traceparent} fields to the events that have them; a traceparent needs
   * no escaping, being validated hex and dashes.
   */
  static String events(String stream, String contentType, long firstSeq, List<Buffer> records,
                       List<Stamp> stamps, int from) {
    boolean json = ContentTypes.isJson(contentType);
    int size = 96 + stream.length();
    for (int i = from; i < records.size(); i++) {
      size += records.get(i).length() * (json ? 1 : 2) + (stamps == null ? 64 : 64 + 72 + 64);
    }
    StringBuilder frame = new StringBuilder(size)
        .append("{\"type\":\"events\",\"stream\":\"").append(quote(stream)).append("\",\"events\":[");
    for (int i = from; i < records.size(); i++) {
      if (i > from) {
        frame.append(',');
      }
      frame.append("{\"offset\":\"").append(Offsets.format(firstSeq + i)).append("\",\"data\":");
      if (json) {
        frame.append(records.get(i).toString(StandardCharsets.UTF_8));
      } else {
        frame.append('"').append(Base64.getEncoder().encodeToString(records.get(i).getBytes()))
            .append("\",\"encoding\":\"base64\"");
      }
      Stamp stamp = stamps == null ? Stamp.NONE : stamps.get(i);
      if (stamp.author() != null) {
        frame.append(",\"by\":\"").append(quote(stamp.author())).append('"');
      }
      if (stamp.traceparent() != null) {
        frame.append(",\"traceparent\":\"").append(stamp.traceparent()).append('"');
      }
      frame.append('}');
    }
    return frame.append("],\"next\":\"").append(Offsets.format(firstSeq + records.size())).append("\"}").toString();
  }

  static String streamEnded(String type, String stream, long next) {
    ObjectNode frame = JSON.createObjectNode().put("type", type).put("stream", stream);
    if (next >= 0) {
      frame.put("next", Offsets.format(next));
    }
    return frame.toString();
  }

  static String presence(String stream, PresenceRegistry.Diff diff) {
    ObjectNode frame = JSON.createObjectNode().put("type", "presence").put("stream", stream);
    if (!diff.joined().isEmpty()) {
      frame.set("joined", members(diff.joined()));
    } else if (!diff.updated().isEmpty()) {
      frame.set("updated", members(diff.updated()));
    } else {
      ArrayNode left = frame.putArray("left");
      diff.left().forEach(left::add);
    }
    return frame.toString();
  }

  static String presenceSnapshot(String stream, List<PresenceRegistry.Member> present) {
    ObjectNode frame = JSON.createObjectNode().put("type", "presence").put("stream", stream);
    frame.set("present", members(present));
    return frame.toString();
  }

  static ArrayNode members(List<PresenceRegistry.Member> members) {
    ArrayNode array = JSON.createArrayNode();
    for (PresenceRegistry.Member m : members) {
      ObjectNode member = array.addObject().put("participant", m.participant()).put("kind", m.kind());
      member.set("state", m.state() == null ? JSON.createObjectNode() : m.state());
    }
    return array;
  }

  /** A reply to request {@code re} (null when the request had no id). */
  static ObjectNode reply(String type, JsonNode re) {
    ObjectNode frame = JSON.createObjectNode().put("type", type);
    if (re != null && !re.isNull()) {
      frame.set("re", re);
    }
    return frame;
  }

  static String error(JsonNode re, TandemError error) {
    ObjectNode frame = reply("error", re);
    frame.put("code", error.code()).put("message", error.getMessage()).put("status", error.status());
    error.headers().forEach((name, value) -> {
      if (name.startsWith("Producer-") || name.equals("Stream-Next-Offset")) {
        frame.put(camel(name), value);
      }
    });
    return frame.toString();
  }

  /** {@code Producer-Expected-Seq} → {@code producerExpectedSeq}, for error details. */
  private static String camel(String header) {
    StringBuilder out = new StringBuilder();
    boolean upper = false;
    for (char c : header.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        out.append(out.length() == 0 ? Character.toLowerCase(c) : upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
        upper = false;
      }
    }
    return out.toString();
  }

  private static String quote(String text) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(text));
  }
}
