package dev.tandem.governance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Objects;

/**
 * One condition on an event field: {@code {"field": "args.amount", "gt": 100}}. The field is a
 * dotted path into the event; a segment that is a whole number also indexes arrays
 * ({@code items.0.sku}).
 *
 * <p>Gates fail closed: matching means "needs approval", so where a value is ambiguous the
 * predicate errs towards holding the event. Numbers compare by value ({@code 1 == 1.0}); a
 * comparison ({@code gt gte lt lte}) reads a numeric string ({@code "250"}) as its number and
 * holds for any other present non-number, so an agent cannot slip past {@code amount > 100}
 * by sending {@code "250"} or {@code "lots"}. A missing field satisfies only {@code ne} and
 * {@code exists: false}.
 */
public record Predicate(String field, Op op, JsonNode value) {

  public Predicate {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(op, "op");
    value = value.deepCopy(); // a policy is a value: later edits to the parsed document cannot reach it
  }

  public enum Op {
    EQ, NE, IN, GT, GTE, LT, LTE, EXISTS;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The operator named {@code name} in a policy document, or null. */
    public static Op fromWire(String name) {
      for (Op op : values()) {
        if (op.wire().equals(name)) {
          return op;
        }
      }
      return null;
    }
  }

  public boolean test(JsonNode event) {
    JsonNode actual = resolve(event, field);
    return switch (op) {
      case EXISTS -> (actual != null) == value.asBoolean();
      case EQ -> actual != null && same(actual, value);
      case NE -> actual == null || !same(actual, value);
      case IN -> actual != null && contains(value, actual);
      case GT, GTE, LT, LTE -> actual != null && compare(actual);
    };
  }

  private boolean compare(JsonNode actual) {
    BigDecimal number = number(actual);
    if (number == null) {
      return true; // present but not a number: fail closed
    }
    int c = number.compareTo(value.decimalValue());
    return switch (op) {
      case GT -> c > 0;
      case GTE -> c >= 0;
      case LT -> c < 0;
      default -> c <= 0;
    };
  }

  private static BigDecimal number(JsonNode node) {
    if (node.isNumber()) {
      return node.decimalValue();
    }
    if (node.isTextual()) {
      try {
        return new BigDecimal(node.asText());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static boolean contains(JsonNode candidates, JsonNode actual) {
    for (JsonNode candidate : candidates) {
      if (same(actual, candidate)) {
        return true;
      }
    }
    return false;
  }

  /** Numbers by value; everything else by JSON equality. */
  private static boolean same(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  /** The node at {@code dotted} inside {@code event}, or null when any step is missing. */
  static JsonNode resolve(JsonNode event, String dotted) {
    JsonNode node = event;
    for (String part : dotted.split("\\.", -1)) {
      if (node == null) {
        return null;
      }
      if (node.isObject()) {
        node = node.get(part);
      } else if (node.isArray() && isIndex(part)) {
        node = node.get(Integer.parseInt(part));
      } else {
        return null;
      }
    }
    return node == null || node.isMissingNode() ? null : node;
  }

  private static boolean isIndex(String part) {
    return !part.isEmpty() && part.length() <= 9 && part.chars().allMatch(Character::isDigit);
  }
}
