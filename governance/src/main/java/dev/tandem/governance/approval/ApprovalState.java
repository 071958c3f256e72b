package dev.tandem.governance.approval;

/** Where an approval is. PENDING is the only state that changes; the others are final. */
public enum ApprovalState {
  PENDING,
  APPROVED,
  REJECTED,
  EXPIRED,
  CANCELED;

  public boolean settled() {
    return this != PENDING;
  }
}
