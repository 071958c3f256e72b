package dev.tandem.governance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Which events a gate holds: an event whose {@code type} is one of {@code types} (any type when
 * empty) and for which every {@code where} predicate holds. Only JSON objects ever match.
 */
public record Match(List<String> types, List<Predicate> where) {

  public Match {
    types = List.copyOf(types);
    where = List.copyOf(where);
  }

  public boolean test(JsonNode event) {
    if (event == null || !event.isObject()) {
      return false;
    }
    JsonNode type = event.get("type");
    if (!types.isEmpty() && (type == null || !type.isTextual() || !types.contains(type.asText()))) {
      return false;
    }
    for (Predicate predicate : where) {
      if (!predicate.test(event)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether this match holds every event {@code other} holds, judged by structure: at least
   * {@code other}'s types and no condition {@code other} lacks. Sound, not complete: it never
   * says yes wrongly, which is what inheritance needs.
   */
  public boolean coversAllOf(Match other) {
    boolean typesCovered = types.isEmpty() || !other.types.isEmpty() && types.containsAll(other.types);
    return typesCovered && other.where.containsAll(where);
  }
}
