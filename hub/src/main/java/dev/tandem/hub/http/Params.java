package dev.tandem.hub.http;

import io.vertx.core.http.HttpServerRequest;

/** Query parameters with their bounds: a value outside them is a 400 naming the parameter. */
public final class Params {

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
}
