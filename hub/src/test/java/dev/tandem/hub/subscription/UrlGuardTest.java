package dev.tandem.hub.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.InetAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class UrlGuardTest {

  @Test
  void localAndPrivateAddressesAreLocal() throws Exception {
    for (String local : new String[] {"127.0.0.1", "127.9.9.9", "10.1.2.3", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255",
        "::1", "::", "fe80::1", "fd00::1", "fc00::1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1"}) {
      assertTrue(UrlGuard.isLocal(InetAddress.getByName(local)), local);
    }
    for (String global : new String[] {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111"}) {
      assertFalse(UrlGuard.isLocal(InetAddress.getByName(global)), global);
    }
  }

  @Test
  void httpsIsRequiredOutsideTheDevelopmentException() {
    assertRejected(() -> UrlGuard.parse("http://example.com/hook", true));
    assertRejected(() -> UrlGuard.parse("ftp://example.com/hook", true));
    assertRejected(() -> UrlGuard.parse("not a url", true));
    assertRejected(() -> UrlGuard.parse("https:///nohost", true));
    UrlGuard.parse("https://example.com/hook", true);
    UrlGuard.parse("http://localhost:8080/hook", true);
    UrlGuard.parse("http://127.0.0.42/hook", true);
    assertRejected(() -> UrlGuard.parse("http://127.0.1.1/hook", true)); // only 127.0.0.x
    assertRejected(() -> UrlGuard.parse("http://localhost:8080/hook", false));
    assertRejected(() -> UrlGuard.parse("http://127.0.0.1/hook", false));
  }

  @Test
  void resolvedAddressesAreChecked(Vertx vertx) throws Exception {
    UrlGuard production = new UrlGuard(vertx, false);
    for (String url : new String[] {"https://localhost/hook", "https://127.0.0.1/hook", "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data", "https://[::1]/hook", "https://[fe80::1]/hook",
        "https://2130706433/hook", "https://no-such-host.invalid/hook"}) {
      ExecutionException e = assertThrows(ExecutionException.class, () -> await(production.check(url)), url);
      assertEquals("WEBHOOK_URL_REJECTED", ((ControlError) e.getCause()).code(), url);
    }
    UrlGuard development = new UrlGuard(vertx, true);
    UrlGuard.Target target = await(development.check("http://localhost:9999/hook"));
    assertTrue(target.address().isLoopbackAddress());
    assertEquals(9999, target.port());
    assertFalse(target.ssl());
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void assertRejected(Runnable check) {
    ControlError error = assertThrows(ControlError.class, check::run);
    assertEquals("WEBHOOK_URL_REJECTED", error.code());
    assertEquals(400, error.status());
  }
}
