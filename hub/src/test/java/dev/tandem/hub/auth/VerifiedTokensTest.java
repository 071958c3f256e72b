package dev.tandem.hub.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.Role;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerifiedTokensTest {

  private static final Principal ALICE = new Principal("alice", EnumSet.of(Role.HUMAN), List.of());

  @Test
  void aTokenIsNotUsedPastItsExpiry() {
    VerifiedTokens tokens = new VerifiedTokens(10, 300_000);
    tokens.put("t", ALICE, 100L, 90_000);

    assertEquals(ALICE, tokens.get("t", 99_999));
    assertNull(tokens.get("t", 100_000), "exp is in seconds: 100 s is 100,000 ms");
  }

  @Test
  void anEntryLivesAtMostTheMaximumAge() {
    VerifiedTokens tokens = new VerifiedTokens(10, 1_000);
    tokens.put("t", ALICE, null, 5_000);

    assertEquals(ALICE, tokens.get("t", 5_999));
    assertNull(tokens.get("t", 6_000));
  }

  @Test
  void anAlreadyExpiredTokenIsNotRemembered() {
    VerifiedTokens tokens = new VerifiedTokens(10, 1_000);
    tokens.put("t", ALICE, 4L, 5_000);

    assertNull(tokens.get("t", 5_000));
  }

  @Test
  void theLeastRecentlyUsedGoFirst() {
    VerifiedTokens tokens = new VerifiedTokens(2, 60_000);
    tokens.put("a", ALICE, null, 0);
    tokens.put("b", ALICE, null, 0);
    tokens.get("a", 1);
    tokens.put("c", ALICE, null, 1);

    assertEquals(ALICE, tokens.get("a", 2));
    assertNull(tokens.get("b", 2));
    assertEquals(ALICE, tokens.get("c", 2));
  }
}
