package dev.tandem.hub.bench;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * The events the harness writes: ~100-byte JSON objects carrying the writer's
 * {@link System#nanoTime()} as {@code "t"}, so a reader in the same process can tell how long
 * the event took from append to delivery.
 */
final class Payloads {

  static final int EVENT_BYTES = 100;
  private static final String PAD = "x".repeat(EVENT_BYTES);
  private static final String FIELD = "\"t\":";

  private Payloads() {}

  /** {@code {"type":"bench","t":<nanos>,"pad":"xxx…"}}, padded to about 100 bytes. */
  static String event(long nanos) {
    String head = "{\"type\":\"bench\",\"t\":" + nanos + ",\"pad\":\"";
    int pad = Math.max(1, EVENT_BYTES - head.length() - 2);
    return head + PAD.substring(0, pad) + "\"}";
  }

  static Buffer eventBuffer(long nanos) {
    return Buffer.buffer(event(nanos));
  }

  /** A JSON array of {@code count} events, for bulk loading. */
  static Buffer batch(int count, long nanos) {
    StringBuilder body = new StringBuilder(count * (EVENT_BYTES + 1) + 2).append('[');
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        body.append(',');
      }
      body.append(event(nanos));
    }
    return Buffer.buffer(body.append(']').toString());
  }

  /**
   * Calls {@code sink} with the {@code "t"} of every event in {@code bytes} (a WebSocket frame
   * or an HTTP read body) and returns how many there were. Scanning the raw bytes instead of
   * decoding and parsing keeps the reader's cost per delivery small, so the harness measures
   * the hub rather than itself.
   */
  static int scanTimestamps(Buffer buffer, TimestampSink sink) {
    // As Latin-1 text, one byte per char, so String.indexOf (a vectorised intrinsic) finds the
    // fields; a byte-at-a-time scan of the frames made the harness, not the hub, the limit.
    String text = buffer.toString(StandardCharsets.ISO_8859_1);
    int found = 0;
    int length = text.length();
    for (int at = text.indexOf(FIELD); at >= 0; at = text.indexOf(FIELD, at)) {
      at += FIELD.length();
      while (at < length && text.charAt(at) == ' ') {
        at++;
      }
      long value = 0;
      int start = at;
      for (char c; at < length && (c = text.charAt(at)) >= '0' && c <= '9'; at++) {
        value = value * 10 + (c - '0');
      }
      if (at > start) {
        sink.accept(value);
        found++;
      }
    }
    return found;
  }

  @FunctionalInterface
  interface TimestampSink {
    void accept(long nanos);
  }
}
