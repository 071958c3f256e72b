package dev.tandem.governance.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScopeMatcherTest {

  private static Principal with(String prefix, Action... actions) {
    return new Principal("p", Set.of(Role.AGENT), List.of(new Scope(prefix, EnumSet.copyOf(List.of(actions)))));
  }

  @Test
  void prefixesCoverWholeSegmentsOnly() {
    Principal p = with("a/b", Action.READ);
    assertTrue(ScopeMatcher.allows(p, Action.READ, "a/b"));
    assertTrue(ScopeMatcher.allows(p, Action.READ, "a/b/c"));
    assertFalse(ScopeMatcher.allows(p, Action.READ, "a/bc"));
    assertFalse(ScopeMatcher.allows(p, Action.READ, "a"));
    assertTrue(ScopeMatcher.allows(with("a/b/", Action.READ), Action.READ, "a/b/c"));
    assertFalse(ScopeMatcher.allows(with("a/b/", Action.READ), Action.READ, "a/bc"));
  }

  @Test
  void actionsAreCheckedAndAdminImpliesAll() {
    Principal reader = with("team", Action.READ);
    assertFalse(ScopeMatcher.allows(reader, Action.APPEND, "team/x"));
    Principal admin = with("team", Action.ADMIN);
    for (Action action : Action.values()) {
      assertTrue(ScopeMatcher.allows(admin, action, "team/x"));
    }
  }

  @Test
  void rolesDoNotBypassScopes() {
    Principal admin = new Principal("root", Set.of(Role.ADMIN), List.of(new Scope("team-a", EnumSet.allOf(Action.class))));
    assertFalse(ScopeMatcher.allows(admin, Action.READ, "team-b/x"));
    assertFalse(ScopeMatcher.allows(new Principal("nobody", Set.of(Role.ADMIN), List.of()), Action.READ, "x"));
  }

  @Test
  void emptyOrStarPrefixCoversEverything() {
    assertTrue(ScopeMatcher.allows(with("", Action.READ), Action.READ, "any/thing"));
    assertTrue(ScopeMatcher.allows(with("*", Action.READ), Action.READ, "any/thing"));
  }

  @Test
  void trickyPathsAreNeverMatched() {
    Principal everything = with("", Action.ADMIN);
    for (String path : List.of("a/../b", "..", "./a", "a//b", "a/%2F/b", "a%2fb", "a\\b", "a/b/", "/a", "", "a b", "a\nb")) {
      assertFalse(ScopeMatcher.allows(everything, Action.READ, path), path);
      assertNotNull(StreamPaths.validate(path), path);
    }
    assertNull(StreamPaths.validate("team-a/sessions/42_x.y~z:w@v"));
    assertNotNull(StreamPaths.validate("x".repeat(StreamPaths.MAX_LENGTH + 1)));
    assertEquals(null, StreamPaths.validate("a"));
  }
}
