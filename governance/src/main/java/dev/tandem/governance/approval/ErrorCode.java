package dev.tandem.governance.approval;

import java.util.Locale;

/**
 * Why a command on a pending approval was refused. {@link #callerForbidden()} separates "you may
 * not decide this" (the hub answers 403) from "this request is wrong for this approval" (409).
 */
public enum ErrorCode {
  /** The caller is neither in the gate's approver roles nor among its approver subjects. */
  NOT_AN_APPROVER(true),
  /** The requester tried to approve or reject its own request and the gate does not allow it. */
  SELF_APPROVAL_FORBIDDEN(true),
  /** Someone other than the requester, without the admin role, tried to cancel. */
  ONLY_REQUESTER_MAY_CANCEL(true),
  /** An approval carried an edited event, but the gate does not allow edits. */
  EDIT_NOT_ALLOWED(false),
  /** The edited event is not a JSON object, or its {@code type} differs from the proposed one. */
  INVALID_EDIT(false);

  private final boolean callerForbidden;

  ErrorCode(boolean callerForbidden) {
    this.callerForbidden = callerForbidden;
  }

  public boolean callerForbidden() {
    return callerForbidden;
  }

  /** The machine-readable code in error bodies: {@code not_an_approver}, ... */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
