package dev.tandem.governance.policy;

import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.Role;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Who may decide a gate's approvals: holders of any of {@code roles}, and the named
 * {@code subjects} whatever their roles. Never empty, so every gate can be decided by someone.
 * Whether the requester may decide its own request is the gate's {@code allowSelfApproval}.
 */
public record Approvers(Set<Role> roles, Set<String> subjects) {

  /** Used when a gate names no approvers. */
  public static final Approvers DEFAULT = new Approvers(EnumSet.of(Role.MANAGER, Role.ADMIN), Set.of());

  public Approvers {
    roles = roles.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(roles));
    subjects = Collections.unmodifiableSet(new LinkedHashSet<>(subjects));
    if (roles.isEmpty() && subjects.isEmpty()) {
      throw new PolicyException("approvers must name at least one role or subject");
    }
  }

  public boolean includes(Principal principal) {
    if (subjects.contains(principal.subject())) {
      return true;
    }
    for (Role role : principal.roles()) {
      if (roles.contains(role)) {
        return true;
      }
    }
    return false;
  }

  /** Whether everyone these approvers admit is also admitted by {@code wider}. */
  public boolean within(Approvers wider) {
    return wider.roles.containsAll(roles) && wider.subjects.containsAll(subjects);
  }
}
