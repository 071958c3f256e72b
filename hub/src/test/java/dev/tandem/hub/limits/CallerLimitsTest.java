package dev.tandem.hub.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.governance.access.Principal;
import dev.tandem.hub.Eventually;
import dev.tandem.hub.config.HubConfig;
import dev.tandem.hub.http.TandemError;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallerLimitsTest {

  private static final HubConfig.LimitSettings TWO = new HubConfig.LimitSettings(null, 1000, 100, 2, 1000, 1000, 1000);
  private static final Principal ALICE = new Principal("alice", Set.of(), List.of());
  private static final SocketAddress HOME = SocketAddress.inetSocketAddress(5000, "10.0.0.7");

  @Test
  void callersAreSubjectsWithAuthenticationAndAddressesWithout() {
    assertEquals("subject:alice", new CallerLimits(TWO, true).caller(ALICE, HOME));
    assertEquals("address:10.0.0.7", new CallerLimits(TWO, true).caller(null, HOME), "no token shown yet");
    assertEquals("address:10.0.0.7", new CallerLimits(TWO, false).caller(ALICE, HOME), "--auth none: everyone is anonymous");
  }

  @Test
  void aReleasedConnectionCountsOnce() {
    CallerLimits limits = new CallerLimits(TWO, true);
    OpenConnections.Permit first = limits.openConnection("subject:alice");
    limits.openConnection("subject:alice");
    TandemError refused = assertThrows(TandemError.class, () -> limits.openConnection("subject:alice"));
    assertEquals(429, refused.status());
    assertEquals("too_many_connections", refused.code());
    first.release();
    first.release();
    assertEquals(1, limits.openConnections("subject:alice"));
    limits.openConnection("subject:alice");
    assertThrows(TandemError.class, () -> limits.openConnection("subject:alice"));
  }

  @Test
  void quietCallersAreForgotten() throws Exception {
    RequestRates rates = new RequestRates(1000);
    rates.check("subject:alice");
    assertEquals(1, rates.tracked());
    Eventually.await(() -> {
      rates.forgetIdle();
      return rates.tracked() == 0;
    }, 5_000, "alice's bucket filled up again and was dropped");
  }
}
