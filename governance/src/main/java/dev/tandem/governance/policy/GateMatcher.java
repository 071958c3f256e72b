package dev.tandem.governance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which gates of a policy hold an event. Gates come back in policy order and the hub lets the
 * first one decide, so a policy reads top to bottom like a rule list. Only JSON objects match.
 */
public final class GateMatcher {

  private GateMatcher() {}

  /** Every gate that holds {@code event}, in policy order (empty when none does). */
  public static List<Gate> match(Policy policy, JsonNode event) {
    List<Gate> held = new ArrayList<>();
    for (Gate gate : policy.gates()) {
      if (gate.matches(event)) {
        held.add(gate);
      }
    }
    return held;
  }

  /** The gate that decides {@code event}: the first that holds it. */
  public static Optional<Gate> first(Policy policy, JsonNode event) {
    for (Gate gate : policy.gates()) {
      if (gate.matches(event)) {
        return Optional.of(gate);
      }
    }
    return Optional.empty();
  }
}
