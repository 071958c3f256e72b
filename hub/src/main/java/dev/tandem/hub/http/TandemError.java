package dev.tandem.hub.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A domain error that becomes one HTTP response: a status, a machine-readable code, a message
 * for humans and any protocol headers the response must carry (for example
 * {@code Stream-Closed: true} on a 409 for a closed stream).
 *
 * <p>Every bad input is answered through this type, so the one place that writes it
 * ({@link Responses#error}) decides the body shape: {@code {"error": code, "message": ...}}.
 */
public final class TandemError extends RuntimeException {

  private final int status;
  private final String code;
  private final Map<String, String> headers;

  private TandemError(int status, String code, String message, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }

  public static TandemError of(int status, String code, String message) {
    return new TandemError(status, code, message, Map.of());
  }

  public static TandemError badRequest(String code, String message) {
    return of(400, code, message);
  }

  public static TandemError notFound(String message) {
    return of(404, "not_found", message);
  }

  public static TandemError conflict(String code, String message) {
    return of(409, code, message);
  }

  public static TandemError gone(String message) {
    return of(410, "gone", message);
  }

  public static TandemError tooLarge(String message) {
    return of(413, "payload_too_large", message);
  }

  public static TandemError unavailable(String message) {
    return of(503, "unavailable", message);
  }

  /** The same error with one more response header. */
  public TandemError withHeader(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.put(name, value);
    return new TandemError(status, code, getMessage(), copy);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
