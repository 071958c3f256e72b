package dev.tandem.governance.spawn;

import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.Role;
import dev.tandem.governance.access.Scope;
import dev.tandem.governance.access.ScopeMatcher;
import dev.tandem.governance.access.StreamPaths;
import dev.tandem.governance.policy.SpawnLimits;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a stream may spawn a child, and what a child's token may do. Invariants: a tree never
 * grows past the limits of the parent's effective policy, and a child's rights are never more
 * than its spawner's: confined to the child's subtree, and only actions the spawner holds on both
 * the parent and the child path.
 */
public final class SpawnRules {

  private SpawnRules() {}

  /**
   * Checks depth, then the parent's fan-out, then the tree's size, and reports the first limit
   * the new child would break. Unset limits take {@link SpawnLimits#DEFAULT}.
   */
  public static SpawnDecision check(SpawnLimits limits, SpawnTree tree) {
    SpawnLimits max = limits.orDefaults();
    if (tree.parentDepth() + 1 > max.maxDepth()) {
      return new SpawnDecision.Violation("maxDepth", max.maxDepth(), tree.parentDepth() + 1);
    }
    if (tree.liveChildren() + 1 > max.maxChildren()) {
      return new SpawnDecision.Violation("maxChildren", max.maxChildren(), tree.liveChildren() + 1);
    }
    if (tree.rootDescendants() + 1 > max.maxDescendants()) {
      return new SpawnDecision.Violation("maxDescendants", max.maxDescendants(), tree.rootDescendants() + 1);
    }
    return new SpawnDecision.Allowed();
  }

  /** {@link #childScopes(Principal, String, String)} for a child nested under its parent's path. */
  public static List<Scope> childScopes(Principal spawner, String childPath) {
    String parent = childPath == null ? null : StreamPaths.parentOf(childPath);
    return parent == null ? List.of() : childScopes(spawner, parent, childPath);
  }

  /**
   * The most a token minted for a child may hold: one scope on the child's subtree with the
   * actions the spawner holds on both {@code parentPath} and {@code childPath} (admin included
   * only if it holds admin on both). Empty when that is nothing or either path is invalid. The
   * hub may narrow it further, never widen it.
   */
  public static List<Scope> childScopes(Principal spawner, String parentPath, String childPath) {
    return scopeOn(childPath, heldOnBoth(spawner, parentPath, childPath, EnumSet.allOf(Action.class)));
  }

  /**
   * The principal a token minted for a child agent carries: role {@link Role#AGENT} only (a
   * manager's child never inherits the right to approve), and {@link #childScopes} narrowed to
   * {@code requested} ({@code null} asks for everything allowed). Actions requested beyond what
   * is allowed are dropped, never granted.
   */
  public static Principal childPrincipal(Principal spawner, String parentPath, String childPath, String subject,
                                         Set<Action> requested) {
    Set<Action> wanted = requested == null ? EnumSet.allOf(Action.class) : requested;
    return new Principal(subject, Set.of(Role.AGENT), scopeOn(childPath, heldOnBoth(spawner, parentPath, childPath,
        wanted)));
  }

  /** Those of {@code wanted} that {@code spawner} may do on both paths; none when either is invalid. */
  private static Set<Action> heldOnBoth(Principal spawner, String parentPath, String childPath, Set<Action> wanted) {
    Set<Action> held = EnumSet.noneOf(Action.class);
    if (StreamPaths.validate(parentPath) != null || StreamPaths.validate(childPath) != null) {
      return held;
    }
    for (Action action : wanted) {
      if (ScopeMatcher.allows(spawner, action, parentPath) && ScopeMatcher.allows(spawner, action, childPath)) {
        held.add(action);
      }
    }
    return held;
  }

  // A scope on the child path covers exactly the child's subtree: prefixes are closed downwards,
  // so whatever scope of the spawner covers the child path also covers all of that subtree.
  private static List<Scope> scopeOn(String childPath, Set<Action> actions) {
    return actions.isEmpty() ? List.of() : List.of(new Scope(childPath, actions));
  }
}
