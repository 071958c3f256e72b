package dev.tandem.governance.access;

/**
 * The rule for stream paths ({@code team-a/sessions/42}): non-empty segments of letters,
 * digits and {@code - _ . ~ : @}, never {@code .} or {@code ..}. Anything else, percent-encoded
 * characters included, could mean different paths to different parts of the system, so it is
 * refused outright.
 */
public final class StreamPaths {

  public static final int MAX_LENGTH = 1024;

  private StreamPaths() {}

  /** Null when {@code path} is valid, else why it is not. */
  public static String validate(String path) {
    if (path == null || path.isEmpty()) {
      return "the stream path is empty";
    }
    if (path.length() > MAX_LENGTH) {
      return "the stream path is longer than " + MAX_LENGTH + " characters";
    }
    int segmentStart = 0;
    for (int i = 0; i <= path.length(); i++) {
      if (i == path.length() || path.charAt(i) == '/') {
        String segment = path.substring(segmentStart, i);
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
          return "stream path segments must be non-empty and not . or ..";
        }
        segmentStart = i + 1;
        continue;
      }
      char c = path.charAt(i);
      boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == '@';
      if (!allowed) {
        String shown = c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
        return "stream paths may hold letters, digits and - _ . ~ : @ (got '" + shown + "')";
      }
    }
    return null;
  }

  /** The path one segment up ({@code a/b} for {@code a/b/c}), or null for a top-level path. */
  public static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? null : path.substring(0, slash);
  }
}
