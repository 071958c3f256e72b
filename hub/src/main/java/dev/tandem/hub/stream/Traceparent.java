package dev.tandem.hub.stream;

/**
 * The W3C Trace Context {@code traceparent} an append may carry (https://www.w3.org/TR/trace-context/):
 * {@code version-traceid-parentid-flags}, e.g. {@code 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01}.
 *
 * <p>The hub stores it with each event the append created and hands it to subscribers, so a
 * reader can continue the writer's trace. It is not a field the hub acts on, so a value that
 * does not parse is dropped rather than refused: the specification says a receiver "MUST
 * ignore" an invalid traceparent, and an append must never fail because of tracing.
 */
public final class Traceparent {

  /** Length of a version-00 traceparent: 2 + 1 + 32 + 1 + 16 + 1 + 2. */
  static final int LENGTH = 55;

  private Traceparent() {}

  /**
   * The traceparent to store, or null when {@code value} is absent or invalid. A future
   * version's value is reduced to the version-00 fields it starts with, as the specification
   * asks of a receiver that only knows version 00.
   */
  public static String parse(String value) {
    if (value == null || value.length() < LENGTH) {
      return null;
    }
    if (!hex(value, 0, 2) || value.startsWith("ff") || value.charAt(2) != '-'
        || !hex(value, 3, 35) || value.charAt(35) != '-'
        || !hex(value, 36, 52) || value.charAt(52) != '-'
        || !hex(value, 53, 55)) {
      return null;
    }
    if (zeros(value, 3, 35) || zeros(value, 36, 52)) {
      return null; // all-zero trace and parent ids are invalid
    }
    boolean version00 = value.startsWith("00");
    if (value.length() > LENGTH && (version00 || value.charAt(LENGTH) != '-')) {
      return null; // version 00 is exactly 55 characters; later versions may only add "-..."
    }
    return version00 ? value : "00" + value.substring(2, LENGTH);
  }

  /** Lowercase hex only: the specification does not allow uppercase. */
  private static boolean hex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  private static boolean zeros(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }
}
