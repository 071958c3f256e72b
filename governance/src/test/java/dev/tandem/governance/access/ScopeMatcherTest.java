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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScopeMatcherTest {

  private static Principal with(String prefix, Action... actions) {
    return new Principal("p", Set.of(Role.AGENT), List.of(new Scope(prefix, EnumSet.copyOf(List.of(actions)))));
  }

  @Test
  void prefixesCoverWholeSegmentsOnly() {
    Principal p = with("a/b", Action.READ);
    assertTrue(ScopeMatcher.allows(p, Action.READ, "a/b"));
    assertTrue(ScopeMatcher.allows(p, Action.READ, "a/b/c"));
    assertTrue(ScopeMatcher.allows(p, Action.READ, "a/b/c/d"));
    assertFalse(ScopeMatcher.allows(p, Action.READ, "a/bc"));
    assertFalse(ScopeMatcher.allows(p, Action.READ, "a/bc/d"));
    assertFalse(ScopeMatcher.allows(p, Action.READ, "a"));
    assertFalse(ScopeMatcher.allows(p, Action.READ, "b/a/b"));
  }

  @Test
  void aTrailingSlashOnThePrefixMeansTheSame() {
    Principal slash = with("team-a/", Action.READ);
    Principal bare = with("team-a", Action.READ);
    for (String path : List.of("team-a", "team-a/x", "team-a/x/y", "team-ab", "team-ab/x", "team", "x/team-a")) {
      assertEquals(ScopeMatcher.allows(bare, Action.READ, path), ScopeMatcher.allows(slash, Action.READ, path), path);
    }
    assertTrue(ScopeMatcher.allows(slash, Action.READ, "team-a"));
    assertFalse(ScopeMatcher.allows(slash, Action.READ, "team-ab"));
  }

  @Test
  void emptyOrStarPrefixCoversEverything() {
    assertTrue(ScopeMatcher.allows(with("", Action.READ), Action.READ, "any/thing"));
    assertTrue(ScopeMatcher.allows(with("*", Action.READ), Action.READ, "any"));
    assertTrue(ScopeMatcher.allows(with("*/", Action.READ), Action.READ, "any/thing"));
  }

  @Test
  void actionsAreCheckedOneByOne() {
    Principal reader = with("team", Action.READ);
    assertTrue(ScopeMatcher.allows(reader, Action.READ, "team/x"));
    assertFalse(ScopeMatcher.allows(reader, Action.APPEND, "team/x"));
    assertFalse(ScopeMatcher.allows(reader, Action.APPROVE, "team/x"));
    assertFalse(ScopeMatcher.allows(reader, Action.ADMIN, "team/x"));
    Principal appender = with("team", Action.APPEND);
    assertFalse(ScopeMatcher.allows(appender, Action.READ, "team/x"), "append does not imply read");
  }

  @Test
  void adminInAScopeImpliesEveryActionInThatScopeOnly() {
    Principal admin = new Principal("a", Set.of(Role.HUMAN), List.of(new Scope("team", Set.of(Action.ADMIN)),
        new Scope("other", Set.of(Action.READ))));
    for (Action action : Action.values()) {
      assertTrue(ScopeMatcher.allows(admin, action, "team/x"), action.name());
    }
    assertTrue(ScopeMatcher.allows(admin, Action.READ, "other/x"));
    assertFalse(ScopeMatcher.allows(admin, Action.APPEND, "other/x"));
  }

  @Test
  void scopesAreCombined() {
    Principal p = new Principal("p", Set.of(), List.of(new Scope("a", Set.of(Action.READ)),
        new Scope("a/b", Set.of(Action.APPEND))));
    assertTrue(ScopeMatcher.allows(p, Action.APPEND, "a/b/c"));
    assertFalse(ScopeMatcher.allows(p, Action.APPEND, "a/c"));
    assertTrue(ScopeMatcher.allows(p, Action.READ, "a/b/c"));
  }

  @Test
  void theAdminRoleDoesNotBypassScopes() {
    Principal admin = new Principal("root", Set.of(Role.ADMIN), List.of(new Scope("team-a", EnumSet.allOf(Action.class))));
    assertFalse(ScopeMatcher.allows(admin, Action.READ, "team-b/x"));
    assertFalse(ScopeMatcher.allows(new Principal("nobody", Set.of(Role.ADMIN), List.of()), Action.READ, "x"));
  }

  @Test
  void nullsAreRefused() {
    assertFalse(ScopeMatcher.allows(null, Action.READ, "a"));
    assertFalse(ScopeMatcher.allows(with("", Action.READ), null, "a"));
    assertFalse(ScopeMatcher.allows(with("", Action.READ), Action.READ, null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a/../b", "..", "a/..", "./a", "a/./b", ".", "a//b", "a/%2F/b", "a%2fb", "a%2Fb", "%41",
      "a%", "a\\b", "a/b/", "/a", "", "a b", "a\nb", "a\u0000b", "a\tb", "a\u007fb", "caf\u00e9", "a?b", "a#b"})
  void trickyPathsAreInvalidAndNeverMatched(String path) {
    Principal everything = with("", Action.ADMIN);
    assertNotNull(StreamPaths.validate(path), path);
    assertFalse(ScopeMatcher.allows(everything, Action.READ, path), path);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "team-a/sessions/42", "team-a/sessions/42_x.y~z:w@v", "a.b/..c/c..", "A/Z/0-9"})
  void ordinaryPathsAreValid(String path) {
    assertNull(StreamPaths.validate(path), path);
  }

  @Test
  void validationMessagesSayWhat() {
    assertTrue(StreamPaths.validate("a/../b").contains(".."));
    assertTrue(StreamPaths.validate("a%2Fb").contains("'%'"));
    assertTrue(StreamPaths.validate("a\nb").contains("\\u000a"), "control characters are shown escaped");
    assertNotNull(StreamPaths.validate("x".repeat(StreamPaths.MAX_LENGTH + 1)));
    assertNull(StreamPaths.validate("x".repeat(StreamPaths.MAX_LENGTH)));
  }

  @Test
  void parentOfDropsTheLastSegment() {
    assertEquals("a/b", StreamPaths.parentOf("a/b/c"));
    assertNull(StreamPaths.parentOf("a"));
  }
}
