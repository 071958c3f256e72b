package dev.tandem.governance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.access.Role;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stream's policy: its approval gates and spawn limits, parsed from the JSON document
 * described in docs/governance.md. Parsing is strict: an unknown field or a bad value is a
 * {@link PolicyException} naming it, never a silently ignored rule.
 */
public record Policy(List<Gate> gates, SpawnLimits spawn) {

  public static final Policy EMPTY = new Policy(List.of(), SpawnLimits.DEFAULT);
  private static final Pattern SHORT_DURATION = Pattern.compile("([1-9][0-9]{0,8})(s|m|h|d)");
  private static final Set<String> POLICY_FIELDS = Set.of("gates", "spawn");
  private static final Set<String> GATE_FIELDS = Set.of("name", "match", "approvers", "quorum",
      "allowSelfApproval", "expiresAfter", "onExpiry", "allowEdit");
  private static final Set<String> OPS = Set.of("eq", "ne", "in", "gt", "gte", "lt", "lte", "exists");

  public Policy {
    gates = List.copyOf(gates);
  }

  public static Policy parse(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new PolicyException("a policy is a JSON object with gates and spawn");
    }
    onlyFields(json, POLICY_FIELDS, "policy");
    List<Gate> gates = new ArrayList<>();
    Set<String> names = new HashSet<>();
    JsonNode gateList = json.path("gates");
    if (!gateList.isMissingNode() && !gateList.isArray()) {
      throw new PolicyException("gates must be an array");
    }
    for (int i = 0; i < gateList.size(); i++) {
      Gate gate = gate(gateList.get(i), "gates[" + i + "]");
      if (!names.add(gate.name())) {
        throw new PolicyException("gates[" + i + "].name '" + gate.name() + "' is used twice");
      }
      gates.add(gate);
    }
    return new Policy(gates, spawn(json.get("spawn")));
  }

  private static Gate gate(JsonNode json, String at) {
    if (!json.isObject()) {
      throw new PolicyException(at + " must be an object");
    }
    onlyFields(json, GATE_FIELDS, at);
    String name = json.path("name").asText("");
    if (!json.path("name").isTextual() || name.isBlank()) {
      throw new PolicyException(at + ".name must be a non-empty string");
    }
    JsonNode match = json.path("match");
    if (!match.isObject()) {
      throw new PolicyException(at + ".match must be an object with type and/or where");
    }
    onlyFields(match, Set.of("type", "where"), at + ".match");
    Set<String> types = new LinkedHashSet<>();
    JsonNode type = match.path("type");
    if (type.isTextual()) {
      types.add(type.asText());
    } else if (type.isArray()) {
      type.forEach(t -> types.add(t.asText()));
    } else if (!type.isMissingNode()) {
      throw new PolicyException(at + ".match.type must be a string or a list of strings");
    }
    List<Predicate> where = new ArrayList<>();
    JsonNode conditions = match.path("where");
    if (!conditions.isMissingNode() && !conditions.isArray()) {
      throw new PolicyException(at + ".match.where must be an array");
    }
    for (int i = 0; i < conditions.size(); i++) {
      where.add(predicate(conditions.get(i), at + ".match.where[" + i + "]"));
    }
    if (types.isEmpty() && where.isEmpty()) {
      throw new PolicyException(at + ".match must name a type or a condition (a gate on every event is a mistake)");
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    Set<String> subjects = new LinkedHashSet<>();
    JsonNode approvers = json.path("approvers");
    if (approvers.isMissingNode()) {
      roles.addAll(List.of(Role.MANAGER, Role.ADMIN));
    } else {
      if (!approvers.isObject()) {
        throw new PolicyException(at + ".approvers must be an object with roles and/or subjects");
      }
      onlyFields(approvers, Set.of("roles", "subjects"), at + ".approvers");
      for (JsonNode role : approvers.path("roles")) {
        try {
          roles.add(Role.valueOf(role.asText().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new PolicyException(at + ".approvers.roles has unknown role '" + role.asText() + "'");
        }
      }
      approvers.path("subjects").forEach(s -> subjects.add(s.asText()));
      if (roles.isEmpty() && subjects.isEmpty()) {
        throw new PolicyException(at + ".approvers names nobody");
      }
    }
    int quorum = json.path("quorum").asInt(1);
    if (json.has("quorum") && (!json.get("quorum").canConvertToInt() || quorum < 1 || quorum > 100)) {
      throw new PolicyException(at + ".quorum must be a whole number from 1 to 100");
    }
    Duration expiresAfter = json.has("expiresAfter") ? duration(json.get("expiresAfter").asText(), at + ".expiresAfter")
        : Duration.ofHours(24);
    String onExpiry = json.path("onExpiry").asText("reject");
    if (!onExpiry.equals("reject") && !onExpiry.equals("approve")) {
      throw new PolicyException(at + ".onExpiry must be reject or approve");
    }
    return new Gate(name, types, where, roles, subjects, quorum, bool(json, "allowSelfApproval", at),
        expiresAfter, onExpiry.equals("approve") ? Gate.ExpiryOutcome.APPROVE : Gate.ExpiryOutcome.REJECT,
        bool(json, "allowEdit", at));
  }

  private static Predicate predicate(JsonNode json, String at) {
    if (!json.isObject() || !json.path("field").isTextual() || json.path("field").asText().isEmpty()) {
      throw new PolicyException(at + " must be {\"field\": \"path.to.field\", \"<op>\": value}");
    }
    String op = null;
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (name.equals("field")) {
        continue;
      }
      if (!OPS.contains(name) || op != null) {
        throw new PolicyException(at + " must have exactly one operator of " + OPS + ", found '" + name + "'");
      }
      op = name;
    }
    if (op == null) {
      throw new PolicyException(at + " has no operator (one of " + OPS + ")");
    }
    JsonNode value = json.get(op);
    Predicate.Op parsed = Predicate.op(op);
    if (parsed == Predicate.Op.IN && !value.isArray()) {
      throw new PolicyException(at + ".in must be a list");
    }
    if (Set.of(Predicate.Op.GT, Predicate.Op.GTE, Predicate.Op.LT, Predicate.Op.LTE).contains(parsed) && !value.isNumber()) {
      throw new PolicyException(at + "." + op + " must be a number");
    }
    if (parsed == Predicate.Op.EXISTS && !value.isBoolean()) {
      throw new PolicyException(at + ".exists must be true or false");
    }
    return new Predicate(json.get("field").asText(), parsed, value);
  }

  private static SpawnLimits spawn(JsonNode json) {
    if (json == null || json.isNull()) {
      return SpawnLimits.DEFAULT;
    }
    if (!json.isObject()) {
      throw new PolicyException("spawn must be an object");
    }
    onlyFields(json, Set.of("maxDepth", "maxChildren", "maxDescendants"), "spawn");
    return new SpawnLimits(limit(json, "maxDepth", SpawnLimits.DEFAULT.maxDepth()),
        limit(json, "maxChildren", SpawnLimits.DEFAULT.maxChildren()),
        limit(json, "maxDescendants", SpawnLimits.DEFAULT.maxDescendants()));
  }

  private static int limit(JsonNode json, String field, int fallback) {
    JsonNode value = json.get(field);
    if (value == null) {
      return fallback;
    }
    if (!value.canConvertToInt() || value.asInt() < 1) {
      throw new PolicyException("spawn." + field + " must be a whole number of at least 1");
    }
    return value.asInt();
  }

  /** {@code PT4H} (ISO-8601) or the shorthand {@code 30s}, {@code 15m}, {@code 4h}, {@code 2d}. */
  static Duration duration(String text, String at) {
    Matcher m = SHORT_DURATION.matcher(text);
    Duration d;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d = switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    } else {
      try {
        d = Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw new PolicyException(at + " must be a duration like PT4H, 30s, 15m, 4h or 2d, got '" + text + "'");
      }
    }
    if (d.isNegative() || d.isZero()) {
      throw new PolicyException(at + " must be positive");
    }
    return d;
  }

  private static boolean bool(JsonNode json, String field, String at) {
    JsonNode value = json.get(field);
    if (value == null) {
      return false;
    }
    if (!value.isBoolean()) {
      throw new PolicyException(at + "." + field + " must be true or false");
    }
    return value.asBoolean();
  }

  private static void onlyFields(JsonNode json, Set<String> allowed, String at) {
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw new PolicyException(at + " has unknown field '" + name + "' (allowed: " + allowed + ")");
      }
    }
  }

  /** The first gate that holds {@code event}, in policy order, or null. */
  public Gate gateFor(JsonNode event) {
    for (Gate gate : gates) {
      if (gate.matches(event)) {
        return gate;
      }
    }
    return null;
  }

  /**
   * The effective policy of a child whose parent has {@code this}: every parent gate stays; a
   * child gate with a parent gate's name may only make it stricter; spawn limits only shrink.
   *
   * @throws PolicyException naming the first rule the child tries to widen
   */
  public Policy inherit(Policy child) {
    Map<String, Gate> merged = new LinkedHashMap<>();
    gates.forEach(g -> merged.put(g.name(), g));
    for (Gate mine : child.gates()) {
      Gate parent = merged.get(mine.name());
      if (parent != null) {
        narrowerOrRefuse(parent, mine);
      }
      merged.put(mine.name(), mine);
    }
    return new Policy(new ArrayList<>(merged.values()), spawn.narrowedBy(child.spawn()));
  }

  private static void narrowerOrRefuse(Gate parent, Gate child) {
    String at = "gate '" + child.name() + "'";
    if (!parent.types().isEmpty() && (child.types().isEmpty() || !parent.types().containsAll(child.types())
        || !child.types().containsAll(parent.types()))) {
      throw new PolicyException(at + " may not change which event types it holds");
    }
    if (!child.where().containsAll(parent.where())) {
      throw new PolicyException(at + " may add conditions' strictness only by keeping the parent's conditions");
    }
    if (child.quorum() < parent.quorum()) {
      throw new PolicyException(at + " may not lower the quorum below " + parent.quorum());
    }
    if (child.expiresAfter().compareTo(parent.expiresAfter()) > 0) {
      throw new PolicyException(at + " may not wait longer than " + parent.expiresAfter());
    }
    if (!parent.approverRoles().containsAll(child.approverRoles())
        || !parent.approverSubjects().containsAll(child.approverSubjects())) {
      throw new PolicyException(at + " may not add approvers");
    }
    if (child.allowSelfApproval() && !parent.allowSelfApproval() || child.allowEdit() && !parent.allowEdit()) {
      throw new PolicyException(at + " may not allow self-approval or editing that its parent forbids");
    }
    if (child.onExpiry() == Gate.ExpiryOutcome.APPROVE && parent.onExpiry() == Gate.ExpiryOutcome.REJECT) {
      throw new PolicyException(at + " may not approve on expiry when its parent rejects");
    }
  }

  public ObjectNode toJson() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode json = f.objectNode();
    ArrayNode list = json.putArray("gates");
    for (Gate g : gates) {
      ObjectNode gate = list.addObject().put("name", g.name());
      ObjectNode match = gate.putObject("match");
      if (!g.types().isEmpty()) {
        ArrayNode types = match.putArray("type");
        g.types().forEach(types::add);
      }
      if (!g.where().isEmpty()) {
        ArrayNode where = match.putArray("where");
        for (Predicate p : g.where()) {
          where.addObject().put("field", p.field()).set(p.op().name().toLowerCase(Locale.ROOT), p.value());
        }
      }
      ObjectNode approvers = gate.putObject("approvers");
      ArrayNode roles = approvers.putArray("roles");
      g.approverRoles().forEach(r -> roles.add(r.name().toLowerCase(Locale.ROOT)));
      ArrayNode subjects = approvers.putArray("subjects");
      g.approverSubjects().forEach(subjects::add);
      gate.put("quorum", g.quorum()).put("allowSelfApproval", g.allowSelfApproval())
          .put("expiresAfter", g.expiresAfter().toString())
          .put("onExpiry", g.onExpiry().name().toLowerCase(Locale.ROOT)).put("allowEdit", g.allowEdit());
    }
    json.putObject("spawn").put("maxDepth", spawn.maxDepth()).put("maxChildren", spawn.maxChildren())
        .put("maxDescendants", spawn.maxDescendants());
    return json;
  }
}
