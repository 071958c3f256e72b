package dev.tandem.governance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.access.Principal;
import java.time.Duration;
import java.util.Objects;

/**
 * One approval gate: which events it holds ({@link Match}), who may release them
 * ({@link Approvers}, {@code quorum}, {@code allowSelfApproval}), how long a request waits and
 * what silence means ({@code expiresAfter}, {@code onExpiry}), and whether an approver may edit
 * the event before it is released. A gate is a value: a pending approval keeps a copy of the
 * gate it was requested under, so changing a policy never changes a request already made.
 */
public record Gate(String name, Match match, Approvers approvers, int quorum, boolean allowSelfApproval,
                   Duration expiresAfter, OnExpiry onExpiry, boolean allowEdit) {

  public static final int DEFAULT_QUORUM = 1;
  public static final Duration DEFAULT_EXPIRES_AFTER = Duration.ofHours(24);

  public Gate {
    if (name == null || name.isBlank()) {
      throw new PolicyException("a gate needs a non-empty name");
    }
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(approvers, "approvers");
    Objects.requireNonNull(onExpiry, "onExpiry");
    if (quorum < 1) {
      throw new PolicyException("gate '" + name + "': quorum must be at least 1");
    }
    if (expiresAfter == null || expiresAfter.isZero() || expiresAfter.isNegative()) {
      throw new PolicyException("gate '" + name + "': expiresAfter must be positive");
    }
  }

  /** Whether this gate holds {@code event} (only JSON objects are ever held). */
  public boolean matches(JsonNode event) {
    return match.test(event);
  }

  /** Whether {@code principal} is one of this gate's approvers (self-approval is judged apart). */
  public boolean isApprover(Principal principal) {
    return approvers.includes(principal);
  }

  /** One gate as written inside a policy's {@code gates} list (how an approval stores its gate). */
  public static Gate parse(JsonNode json) {
    return PolicyReader.gate(json, "gate");
  }

  /** This gate's JSON, every field spelled out; {@link #parse} reads it back to an equal gate. */
  public ObjectNode toJson() {
    return PolicyWriter.gate(this);
  }
}
