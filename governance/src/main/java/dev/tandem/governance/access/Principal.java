package dev.tandem.governance.access;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An authenticated caller: its subject (the participant id), roles and scopes. Roles say who
 * may approve what; scopes alone bound where the principal may act (see {@link ScopeMatcher}).
 */
public record Principal(String subject, Set<Role> roles, List<Scope> scopes) {

  public Principal {
    Objects.requireNonNull(subject, "subject");
    roles = Set.copyOf(roles);
    scopes = List.copyOf(scopes);
  }

  public boolean hasRole(Role role) {
    return roles.contains(role);
  }
}
