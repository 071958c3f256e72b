package dev.tandem.hub.subscription;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Signs webhook deliveries with the hub's Ed25519 key (PROTOCOL 7.1):
 * {@code Webhook-Signature: t=<unix seconds>,kid=<key id>,ed25519=<base64url signature>} over
 * {@code <t>.<raw body>}. The key id is {@code ds_} + the key's RFC 7638 JWK thumbprint, so it
 * is derived from the key material and stable for the key's lifetime.
 */
public final class WebhookSigner {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  /** DER prefix of an X.509 SubjectPublicKeyInfo holding a 32-byte Ed25519 key. */
  private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  private final PrivateKey privateKey;
  private final String x;
  private final String kid;

  private WebhookSigner(PrivateKey privateKey, byte[] rawPublicKey) {
    this.privateKey = privateKey;
    this.x = B64URL.encodeToString(rawPublicKey);
    this.kid = "ds_" + thumbprint(x);
  }

  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no Ed25519", e);
    }
  }

  /** A signer from a stored key pair: PKCS#8 private key, X.509 public key. */
  public static WebhookSigner fromEncoded(byte[] pkcs8, byte[] x509) {
    try {
      PrivateKey privateKey = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      return new WebhookSigner(privateKey, rawPublicKey(x509));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the stored webhook signing key is unreadable", e);
    }
  }

  static byte[] rawPublicKey(byte[] x509) {
    if (x509.length != X509_PREFIX.length + 32
        || !Arrays.equals(Arrays.copyOf(x509, X509_PREFIX.length), X509_PREFIX)) {
      throw new IllegalStateException("not an Ed25519 public key");
    }
    return Arrays.copyOfRange(x509, X509_PREFIX.length, x509.length);
  }

  /** The public key of a JWK's {@code x} parameter, for receivers verifying a signature. */
  public static PublicKey publicKey(String x) throws GeneralSecurityException {
    byte[] raw = Base64.getUrlDecoder().decode(x);
    byte[] x509 = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + raw.length);
    System.arraycopy(raw, 0, x509, X509_PREFIX.length, raw.length);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
  }

  /** RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace. */
  private static String thumbprint(String x) {
    String canonical = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + x + "\"}";
    try {
      return B64URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public String kid() {
    return kid;
  }

  /** The {@code Webhook-Signature} header value for a body sent at {@code epochSeconds}. */
  public String sign(long epochSeconds, byte[] body) {
    byte[] prefix = (epochSeconds + ".").getBytes(StandardCharsets.US_ASCII);
    try {
      Signature ed25519 = Signature.getInstance("Ed25519");
      ed25519.initSign(privateKey);
      ed25519.update(prefix);
      ed25519.update(body);
      return "t=" + epochSeconds + ",kid=" + kid + ",ed25519=" + B64URL.encodeToString(ed25519.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing failed", e);
    }
  }

  /** The JWK Set served at {@code __ds/jwks.json}. */
  public byte[] jwks() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode key = root.putArray("keys").addObject();
    key.put("kty", "OKP");
    key.put("crv", "Ed25519");
    key.put("kid", kid);
    key.put("use", "sig");
    key.put("alg", "EdDSA");
    key.put("x", x);
    try {
      return JSON.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
