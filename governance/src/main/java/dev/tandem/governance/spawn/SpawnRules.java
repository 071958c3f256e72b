package dev.tandem.governance.spawn;

import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.Role;
import dev.tandem.governance.access.Scope;
import dev.tandem.governance.access.ScopeMatcher;
import dev.tandem.governance.policy.SpawnLimits;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * May a parent spawn one more child, and what may the child's token do. Children never get
 * more than their spawner: the child token is scoped to the child's subtree, with only the
 * actions the spawner itself has on the parent.
 */
public final class SpawnRules {

  /** The tree as it is before the spawn. */
  public record Facts(int parentDepth, int liveChildren, int descendantsOfRoot) {}

  /** A limit the spawn would break: its name in the policy, the limit and what it would become. */
  public record Violation(String limit, int max, int wouldBe) {
    public String message() {
      return "spawn limit " + limit + " is " + max + "; this spawn would make it " + wouldBe;
    }
  }

  private SpawnRules() {}

  /** Null when the spawn is allowed. Depth counts from the root (depth 0). */
  public static Violation check(SpawnLimits limits, Facts facts) {
    int depth = facts.parentDepth() + 1;
    if (depth > limits.maxDepth()) {
      return new Violation("maxDepth", limits.maxDepth(), depth);
    }
    if (facts.liveChildren() + 1 > limits.maxChildren()) {
      return new Violation("maxChildren", limits.maxChildren(), facts.liveChildren() + 1);
    }
    if (facts.descendantsOfRoot() + 1 > limits.maxDescendants()) {
      return new Violation("maxDescendants", limits.maxDescendants(), facts.descendantsOfRoot() + 1);
    }
    return null;
  }

  /**
   * The principal a child agent's token carries: subject {@code subject}, role agent, scoped to
   * {@code childPath} with the requested actions that the spawner has on {@code parentPath}.
   */
  public static Principal childPrincipal(Principal spawner, String parentPath, String childPath, String subject,
                                         Set<Action> requested) {
    Set<Action> actions = EnumSet.noneOf(Action.class);
    for (Action action : requested) {
      if (ScopeMatcher.allows(spawner, action, parentPath)) {
        actions.add(action);
      }
    }
    return new Principal(subject, EnumSet.of(Role.AGENT), actions.isEmpty() ? List.of() : List.of(new Scope(childPath, actions)));
  }
}
