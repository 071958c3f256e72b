package dev.tandem.governance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.governance.access.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses a policy document (docs/governance.md, "Policy format") into a {@link Policy}. Strict on
 * purpose: an unknown field ({@code "quorom"}) or a value of the wrong kind is a
 * {@link PolicyException} naming its JSON path, never a rule silently ignored.
 */
final class PolicyReader {

  private static final List<String> POLICY_FIELDS = List.of("gates", "spawn");
  private static final List<String> GATE_FIELDS = List.of("name", "match", "approvers", "quorum",
      "allowSelfApproval", "expiresAfter", "onExpiry", "allowEdit");
  private static final List<String> SPAWN_FIELDS = List.of("maxDepth", "maxChildren", "maxDescendants");

  private PolicyReader() {}

  static Policy read(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new PolicyException("a policy must be a JSON object with \"gates\" and/or \"spawn\"");
    }
    onlyFields(json, POLICY_FIELDS, "policy");
    List<Gate> gates = new ArrayList<>();
    JsonNode list = json.get("gates");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        throw new PolicyException("gates must be an array");
      }
      Set<String> names = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        Gate gate = gate(list.get(i), "gates[" + i + "]");
        if (!names.add(gate.name())) {
          throw new PolicyException("gates[" + i + "].name '" + gate.name() + "' is already used by another gate");
        }
        gates.add(gate);
      }
    }
    return new Policy(gates, spawn(json.get("spawn")));
  }

  static Gate gate(JsonNode json, String at) {
    if (json == null || !json.isObject()) {
      throw new PolicyException(at + " must be an object");
    }
    onlyFields(json, GATE_FIELDS, at);
    JsonNode name = json.get("name");
    if (name == null || !name.isTextual() || name.asText().isBlank()) {
      throw new PolicyException(at + ".name must be a non-empty string");
    }
    return new Gate(name.asText(), MatchReader.read(json.get("match"), at + ".match"), approvers(json.get("approvers"),
        at + ".approvers"), quorum(json.get("quorum"), at + ".quorum"),
        bool(json.get("allowSelfApproval"), at + ".allowSelfApproval"),
        expiresAfter(json.get("expiresAfter"), at + ".expiresAfter"), onExpiry(json.get("onExpiry"), at + ".onExpiry"),
        bool(json.get("allowEdit"), at + ".allowEdit"));
  }

  private static Approvers approvers(JsonNode json, String at) {
    if (json == null) {
      return Approvers.DEFAULT;
    }
    if (!json.isObject()) {
      throw new PolicyException(at + " must be an object with \"roles\" and/or \"subjects\"");
    }
    onlyFields(json, List.of("roles", "subjects"), at);
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (JsonNode role : array(json.get("roles"), at + ".roles")) {
      try {
        roles.add(Role.valueOf(role.asText().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new PolicyException(at + ".roles has unknown role '" + role.asText() + "' (one of human, agent, manager, admin)");
      }
    }
    Set<String> subjects = new LinkedHashSet<>();
    List<JsonNode> named = array(json.get("subjects"), at + ".subjects");
    for (int i = 0; i < named.size(); i++) {
      subjects.add(nonEmpty(named.get(i), at + ".subjects[" + i + "]"));
    }
    if (roles.isEmpty() && subjects.isEmpty()) {
      throw new PolicyException(at + " names nobody: give at least one role or subject");
    }
    return new Approvers(roles, subjects);
  }

  private static int quorum(JsonNode json, String at) {
    if (json == null) {
      return Gate.DEFAULT_QUORUM;
    }
    if (!json.isIntegralNumber() || !json.canConvertToInt() || json.asInt() < 1) {
      throw new PolicyException(at + " must be a whole number of at least 1, got " + json);
    }
    return json.asInt();
  }

  private static Duration expiresAfter(JsonNode json, String at) {
    if (json == null) {
      return Gate.DEFAULT_EXPIRES_AFTER;
    }
    if (!json.isTextual()) {
      throw new PolicyException(at + " must be a string like \"PT4H\" or \"4h\", got " + json);
    }
    return Durations.parse(json.asText(), at);
  }

  private static OnExpiry onExpiry(JsonNode json, String at) {
    if (json == null) {
      return OnExpiry.REJECT;
    }
    for (OnExpiry value : OnExpiry.values()) {
      if (json.isTextual() && value.wire().equals(json.asText())) {
        return value;
      }
    }
    throw new PolicyException(at + " must be \"reject\" or \"approve\", got " + json);
  }

  private static SpawnLimits spawn(JsonNode json) {
    if (json == null || json.isNull()) {
      return SpawnLimits.NONE;
    }
    if (!json.isObject()) {
      throw new PolicyException("spawn must be an object with maxDepth, maxChildren and/or maxDescendants");
    }
    onlyFields(json, SPAWN_FIELDS, "spawn");
    return new SpawnLimits(limit(json, "maxDepth"), limit(json, "maxChildren"), limit(json, "maxDescendants"));
  }

  private static Integer limit(JsonNode spawn, String field) {
    JsonNode value = spawn.get(field);
    if (value == null) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 1) {
      throw new PolicyException("spawn." + field + " must be a whole number of at least 1, got " + value);
    }
    return value.asInt();
  }

  private static boolean bool(JsonNode json, String at) {
    if (json == null) {
      return false;
    }
    if (!json.isBoolean()) {
      throw new PolicyException(at + " must be true or false, got " + json);
    }
    return json.asBoolean();
  }

  static String nonEmpty(JsonNode json, String at) {
    if (!json.isTextual() || json.asText().isEmpty()) {
      throw new PolicyException(at + " must be a non-empty string, got " + json);
    }
    return json.asText();
  }

  private static List<JsonNode> array(JsonNode json, String at) {
    if (json == null) {
      return List.of();
    }
    if (!json.isArray()) {
      throw new PolicyException(at + " must be a list");
    }
    List<JsonNode> items = new ArrayList<>();
    json.forEach(items::add);
    return items;
  }

  static void onlyFields(JsonNode json, List<String> allowed, String at) {
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw new PolicyException(at + " has unknown field '" + name + "' (allowed: " + String.join(", ", allowed) + ")");
      }
    }
  }
}
