package dev.tandem.governance.policy;

/**
 * A policy document that cannot be used. The message names the field by its JSON path
 * ({@code gates[0].quorum}) and says what is wrong, so the hub can return it as a 400 verbatim.
 */
public final class PolicyException extends RuntimeException {
  public PolicyException(String message) {
    super(message);
  }
}
