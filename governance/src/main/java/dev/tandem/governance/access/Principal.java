package dev.tandem.governance.access;

import java.util.List;
import java.util.Set;

/** An authenticated caller: its subject (the participant id), roles and scopes. */
public record Principal(String subject, Set<Role> roles, List<Scope> scopes) {

  public Principal {
    roles = Set.copyOf(roles);
    scopes = List.copyOf(scopes);
  }

  public boolean hasRole(Role role) {
    return roles.contains(role);
  }
}
