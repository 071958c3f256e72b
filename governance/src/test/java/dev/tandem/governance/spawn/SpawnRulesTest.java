package dev.tandem.governance.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

class SpawnRulesTest {

  private static final SpawnLimits LIMITS = new SpawnLimits(2, 3, 5);

  @Test
  void eachLimitIsNamedWhenExceeded() {
    assertNull(SpawnRules.check(LIMITS, new SpawnRules.Facts(1, 2, 4)));
    assertEquals(new SpawnRules.Violation("maxDepth", 2, 3), SpawnRules.check(LIMITS, new SpawnRules.Facts(2, 0, 0)));
    assertEquals(new SpawnRules.Violation("maxChildren", 3, 4), SpawnRules.check(LIMITS, new SpawnRules.Facts(0, 3, 0)));
    assertEquals(new SpawnRules.Violation("maxDescendants", 5, 6), SpawnRules.check(LIMITS, new SpawnRules.Facts(0, 0, 5)));
    assertTrue(SpawnRules.check(LIMITS, new SpawnRules.Facts(2, 0, 0)).message().contains("maxDepth"));
  }

  @Test
  void childTokensNeverExceedTheSpawnerAndStayInTheirSubtree() {
    Principal spawner = new Principal("planner", Set.of(Role.AGENT),
        List.of(new Scope("s/42", EnumSet.of(Action.READ, Action.APPEND))));
    Principal child = SpawnRules.childPrincipal(spawner, "s/42", "s/42/agents/r", "agent:s/42/agents/r",
        EnumSet.of(Action.READ, Action.APPEND, Action.ADMIN, Action.APPROVE));
    assertEquals(Set.of(Role.AGENT), child.roles());
    assertEquals(EnumSet.of(Action.READ, Action.APPEND), child.scopes().get(0).actions());
    assertTrue(ScopeMatcher.allows(child, Action.APPEND, "s/42/agents/r"));
    assertTrue(ScopeMatcher.allows(child, Action.APPEND, "s/42/agents/r/agents/x"));
    assertFalse(ScopeMatcher.allows(child, Action.APPEND, "s/42"), "not its parent");
    assertFalse(ScopeMatcher.allows(child, Action.READ, "s/42/agents/q"), "not its siblings");
    assertFalse(ScopeMatcher.allows(child, Action.READ, "s/42/agents/r2"));
    Principal reader = new Principal("viewer", Set.of(Role.HUMAN), List.of(new Scope("s", EnumSet.of(Action.READ))));
    assertTrue(SpawnRules.childPrincipal(reader, "s/42", "s/42/agents/r", "x", EnumSet.of(Action.APPEND)).scopes().isEmpty());
  }
}
