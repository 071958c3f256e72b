package dev.tandem.governance.policy;

import java.util.Locale;

/**
 * What a pending approval becomes when nobody decides in time. REJECT is the default: silence
 * never releases an event unless a policy says so in writing.
 */
public enum OnExpiry {
  REJECT,
  APPROVE;

  /** The name used in policy documents and events: {@code reject}, {@code approve}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
