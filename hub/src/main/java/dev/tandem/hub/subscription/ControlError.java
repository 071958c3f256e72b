package dev.tandem.hub.subscription;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A refusal whose shape the subscription protocol prescribes:
 * {@code {"error": {"code": "FENCED", "message": ..., ...}}} with an upper-case code that
 * workers branch on (PROTOCOL 7.1 to 7.3). Everything else the subscription routes refuse is
 * a {@link dev.tandem.hub.http.TandemError} with the hub's usual flat body.
 */
public final class ControlError extends RuntimeException {

  private final int status;
  private final String code;
  private final Map<String, Object> details;

  private ControlError(int status, String code, String message, Map<String, Object> details) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The request names a wake that is not the current one (or a lease that ran out). */
  public static ControlError fenced(String message) {
    return new ControlError(409, "FENCED", message, Map.of());
  }

  public static ControlError alreadyClaimed(String holder, long generation) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("current_holder", holder);
    details.put("generation", generation);
    return new ControlError(409, "ALREADY_CLAIMED", "another worker holds the lease", details);
  }

  public static ControlError noPendingWork() {
    return new ControlError(409, "NO_PENDING_WORK", "no linked stream has records after its acked offset", Map.of());
  }

  public static ControlError invalidOffset(String message) {
    return new ControlError(409, "INVALID_OFFSET", message, Map.of());
  }

  public static ControlError tokenInvalid(String message) {
    return new ControlError(401, "TOKEN_INVALID", message, Map.of());
  }

  public static ControlError tokenExpired() {
    return new ControlError(401, "TOKEN_EXPIRED", "the token has expired", Map.of());
  }

  public static ControlError webhookUrlRejected(String message) {
    return new ControlError(400, "WEBHOOK_URL_REJECTED", message, Map.of());
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Map<String, Object> details() {
    return details;
  }
}
