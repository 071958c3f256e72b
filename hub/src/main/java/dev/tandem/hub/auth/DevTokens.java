package dev.tandem.hub.auth;

import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.Role;
import dev.tandem.governance.access.Scope;
import dev.tandem.hub.http.TandemError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Development identities, minted at start-up in dev mode so the first run is easy: an admin,
 * a manager who approves, an agent and a human, all scoped to every stream. They are printed
 * on the console and listed at {@code GET /v1/dev/tokens} (dev mode only).
 */
public final class DevTokens {

  public record DevToken(String name, Principal principal, String token) {}

  private final Map<String, DevToken> tokens = new LinkedHashMap<>();

  public DevTokens(Authenticator authenticator) {
    long ttl = authenticator.devTokenTtlSeconds();
    add(authenticator, ttl, "admin", "dev-admin", EnumSet.of(Role.ADMIN), EnumSet.allOf(Action.class));
    add(authenticator, ttl, "manager", "dev-manager", EnumSet.of(Role.MANAGER, Role.HUMAN),
        EnumSet.of(Action.READ, Action.APPEND, Action.APPROVE));
    add(authenticator, ttl, "agent", "dev-agent", EnumSet.of(Role.AGENT), EnumSet.of(Action.READ, Action.APPEND));
    add(authenticator, ttl, "human", "dev-human", EnumSet.of(Role.HUMAN), EnumSet.of(Action.READ, Action.APPEND));
  }

  private void add(Authenticator authenticator, long ttl, String name, String subject, EnumSet<Role> roles,
                   EnumSet<Action> actions) {
    Principal principal = new Principal(subject, roles, List.of(new Scope("", actions)));
    tokens.put(name, new DevToken(name, principal, authenticator.mint(principal, ttl)));
  }

  /**
   * Mints a token for local use from {@code {"subject", "roles": [...], "scopes": [...],
   * "ttlSeconds"}} (scopes as in token claims; default: read and append everywhere).
   */
  public String mint(Authenticator authenticator, JsonObject request) {
    String subject = request.getString("subject");
    if (subject == null || subject.isBlank() || subject.length() > 128) {
      throw TandemError.badRequest("invalid_token_request", "subject is a string of 1 to 128 characters");
    }
    JsonObject claims = new JsonObject().put("sub", subject)
        .put("roles", request.getJsonArray("roles", new io.vertx.core.json.JsonArray().add("human")))
        .put("scopes", request.getJsonArray("scopes", new io.vertx.core.json.JsonArray().add("*:read,append")));
    long ttl = request.getLong("ttlSeconds", authenticator.devTokenTtlSeconds());
    if (ttl < 60 || ttl > 10L * 365 * 24 * 3600) {
      throw TandemError.badRequest("invalid_token_request", "ttlSeconds is from 60 to ten years");
    }
    Principal principal;
    try {
      principal = Authenticator.principal(claims);
    } catch (TandemError e) {
      throw TandemError.badRequest("invalid_token_request", e.getMessage());
    } catch (ClassCastException e) {
      throw TandemError.badRequest("invalid_token_request", "roles and scopes are lists");
    }
    return authenticator.mint(principal, ttl);
  }

  public DevToken get(String name) {
    return tokens.get(name);
  }

  public List<DevToken> all() {
    return List.copyOf(tokens.values());
  }

  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    for (DevToken t : tokens.values()) {
      JsonArray roles = new JsonArray();
      t.principal().roles().forEach(r -> roles.add(r.name().toLowerCase(java.util.Locale.ROOT)));
      list.add(new JsonObject().put("name", t.name()).put("subject", t.principal().subject())
          .put("roles", roles).put("token", t.token()));
    }
    return new JsonObject().put("tokens", list);
  }
}
