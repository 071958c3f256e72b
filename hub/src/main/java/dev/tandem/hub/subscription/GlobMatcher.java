package dev.tandem.hub.subscription;

import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.stream.StreamPaths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A subscription's {@code pattern} (PROTOCOL 6.2): a stream path whose segments may be {@code *}
 * (exactly one segment) or {@code **} (zero or more segments). Wildcards are whole segments;
 * every other segment is literal.
 *
 * <p>The pattern compiles to one anchored regular expression that means the same thing to
 * Java and to Postgres ({@code ~}), so the hub matches paths in memory and in SQL alike.
 */
public final class GlobMatcher {

  private static final String SEGMENT = "[^/]+";

  private final String pattern;
  private final String regex;
  private final String literalPrefix;
  private final Pattern compiled;

  private GlobMatcher(String pattern, String regex, String literalPrefix) {
    this.pattern = pattern;
    this.regex = regex;
    this.literalPrefix = literalPrefix;
    this.compiled = Pattern.compile(regex);
  }

  /** Compiles a pattern (leading and trailing slashes are ignored); a malformed one is a 400. */
  public static GlobMatcher compile(String raw) {
    String pattern = trimSlashes(raw);
    if (pattern.isEmpty() || pattern.length() > dev.tandem.governance.access.StreamPaths.MAX_LENGTH) {
      throw invalid("pattern must be 1 to " + dev.tandem.governance.access.StreamPaths.MAX_LENGTH + " characters");
    }
    List<String> segments = new ArrayList<>();
    for (String segment : pattern.split("/", -1)) {
      if (segment.equals("**") && !segments.isEmpty() && segments.get(segments.size() - 1).equals("**")) {
        continue; // a/**/**/b means a/**/b
      }
      if (!segment.equals("*") && !segment.equals("**")) {
        if (segment.contains("*")) {
          throw invalid("* and ** must be whole path segments (got '" + segment + "')");
        }
        try {
          StreamPaths.validate(segment);
        } catch (TandemError e) {
          throw invalid("pattern segment '" + segment + "': " + e.getMessage());
        }
      }
      segments.add(segment);
    }
    if (segments.get(0).equals("__ds")) {
      throw invalid("paths under __ds are reserved for protocol control APIs");
    }
    return new GlobMatcher(String.join("/", segments), toRegex(segments), literalPrefix(segments));
  }

  private static String toRegex(List<String> segments) {
    StringBuilder regex = new StringBuilder("^");
    boolean separatorTaken = false; // a ** before this segment already ends with its own slash
    for (int i = 0; i < segments.size(); i++) {
      String segment = segments.get(i);
      boolean first = i == 0;
      boolean last = i == segments.size() - 1;
      if (segment.equals("**")) {
        if (first && last) {
          regex.append(SEGMENT).append("(?:/").append(SEGMENT).append(")*");
        } else if (last) {
          regex.append("(?:/").append(SEGMENT).append(")*");
        } else {
          if (!first) {
            regex.append('/');
          }
          regex.append("(?:").append(SEGMENT).append("/)*");
          separatorTaken = true;
          continue;
        }
      } else {
        if (!first && !separatorTaken) {
          regex.append('/');
        }
        regex.append(segment.equals("*") ? SEGMENT : segment.replace(".", "\\."));
      }
      separatorTaken = false;
    }
    return regex.append('$').toString();
  }

  /** The literal text every matching path starts with: its segments before the first wildcard. */
  private static String literalPrefix(List<String> segments) {
    List<String> literal = new ArrayList<>();
    for (String segment : segments) {
      if (segment.equals("*") || segment.equals("**")) {
        break;
      }
      literal.add(segment);
    }
    return String.join("/", literal);
  }

  static String trimSlashes(String path) {
    int start = 0;
    int end = path.length();
    while (start < end && path.charAt(start) == '/') {
      start++;
    }
    while (end > start && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(start, end);
  }

  public boolean matches(String path) {
    return compiled.matcher(path).matches();
  }

  /** The normalized pattern, as stored and returned. */
  public String pattern() {
    return pattern;
  }

  /** The anchored regular expression (POSIX ARE and java.util.regex alike). */
  public String regex() {
    return regex;
  }

  public String literalPrefix() {
    return literalPrefix;
  }

  private static TandemError invalid(String message) {
    return TandemError.badRequest("invalid_pattern", message);
  }
}
