package dev.tandem.governance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses a gate's {@code match}: its types and its conditions, each condition with exactly one
 * operator whose value has the kind the operator needs. Errors name the JSON path, like the rest
 * of {@link PolicyReader}.
 */
final class MatchReader {

  private MatchReader() {}

  static Match read(JsonNode json, String at) {
    if (json == null || !json.isObject()) {
      throw new PolicyException(at + " must be an object with \"type\" and/or \"where\"");
    }
    PolicyReader.onlyFields(json, List.of("type", "where"), at);
    Set<String> types = new LinkedHashSet<>();
    JsonNode type = json.get("type");
    if (type != null && type.isTextual()) {
      types.add(PolicyReader.nonEmpty(type, at + ".type"));
    } else if (type != null && type.isArray()) {
      for (int i = 0; i < type.size(); i++) {
        types.add(PolicyReader.nonEmpty(type.get(i), at + ".type[" + i + "]"));
      }
    } else if (type != null) {
      throw new PolicyException(at + ".type must be a string or a list of strings");
    }
    List<Predicate> where = new ArrayList<>();
    JsonNode conditions = json.get("where");
    if (conditions != null && !conditions.isArray()) {
      throw new PolicyException(at + ".where must be an array of conditions");
    }
    for (int i = 0; conditions != null && i < conditions.size(); i++) {
      where.add(predicate(conditions.get(i), at + ".where[" + i + "]"));
    }
    // A gate on every event would also hold the approval events it causes: never what is meant.
    if (types.isEmpty() && where.isEmpty()) {
      throw new PolicyException(at + " must name a type or at least one condition");
    }
    return new Match(new ArrayList<>(types), where);
  }

  private static Predicate predicate(JsonNode json, String at) {
    if (!json.isObject()) {
      throw new PolicyException(at + " must be an object like {\"field\": \"args.amount\", \"gt\": 100}");
    }
    JsonNode field = json.get("field");
    if (field == null || !field.isTextual() || field.asText().isEmpty()) {
      throw new PolicyException(at + ".field must be a non-empty dotted path like \"args.amount\"");
    }
    if (List.of(field.asText().split("\\.", -1)).contains("")) {
      throw new PolicyException(at + ".field '" + field.asText() + "' has an empty segment");
    }
    Predicate.Op op = null;
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (name.equals("field")) {
        continue;
      }
      Predicate.Op candidate = Predicate.Op.fromWire(name);
      if (candidate == null) {
        throw new PolicyException(at + " has unknown operator '" + name + "' (one of eq, ne, in, gt, gte, lt, lte, exists)");
      }
      if (op != null) {
        throw new PolicyException(at + " has two operators, '" + op.wire() + "' and '" + name + "': use one condition each");
      }
      op = candidate;
    }
    if (op == null) {
      throw new PolicyException(at + " has no operator (one of eq, ne, in, gt, gte, lt, lte, exists)");
    }
    JsonNode value = json.get(op.wire());
    String valueAt = at + "." + op.wire();
    switch (op) {
      case IN -> {
        if (!value.isArray()) {
          throw new PolicyException(valueAt + " must be a list of values");
        }
      }
      case GT, GTE, LT, LTE -> {
        if (!value.isNumber()) {
          throw new PolicyException(valueAt + " must be a number");
        }
      }
      case EXISTS -> {
        if (!value.isBoolean()) {
          throw new PolicyException(valueAt + " must be true or false");
        }
      }
      default -> { }
    }
    return new Predicate(field.asText(), op, value);
  }
}
