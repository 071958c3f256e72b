package dev.tandem.governance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * One condition on an event field: {@code {"field": "args.amount", "gt": 100}}. The field is a
 * dotted path into the event object. Comparisons ({@code gt}, {@code gte}, {@code lt},
 * {@code lte}) hold only between numbers; a missing field satisfies only {@code ne} and
 * {@code exists: false}.
 */
public record Predicate(String field, Op op, JsonNode value) {

  public enum Op { EQ, NE, IN, GT, GTE, LT, LTE, EXISTS }

  public boolean test(JsonNode event) {
    JsonNode actual = resolve(event, field);
    return switch (op) {
      case EXISTS -> (actual != null) == value.asBoolean();
      case EQ -> actual != null && equal(actual, value);
      case NE -> actual == null || !equal(actual, value);
      case IN -> {
        if (actual != null) {
          for (JsonNode candidate : value) {
            if (equal(actual, candidate)) {
              yield true;
            }
          }
        }
        yield false;
      }
      case GT, GTE, LT, LTE -> actual != null && actual.isNumber() && compare(actual, op);
    };
  }

  private boolean compare(JsonNode actual, Op op) {
    int c = actual.decimalValue().compareTo(value.decimalValue());
    return switch (op) {
      case GT -> c > 0;
      case GTE -> c >= 0;
      case LT -> c < 0;
      default -> c <= 0;
    };
  }

  /** Numbers compare by value (1 equals 1.0); everything else by JSON equality. */
  private static boolean equal(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  static JsonNode resolve(JsonNode event, String dotted) {
    JsonNode node = event;
    for (String part : dotted.split("\\.", -1)) {
      if (node == null || !node.isObject()) {
        return null;
      }
      node = node.get(part);
    }
    return node == null || node.isMissingNode() ? null : node;
  }

  static Op op(String name) {
    try {
      return Op.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
