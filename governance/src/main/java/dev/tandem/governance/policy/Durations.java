package dev.tandem.governance.policy;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the durations policies are written with: ISO-8601 ({@code PT4H}, {@code P2D}) or the
 * shorthand {@code 30s}, {@code 15m}, {@code 4h}, {@code 2d}. Zero and negative durations are
 * refused: an approval that expires before anyone can see it is a mistake, not a policy.
 */
final class Durations {

  private static final Pattern SHORTHAND = Pattern.compile("([0-9]{1,9})([smhd])");

  private Durations() {}

  static Duration parse(String text, String at) {
    Duration d;
    Matcher m = SHORTHAND.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d = switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    } else {
      try {
        d = Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw new PolicyException(at + " must be a duration like PT4H, 30s, 15m, 4h or 2d, got '" + text + "'");
      }
    }
    if (d.isZero() || d.isNegative()) {
      throw new PolicyException(at + " must be positive, got '" + text + "'");
    }
    return d;
  }

  /** ISO-8601, the form {@link #parse} reads back to the same duration. */
  static String format(Duration d) {
    return d.toString();
  }
}
