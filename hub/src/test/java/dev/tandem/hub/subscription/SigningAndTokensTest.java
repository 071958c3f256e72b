package dev.tandem.hub.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SigningAndTokensTest {

  private static final Pattern HEADER = Pattern.compile("t=(\\d+),kid=([^,]+),ed25519=([A-Za-z0-9_-]+)");

  @Test
  void signatureVerifiesWithThePublishedJwk() throws Exception {
    KeyPair pair = WebhookSigner.generate();
    WebhookSigner signer = WebhookSigner.fromEncoded(pair.getPrivate().getEncoded(), pair.getPublic().getEncoded());
    byte[] body = "{\"subscription_id\":\"s\"}".getBytes(StandardCharsets.UTF_8);
    Matcher header = HEADER.matcher(signer.sign(1_778_324_210L, body));
    assertTrue(header.matches());
    assertEquals("1778324210", header.group(1));
    assertEquals(signer.kid(), header.group(2));

    JsonNode key = new ObjectMapper().readTree(signer.jwks()).get("keys").get(0);
    assertEquals("OKP", key.get("kty").asText());
    assertEquals("Ed25519", key.get("crv").asText());
    assertEquals("EdDSA", key.get("alg").asText());
    assertEquals(signer.kid(), key.get("kid").asText());
    assertTrue(signer.kid().startsWith("ds_"));

    Signature verify = Signature.getInstance("Ed25519");
    verify.initVerify(WebhookSigner.publicKey(key.get("x").asText()));
    verify.update(("1778324210." + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
    assertTrue(verify.verify(Base64.getUrlDecoder().decode(header.group(3))));
  }

  @Test
  void kidIsDerivedFromTheKey() {
    KeyPair pair = WebhookSigner.generate();
    String kid = WebhookSigner.fromEncoded(pair.getPrivate().getEncoded(), pair.getPublic().getEncoded()).kid();
    assertEquals(kid, WebhookSigner.fromEncoded(pair.getPrivate().getEncoded(), pair.getPublic().getEncoded()).kid());
    KeyPair other = WebhookSigner.generate();
    assertNotEquals(kid, WebhookSigner.fromEncoded(other.getPrivate().getEncoded(), other.getPublic().getEncoded()).kid());
  }

  @Test
  void tokensCarryTheirWakeAndAreCheckedForSignatureSubscriptionAndExpiry() {
    byte[] secret = CallbackTokens.newSecret();
    Clock now = Clock.fixed(Instant.parse("2026-05-09T00:00:00Z"), ZoneOffset.UTC);
    CallbackTokens tokens = new CallbackTokens(secret, now);
    String token = tokens.mint("sub-1", 7, "w_abc");
    CallbackTokens.Claims claims = tokens.verify(token, "sub-1");
    assertEquals(7, claims.generation());
    assertEquals("w_abc", claims.wakeId());

    assertEquals("TOKEN_INVALID", assertThrows(ControlError.class, () -> tokens.verify(token, "sub-2")).code());
    assertEquals("TOKEN_INVALID", assertThrows(ControlError.class,
        () -> new CallbackTokens(CallbackTokens.newSecret(), now).verify(token, "sub-1")).code());
    String tampered = token.substring(0, token.lastIndexOf('.') - 2) + "xx" + token.substring(token.lastIndexOf('.'));
    assertEquals("TOKEN_INVALID", assertThrows(ControlError.class, () -> tokens.verify(tampered, "sub-1")).code());
    assertEquals("TOKEN_INVALID", assertThrows(ControlError.class, () -> tokens.verify("eyJ.garbage", "sub-1")).code());

    Clock later = Clock.offset(now, java.time.Duration.ofSeconds(CallbackTokens.LIFETIME_SECONDS + 1));
    ControlError expired = assertThrows(ControlError.class, () -> new CallbackTokens(secret, later).verify(token, "sub-1"));
    assertEquals("TOKEN_EXPIRED", expired.code());
    assertEquals(401, expired.status());
  }

  @Test
  void retriesBackOffExponentiallyFromOneSecondToOneMinuteWithJitter() {
    assertEquals(1_000, RetryBackoff.delayMs(1, () -> 0.5));
    assertEquals(2_000, RetryBackoff.delayMs(2, () -> 0.5));
    assertEquals(32_000, RetryBackoff.delayMs(6, () -> 0.5));
    assertEquals(60_000, RetryBackoff.delayMs(7, () -> 0.5));
    assertEquals(60_000, RetryBackoff.delayMs(1_000, () -> 0.5));
    assertEquals(800, RetryBackoff.delayMs(1, () -> 0.0));
    assertEquals(72_000, RetryBackoff.delayMs(50, () -> 0.9999999));
  }
}
