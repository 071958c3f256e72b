package dev.tandem.governance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A stream's policy: its approval gates, in the order they are tried, and its spawn limits.
 * The JSON document is described in docs/governance.md; {@link #parse} and {@link #toJson}
 * round-trip it. Invariant: gate names are unique within a policy, since inheritance matches
 * a child's gates to its parent's by name.
 */
public record Policy(List<Gate> gates, SpawnLimits spawn) {

  /** No gates, no limits of its own: what a stream without a policy has. */
  public static final Policy EMPTY = new Policy(List.of(), SpawnLimits.NONE);

  public Policy {
    gates = List.copyOf(gates);
    Objects.requireNonNull(spawn, "spawn");
    Set<String> names = new HashSet<>();
    for (Gate gate : gates) {
      if (!names.add(gate.name())) {
        throw new PolicyException("gate name '" + gate.name() + "' is used twice");
      }
    }
  }

  /** @throws PolicyException naming the first bad field by its JSON path */
  public static Policy parse(JsonNode json) {
    return PolicyReader.read(json);
  }

  public ObjectNode toJson() {
    return PolicyWriter.write(this);
  }

  /**
   * The effective policy of a stream spawned under one whose effective policy is {@code parent},
   * given the child's own ({@link #EMPTY} when it has none). See {@link PolicyInheritance}.
   */
  public static Inheritance inherit(Policy parent, Policy child) {
    return PolicyInheritance.inherit(parent, child);
  }

  /** The gate that decides {@code event} (the first that holds it), or null when none does. */
  public Gate gateFor(JsonNode event) {
    return GateMatcher.first(this, event).orElse(null);
  }
}
