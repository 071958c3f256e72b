package dev.tandem.hub.stream;

import dev.tandem.hub.http.TandemError;

/**
 * Offsets on the wire. Each stream numbers its records 0, 1, 2, ...; the offset of a position
 * is that sequence number as {@code 0000000000000042_0000000000000000}: fixed width, so
 * lexicographic order is numeric order (PROTOCOL section 8). The second half is reserved and
 * always zero. The tail offset is the sequence number the next record will get.
 */
public final class Offsets {

  public static final String BEGINNING = "-1";
  public static final String NOW = "now";
  private static final int WIDTH = 16;
  private static final String RESERVED = "_0000000000000000";

  private Offsets() {}

  public static String format(long seq) {
    char[] digits = new char[WIDTH];
    long rest = seq;
    for (int i = WIDTH - 1; i >= 0; i--) {
      digits[i] = (char) ('0' + rest % 10);
      rest /= 10;
    }
    return new String(digits) + RESERVED;
  }

  /** Parses a server-minted offset (not a sentinel); a malformed one is a 400. */
  public static long parse(String offset) {
    if (offset == null || offset.length() != 2 * WIDTH + 1 || offset.charAt(WIDTH) != '_') {
      throw malformed(offset);
    }
    long seq = 0;
    for (int i = 0; i < offset.length(); i++) {
      char c = offset.charAt(i);
      if (i == WIDTH) {
        continue;
      }
      if (c < '0' || c > '9' || i > WIDTH && c != '0') {
        throw malformed(offset); // the reserved half is always zero in offsets this server issues
      }
      if (i < WIDTH) {
        seq = seq * 10 + (c - '0');
      }
    }
    return seq;
  }

  private static TandemError malformed(String offset) {
    return TandemError.badRequest("invalid_offset",
        "offset '" + offset + "' is not an offset this server issued (expected -1, now, or a Stream-Next-Offset value)");
  }
}
