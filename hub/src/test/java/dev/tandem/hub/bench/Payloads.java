package dev.tandem.hub.bench;

import io.vertx.core.buffer.Buffer;

/**
 * The events the harness writes: ~100-byte JSON objects carrying the writer's
 * {@link System#nanoTime()} as {@code "t"}, so a reader in the same process can tell how long
 * the event took from append to delivery.
 */
final class Payloads {

  static final int EVENT_BYTES = 100;
  private static final String PAD = "x".repeat(EVENT_BYTES);

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
  static int scanTimestamps(Buffer bytes, TimestampSink sink) {
    int found = 0;
    int length = bytes.length();
    for (int at = 0; at + 4 < length; at++) {
      if (bytes.getByte(at) != '"' || bytes.getByte(at + 1) != 't' || bytes.getByte(at + 2) != '"'
          || bytes.getByte(at + 3) != ':') {
        continue;
      }
      at += 4;
      while (at < length && bytes.getByte(at) == ' ') {
        at++;
      }
      long value = 0;
      int start = at;
      while (at < length && bytes.getByte(at) >= '0' && bytes.getByte(at) <= '9') {
        value = value * 10 + (bytes.getByte(at) - '0');
        at++;
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
