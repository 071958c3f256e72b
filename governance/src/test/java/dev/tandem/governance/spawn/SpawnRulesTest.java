package dev.tandem.governance.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.Role;
import dev.tandem.governance.access.Scope;
import dev.tandem.governance.access.ScopeMatcher;
import dev.tandem.governance.policy.SpawnLimits;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpawnRulesTest {

  private static final SpawnLimits LIMITS = new SpawnLimits(4, 16, 256);

  @ParameterizedTest(name = "depth {0}, children {1}, descendants {2} -> {3}")
  @CsvSource({
      "0, 0, 0, ok",
      "3, 15, 255, ok",
      "4, 0, 4, maxDepth:4:5",
      "9, 99, 999, maxDepth:4:10",
      "3, 16, 20, maxChildren:16:17",
      "1, 40, 999, maxChildren:16:41",
      "3, 15, 256, maxDescendants:256:257",
      "0, 0, 300, maxDescendants:256:301",
  })
  void eachLimitAtItsBoundary(int depth, int children, int descendants, String expected) {
    SpawnDecision decision = SpawnRules.check(LIMITS, new SpawnTree(depth, children, descendants));
    if (expected.equals("ok")) {
      assertInstanceOf(SpawnDecision.Allowed.class, decision);
    } else {
      String[] parts = expected.split(":");
      assertEquals(new SpawnDecision.Violation(parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2])), decision);
    }
  }

  @Test
  void unsetLimitsTakeTheDefaults() {
    SpawnLimits defaults = SpawnLimits.DEFAULT;
    assertInstanceOf(SpawnDecision.Allowed.class,
        SpawnRules.check(SpawnLimits.NONE, new SpawnTree(defaults.maxDepth() - 1, defaults.maxChildren() - 1, 0)));
    assertEquals(new SpawnDecision.Violation("maxDepth", defaults.maxDepth(), defaults.maxDepth() + 1),
        SpawnRules.check(SpawnLimits.NONE, new SpawnTree(defaults.maxDepth(), 0, 0)));
    assertEquals(new SpawnDecision.Violation("maxChildren", 2, 3),
        SpawnRules.check(new SpawnLimits(null, 2, null), new SpawnTree(0, 2, 2)));
  }

  @Test
  void aLimitOfOneAllowsExactlyOne() {
    SpawnLimits one = new SpawnLimits(1, 1, 1);
    assertInstanceOf(SpawnDecision.Allowed.class, SpawnRules.check(one, new SpawnTree(0, 0, 0)));
    assertEquals("maxDepth", ((SpawnDecision.Violation) SpawnRules.check(one, new SpawnTree(1, 0, 1))).limit());
    assertEquals("maxChildren", ((SpawnDecision.Violation) SpawnRules.check(one, new SpawnTree(0, 1, 1))).limit());
  }

  @Test
  void violationsExplainThemselves() {
    SpawnDecision.Violation v = new SpawnDecision.Violation("maxChildren", 16, 17);
    assertEquals("spawning would exceed maxChildren 16 (it would make 17)", v.message());
  }

  @Test
  void negativeCountsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new SpawnTree(-1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new SpawnTree(0, -1, 0));
    assertThrows(IllegalArgumentException.class, () -> new SpawnTree(0, 0, -1));
  }

  // --- child scopes ---

  private static Principal spawner(Scope... scopes) {
    return new Principal("agent-1", Set.of(Role.AGENT), List.of(scopes));
  }

  private static Scope scope(String prefix, Action... actions) {
    return new Scope(prefix, EnumSet.copyOf(List.of(actions)));
  }

  @Test
  void aChildGetsTheSpawnersActionsConfinedToItsSubtree() {
    Principal p = spawner(scope("team-a", Action.READ, Action.APPEND));
    List<Scope> scopes = SpawnRules.childScopes(p, "team-a/s1/child-1");
    assertEquals(List.of(scope("team-a/s1/child-1", Action.READ, Action.APPEND)), scopes);
    Principal child = new Principal("child-1", Set.of(Role.AGENT), scopes);
    assertTrue(ScopeMatcher.allows(child, Action.APPEND, "team-a/s1/child-1/grandchild"));
    assertEquals(false, ScopeMatcher.allows(child, Action.READ, "team-a/s1"), "never the parent");
    assertEquals(false, ScopeMatcher.allows(child, Action.READ, "team-a/s1/child-10"), "never a sibling");
  }

  @Test
  void neverMoreThanTheSpawnerHasOnTheParent() {
    Principal p = spawner(scope("team-a/s1", Action.READ), scope("team-a/s1/child-1", Action.READ, Action.APPEND,
        Action.APPROVE));
    assertEquals(List.of(scope("team-a/s1/child-1", Action.READ)), SpawnRules.childScopes(p, "team-a/s1/child-1"));
  }

  @Test
  void neverMoreThanTheSpawnerHasOnTheChildPath() {
    Principal p = spawner(scope("team-a/s1", Action.READ, Action.APPEND), scope("team-a/s1/", Action.APPROVE));
    assertEquals(List.of(scope("x/child", Action.READ)),
        SpawnRules.childScopes(spawner(scope("team-a/s1", Action.READ), scope("x", Action.READ, Action.APPEND)),
            "team-a/s1", "x/child"), "a child placed elsewhere gets only what the spawner holds on both");
    assertEquals(List.of(scope("team-a/s1/c", Action.READ, Action.APPEND, Action.APPROVE)),
        SpawnRules.childScopes(p, "team-a/s1/c"));
  }

  @Test
  void adminPassesOnOnlyWhenHeldOnBoth() {
    Principal admin = spawner(scope("team-a", Action.ADMIN));
    assertEquals(List.of(new Scope("team-a/s/c", EnumSet.allOf(Action.class))), SpawnRules.childScopes(admin, "team-a/s/c"));
    Principal split = spawner(scope("team-a/s", Action.READ), scope("team-a/s/c", Action.ADMIN));
    assertEquals(List.of(scope("team-a/s/c", Action.READ)), SpawnRules.childScopes(split, "team-a/s/c"));
  }

  @Test
  void nothingForNoRightsOrBadPaths() {
    Principal p = spawner(scope("team-a", Action.READ));
    assertEquals(List.of(), SpawnRules.childScopes(p, "team-b/s/c"));
    assertEquals(List.of(), SpawnRules.childScopes(p, "team-a"), "a top-level path has no parent");
    assertEquals(List.of(), SpawnRules.childScopes(p, "team-a/../team-b/c"));
    assertEquals(List.of(), SpawnRules.childScopes(p, "team-a/s/%2e%2e"));
    assertEquals(List.of(), SpawnRules.childScopes(p, "team-a/s//c"));
    assertEquals(List.of(), SpawnRules.childScopes(p, null));
    assertEquals(List.of(), SpawnRules.childScopes(spawner(), "team-a/s/c"));
  }

  @Test
  void aMintedChildIsAnAgentWithAtMostWhatItAskedForAndTheSpawnerHas() {
    Principal manager = new Principal("mia", Set.of(Role.MANAGER, Role.HUMAN),
        List.of(scope("team-a", Action.READ, Action.APPEND, Action.APPROVE)));
    Principal child = SpawnRules.childPrincipal(manager, "team-a/s", "team-a/s/c", "agent:team-a/s/c",
        EnumSet.of(Action.READ, Action.APPEND, Action.ADMIN));
    assertEquals("agent:team-a/s/c", child.subject());
    assertEquals(Set.of(Role.AGENT), child.roles(), "a manager's child never approves");
    assertEquals(List.of(scope("team-a/s/c", Action.READ, Action.APPEND)), child.scopes(), "admin was not the spawner's");
    assertEquals(List.of(scope("team-a/s/c", Action.READ, Action.APPEND, Action.APPROVE)),
        SpawnRules.childPrincipal(manager, "team-a/s", "team-a/s/c", "c", null).scopes());
    assertEquals(List.of(), SpawnRules.childPrincipal(manager, "team-a/s", "team-a/s/c", "c", Set.of(Action.ADMIN)).scopes());
    assertEquals(List.of(), SpawnRules.childPrincipal(manager, "team-b/s", "team-b/s/c", "c", null).scopes());
  }
}
