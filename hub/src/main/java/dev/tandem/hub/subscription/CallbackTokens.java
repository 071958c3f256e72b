package dev.tandem.hub.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Callback and claim tokens (PROTOCOL 7.1, 7.3 and 12.9): HMAC-SHA256-signed claims naming
 * the subscription, the wake (generation and wake id) and an expiry:
 * {@code dst1.<base64url claims>.<base64url mac>}. They are not service JWTs and open only the
 * callback, ack and release paths of their own wake.
 *
 * <p>A valid signature is necessary but not enough: the subscription row stores the hash of
 * the current wake's token, and clearing it (done, release, lease expiry, delete) retires the
 * token for good.
 */
public final class CallbackTokens {

  /** What a verified token says. */
  public record Claims(String subscriptionId, long generation, String wakeId, long expiresAt) {}

  static final long LIFETIME_SECONDS = 24 * 3600;
  private static final String VERSION = "dst1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;
  private final Clock clock;

  public CallbackTokens(byte[] secret, Clock clock) {
    this.key = new SecretKeySpec(secret, "HmacSHA256");
    this.clock = clock;
  }

  public static byte[] newSecret() {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    return secret;
  }

  /** A fresh wake id: {@code w_} and 24 random hex digits. */
  public static String newWakeId() {
    byte[] id = new byte[12];
    RANDOM.nextBytes(id);
    return "w_" + HexFormat.of().formatHex(id);
  }

  public String mint(String subscriptionId, long generation, String wakeId) {
    ObjectNode claims = JSON.createObjectNode();
    claims.put("sub", subscriptionId);
    claims.put("gen", generation);
    claims.put("wid", wakeId);
    claims.put("exp", clock.instant().getEpochSecond() + LIFETIME_SECONDS);
    String body = VERSION + "." + B64URL.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
    return body + "." + B64URL.encodeToString(mac(body));
  }

  /** Checks signature, subscription and expiry; refusals are 401 TOKEN_INVALID / TOKEN_EXPIRED. */
  public Claims verify(String token, String subscriptionId) {
    if (token == null) {
      throw ControlError.tokenInvalid("send the wake's token as Authorization: Bearer <token>");
    }
    int lastDot = token.lastIndexOf('.');
    if (!token.startsWith(VERSION + ".") || lastDot <= VERSION.length()) {
      throw ControlError.tokenInvalid("not a callback or claim token");
    }
    String body = token.substring(0, lastDot);
    byte[] given;
    JsonNode claims;
    try {
      given = Base64.getUrlDecoder().decode(token.substring(lastDot + 1));
      claims = JSON.readTree(Base64.getUrlDecoder().decode(body.substring(VERSION.length() + 1)));
    } catch (IllegalArgumentException | java.io.IOException e) {
      throw ControlError.tokenInvalid("not a callback or claim token");
    }
    if (!MessageDigest.isEqual(mac(body), given)) {
      throw ControlError.tokenInvalid("the token's signature does not verify");
    }
    if (claims == null || !subscriptionId.equals(claims.path("sub").asText(null))) {
      throw ControlError.tokenInvalid("the token is for another subscription");
    }
    long expiresAt = claims.path("exp").asLong();
    if (expiresAt <= clock.instant().getEpochSecond()) {
      throw ControlError.tokenExpired();
    }
    return new Claims(subscriptionId, claims.path("gen").asLong(-1), claims.path("wid").asText(""), expiresAt);
  }

  /** What the subscription row keeps of a token: its SHA-256, hex. */
  public static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] mac(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(body.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
