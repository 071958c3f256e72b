package dev.tandem.governance.access;

/** What kind of participant a principal is; policies name roles as approvers. */
public enum Role {
  HUMAN,
  AGENT,
  MANAGER,
  ADMIN
}
