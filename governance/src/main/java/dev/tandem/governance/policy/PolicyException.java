package dev.tandem.governance.policy;

/** A policy document that cannot be used; the message names the field and what is wrong. */
public final class PolicyException extends RuntimeException {
  public PolicyException(String message) {
    super(message);
  }
}
