package dev.tandem.hub.stream;

import dev.tandem.hub.http.TandemError;

/**
 * Stream paths in URLs and headers: what follows {@code /v1/stream/}, e.g.
 * {@code team-a/sessions/42}. The character rule is governance's (one rule for routing and
 * for authorisation); the first segment {@code __ds} is reserved for protocol control APIs.
 */
public final class StreamPaths {

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
    String problem = dev.tandem.governance.access.StreamPaths.validate(path);
    if (problem != null) {
      throw invalid(problem);
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
