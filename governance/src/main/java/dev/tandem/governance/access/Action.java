package dev.tandem.governance.access;

/** What a scope allows on the streams under its prefix. ADMIN implies every other action. */
public enum Action {
  READ,
  APPEND,
  APPROVE,
  ADMIN
}
