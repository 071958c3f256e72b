package dev.tandem.hub.stream;

import dev.tandem.hub.http.TandemError;

/**
 * Stream paths: what follows {@code /v1/stream/} in a URL, e.g. {@code team-a/sessions/42}.
 * Segments are non-empty, never {@code .} or {@code ..}, and made of unreserved URL characters,
 * so a path means the same thing to every proxy, cache and authorisation check on the way.
 * The first segment {@code __ds} is reserved for protocol control APIs.
 */
public final class StreamPaths {

  public static final int MAX_LENGTH = 1024;

  private StreamPaths() {}

  /** The stream path of a request URL path, or a 400. */
  public static String fromUrl(String urlPath) {
    if (!urlPath.startsWith(StreamRoutes.PREFIX)) {
      throw invalid("stream URLs look like " + StreamRoutes.PREFIX + "{path}");
    }
    return validate(urlPath.substring(StreamRoutes.PREFIX.length()));
  }

  /** A path given in a header ({@code Stream-Forked-From}): with or without the URL prefix. */
  public static String fromHeader(String value) {
    String path = value.trim();
    if (path.startsWith(StreamRoutes.PREFIX)) {
      path = path.substring(StreamRoutes.PREFIX.length());
    } else if (path.startsWith("/")) {
      path = path.substring(1);
    }
    return validate(path);
  }

  public static String validate(String path) {
    if (path.isEmpty()) {
      throw invalid("the stream path is empty");
    }
    if (path.length() > MAX_LENGTH) {
      throw invalid("the stream path is longer than " + MAX_LENGTH + " characters");
    }
    int segmentStart = 0;
    for (int i = 0; i <= path.length(); i++) {
      if (i == path.length() || path.charAt(i) == '/') {
        String segment = path.substring(segmentStart, i);
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
          throw invalid("stream path segments must be non-empty and not . or ..");
        }
        segmentStart = i + 1;
        continue;
      }
      char c = path.charAt(i);
      boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == '@';
      if (!allowed) {
        throw invalid("stream paths may hold letters, digits and - _ . ~ : @ (got '" + c + "')");
      }
    }
    if (path.equals("__ds") || path.startsWith("__ds/")) {
      throw invalid("paths under __ds are reserved for protocol control APIs");
    }
    return path;
  }

  private static TandemError invalid(String message) {
    return TandemError.badRequest("invalid_path", message);
  }
}
