package dev.tandem.hub.auth;

import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.Role;
import dev.tandem.governance.access.Scope;
import dev.tandem.hub.config.HubConfig;
import dev.tandem.hub.http.TandemError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a bearer token into a {@link Principal} (vertx-auth-jwt verifies signature, expiry and
 * not-before; issuer and audience when configured). Tokens are HS256 with a shared secret for
 * development, or RS/ES/EdDSA with public keys (PEM or JWKS file) for production.
 *
 * <p>Claims: {@code sub}; {@code roles}, a list of {@code human|agent|manager|admin};
 * {@code scopes}, a list of {@code {"prefix": "team-a/", "actions": ["read", "append"]}} (or
 * the compact string {@code "team-a/:read,append"}). A token without scopes reaches nothing.
 */
public final class Authenticator {

  private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
  /** Everything allowed, everywhere: the caller when authentication is switched off. */
  private static final Principal ANONYMOUS = new Principal("anonymous", EnumSet.allOf(Role.class),
      List.of(new Scope("", EnumSet.allOf(Action.class))));

  private final JWTAuth jwt;
  private final JWTAuth minter;
  private final boolean enabled;
  private final long devTokenTtlSeconds;
  private final VerifiedTokens verified = new VerifiedTokens(10_000, 300_000);

  private Authenticator(JWTAuth jwt, JWTAuth minter, boolean enabled, long devTokenTtlSeconds) {
    this.jwt = jwt;
    this.minter = minter;
    this.enabled = enabled;
    this.devTokenTtlSeconds = devTokenTtlSeconds;
  }

  /** Builds the verifier from the settings; blocking file reads happen here, at start-up. */
  public static Authenticator create(Vertx vertx, HubConfig config) throws IOException {
    HubConfig.AuthSettings auth = config.auth();
    if (!auth.enabled()) {
      LOG.warn("AUTHENTICATION IS OFF (--auth none): every caller may read, write, approve and delete everything");
      return new Authenticator(null, null, false, auth.devTokenTtlSeconds());
    }
    JWTAuthOptions options = new JWTAuthOptions();
    JWTOptions verify = new JWTOptions().setLeeway(5);
    if (auth.issuer() != null) {
      verify.setIssuer(auth.issuer());
    }
    if (auth.audience() != null) {
      verify.setAudience(List.of(auth.audience()));
    }
    options.setJWTOptions(verify);
    String secret = auth.secret();
    if (secret == null && auth.devMode()) {
      secret = devSecret(config.dataDir());
    }
    boolean anyKey = false;
    if (secret != null) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret));
      anyKey = true;
    }
    if (auth.publicKeyFile() != null) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(auth.publicKeyAlgorithm())
          .setBuffer(Files.readString(auth.publicKeyFile())));
      anyKey = true;
    }
    if (auth.jwksFile() != null) {
      JsonArray keys = new JsonObject(Files.readString(auth.jwksFile())).getJsonArray("keys", new JsonArray());
      List<JsonObject> jwks = new ArrayList<>();
      keys.forEach(key -> jwks.add((JsonObject) key));
      options.setJwks(jwks);
      anyKey = anyKey || !jwks.isEmpty();
    }
    if (!anyKey) {
      throw new IllegalStateException("authentication needs keys: set jwt-secret, jwt-public-key-file or "
          + "jwt-jwks-file (or run with --auth none, which disables authentication)");
    }
    JWTAuth jwt = JWTAuth.create(vertx, options);
    JWTAuth minter = secret == null ? null : JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    return new Authenticator(jwt, minter, true, auth.devTokenTtlSeconds());
  }

  /** The HS256 secret kept in the data directory for development: created once, reused after. */
  static String devSecret(Path dataDir) throws IOException {
    Path file = dataDir.resolve("dev-jwt-secret");
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    }
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Files.createDirectories(dataDir);
    Files.writeString(file, secret, StandardCharsets.UTF_8);
    return secret;
  }

  public boolean enabled() {
    return enabled;
  }

  /** Verifies the request's token: {@code Authorization: Bearer}, or {@code ?token=} for EventSource and WebSocket. */
  public Future<Principal> authenticate(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    String token = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = header.substring(7).trim();
    } else if (request.getParam("token") != null) {
      token = request.getParam("token");
    }
    return authenticate(token);
  }

  /** Who the caller is, to stamp on what it appends: its subject, or null when authentication is off. */
  public static String author(Principal principal) {
    return principal == null || principal == ANONYMOUS ? null : principal.subject();
  }

  public Future<Principal> authenticate(String token) {
    if (!enabled) {
      return Future.succeededFuture(ANONYMOUS);
    }
    if (token == null || token.isEmpty()) {
      return Future.failedFuture(unauthorized("missing_token", "send a bearer token (Authorization: Bearer ...)"));
    }
    Principal known = verified.get(token, System.currentTimeMillis());
    if (known != null) {
      return Future.succeededFuture(known);
    }
    String verifiedToken = token;
    return jwt.authenticate(new TokenCredentials(token))
        .recover(e -> Future.failedFuture(unauthorized("invalid_token", "the token was refused: " + e.getMessage())))
        .map(user -> {
          JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
          Principal principal = principal(claims);
          verified.put(verifiedToken, principal, claims.getLong("exp"), System.currentTimeMillis());
          return principal;
        });
  }

  static Principal principal(JsonObject claims) {
    String subject = claims.getString("sub");
    if (subject == null || subject.isBlank()) {
      throw unauthorized("invalid_token", "the token has no subject (sub)");
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (Object role : claims.getJsonArray("roles", new JsonArray())) {
      try {
        roles.add(Role.valueOf(String.valueOf(role).toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException ignored) {
        // roles from other systems are not ours to interpret
      }
    }
    List<Scope> scopes = new ArrayList<>();
    for (Object scope : claims.getJsonArray("scopes", new JsonArray())) {
      scopes.add(scope(scope));
    }
    return new Principal(subject, roles, scopes);
  }

  private static Scope scope(Object claim) {
    String prefix;
    List<String> actions = new ArrayList<>();
    if (claim instanceof JsonObject object) {
      prefix = object.getString("prefix", object.getString("path"));
      object.getJsonArray("actions", new JsonArray()).forEach(a -> actions.add(String.valueOf(a)));
    } else if (claim instanceof String text && text.lastIndexOf(':') >= 0) {
      prefix = text.substring(0, text.lastIndexOf(':'));
      actions.addAll(List.of(text.substring(text.lastIndexOf(':') + 1).split(",")));
    } else {
      throw unauthorized("invalid_token", "a scope is {\"prefix\": ..., \"actions\": [...]} or \"prefix:action,action\"");
    }
    if (prefix == null) {
      throw unauthorized("invalid_token", "a scope needs a prefix");
    }
    Set<Action> allowed = EnumSet.noneOf(Action.class);
    for (String action : actions) {
      try {
        allowed.add(Action.valueOf(action.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw unauthorized("invalid_token", "unknown action '" + action + "' in a scope");
      }
    }
    return new Scope(prefix.equals("*") ? "" : prefix, allowed);
  }

  /** Mints an HS256 token (development, tests, and child tokens when a secret is configured). */
  public String mint(Principal principal, long ttlSeconds) {
    if (minter == null) {
      throw TandemError.of(501, "minting_unavailable", "this hub has no HS256 secret to mint tokens with");
    }
    JsonArray roles = new JsonArray();
    principal.roles().forEach(r -> roles.add(r.name().toLowerCase(Locale.ROOT)));
    JsonArray scopes = new JsonArray();
    for (Scope scope : principal.scopes()) {
      JsonArray actions = new JsonArray();
      scope.actions().forEach(a -> actions.add(a.name().toLowerCase(Locale.ROOT)));
      scopes.add(new JsonObject().put("prefix", scope.pathPrefix()).put("actions", actions));
    }
    return minter.generateToken(new JsonObject().put("sub", principal.subject()).put("roles", roles)
        .put("scopes", scopes), new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds((int) Math.min(Integer.MAX_VALUE, ttlSeconds)));
  }

  public boolean canMint() {
    return minter != null;
  }

  public long devTokenTtlSeconds() {
    return devTokenTtlSeconds;
  }

  static TandemError unauthorized(String code, String message) {
    return TandemError.of(401, code, message).withHeader("WWW-Authenticate", "Bearer");
  }
}
