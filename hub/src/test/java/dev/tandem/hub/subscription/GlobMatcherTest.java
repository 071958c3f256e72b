package dev.tandem.hub.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.hub.http.TandemError;
import org.junit.jupiter.api.Test;

class GlobMatcherTest {

  @Test
  void starMatchesExactlyOneSegment() {
    GlobMatcher glob = GlobMatcher.compile("events/*");
    assertTrue(glob.matches("events/abc"));
    assertTrue(glob.matches("events/a.b-c"));
    assertFalse(glob.matches("events"));
    assertFalse(glob.matches("events/a/b"));
    assertFalse(glob.matches("other/abc"));
    assertFalse(glob.matches("eventsX/abc"));
  }

  @Test
  void doubleStarMatchesZeroOrMoreSegments() {
    GlobMatcher tail = GlobMatcher.compile("events/**");
    assertTrue(tail.matches("events"));
    assertTrue(tail.matches("events/a"));
    assertTrue(tail.matches("events/a/b/c"));
    assertFalse(tail.matches("eventsX"));

    GlobMatcher middle = GlobMatcher.compile("a/**/z");
    assertTrue(middle.matches("a/z"));
    assertTrue(middle.matches("a/b/z"));
    assertTrue(middle.matches("a/b/c/z"));
    assertFalse(middle.matches("a/b/c"));
    assertFalse(middle.matches("az"));

    GlobMatcher lead = GlobMatcher.compile("**/log");
    assertTrue(lead.matches("log"));
    assertTrue(lead.matches("x/y/log"));
    assertFalse(lead.matches("x/catalog"));

    assertTrue(GlobMatcher.compile("**").matches("any/thing/at/all"));
    assertTrue(GlobMatcher.compile("a/**/**/b").matches("a/b"));
  }

  @Test
  void literalsAreLiteral() {
    GlobMatcher glob = GlobMatcher.compile("/team.a/*/");
    assertEquals("team.a/*", glob.pattern());
    assertTrue(glob.matches("team.a/x"));
    assertFalse(glob.matches("teamXa/x"), "a dot is not a regex wildcard");
    assertEquals("^team\\.a/[^/]+$", glob.regex());
    assertEquals("team.a", glob.literalPrefix());
  }

  @Test
  void malformedPatternsAre400() {
    for (String bad : new String[] {"", "/", "a//b", "a/b*", "a/../b", "__ds/*", "a/b c", "a/%2A"}) {
      TandemError error = assertThrows(TandemError.class, () -> GlobMatcher.compile(bad), bad);
      assertEquals(400, error.status());
      assertEquals("invalid_pattern", error.code());
    }
  }
}
