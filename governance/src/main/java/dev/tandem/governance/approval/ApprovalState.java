package dev.tandem.governance.approval;

import java.util.Locale;

/**
 * Where an approval is. PENDING is the only state that changes; the others are terminal, which
 * is what makes every decision idempotent: once settled, a record never moves again.
 */
public enum ApprovalState {
  PENDING,
  APPROVED,
  REJECTED,
  EXPIRED,
  CANCELED;

  public boolean settled() {
    return this != PENDING;
  }

  /** The name used in events and the API: {@code pending}, {@code approved}, ... */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
