package dev.tandem.hub.http;

import io.vertx.core.http.HttpServerRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Query parameters with their bounds: a value outside them is a 400 naming the parameter. */
public final class Params {

  private static final Pattern WAIT = Pattern.compile("([0-9]{1,6})(ms|s|m)?");
  private static final long MAX_WAIT_MS = 300_000;

  private Params() {}

  public static int bounded(HttpServerRequest request, String name, int fallback, int min, int max) {
    String raw = request.getParam(name);
    if (raw == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // answered below
    }
    throw TandemError.badRequest("invalid_parameter", name + " must be a whole number from " + min + " to " + max);
  }

  /** The {@code wait} parameter of a long-poll in milliseconds (0 when absent): 30s, 2m, 500ms or seconds; at most 5m. */
  public static long waitMillis(HttpServerRequest request) {
    String wait = request.getParam("wait");
    if (wait == null) {
      return 0;
    }
    Matcher m = WAIT.matcher(wait);
    if (!m.matches()) {
      throw TandemError.badRequest("invalid_parameter", "wait is a duration like 30s, 2m or 500ms");
    }
    long n = Long.parseLong(m.group(1));
    long ms = m.group(2) == null || m.group(2).equals("s") ? n * 1000 : m.group(2).equals("m") ? n * 60_000 : n;
    if (ms > MAX_WAIT_MS) {
      throw TandemError.badRequest("invalid_parameter", "wait is at most 5m");
    }
    return ms;
  }
}
