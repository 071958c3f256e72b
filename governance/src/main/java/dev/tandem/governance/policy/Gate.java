package dev.tandem.governance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.Role;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One approval gate: which events it holds, who may release them, and how.
 *
 * @param types event types it matches (any, when empty)
 * @param where predicates that must all hold
 * @param approverRoles roles whose holders may decide
 * @param approverSubjects subjects who may decide whatever their roles
 * @param quorum distinct approvals needed
 * @param expiresAfter how long a request waits for a decision
 * @param onExpiry what an expired request becomes
 */
public record Gate(String name, Set<String> types, List<Predicate> where, Set<Role> approverRoles,
                   Set<String> approverSubjects, int quorum, boolean allowSelfApproval,
                   Duration expiresAfter, ExpiryOutcome onExpiry, boolean allowEdit) {

  public enum ExpiryOutcome { REJECT, APPROVE }

  public Gate {
    types = Set.copyOf(types);
    where = List.copyOf(where);
    approverRoles = Set.copyOf(approverRoles);
    approverSubjects = Set.copyOf(approverSubjects);
  }

  /** Whether this gate holds {@code event} (a JSON object with a {@code type}). */
  public boolean matches(JsonNode event) {
    if (event == null || !event.isObject()) {
      return false;
    }
    if (!types.isEmpty() && !types.contains(event.path("type").asText(null))) {
      return false;
    }
    for (Predicate predicate : where) {
      if (!predicate.test(event)) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code principal} is one of this gate's approvers (self-approval is checked apart). */
  public boolean isApprover(Principal principal) {
    if (approverSubjects.contains(principal.subject())) {
      return true;
    }
    for (Role role : principal.roles()) {
      if (approverRoles.contains(role)) {
        return true;
      }
    }
    return false;
  }
}
