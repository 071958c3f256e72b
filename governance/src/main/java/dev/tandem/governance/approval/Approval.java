package dev.tandem.governance.approval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.governance.policy.Gate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A request to append an event that a gate holds, and everything decided about it. The gate is
 * a copy taken at request time, so later policy changes never alter a pending request.
 * Invariant: {@code decision} is null exactly while {@code state} is PENDING.
 *
 * @param votes approvals so far, one per distinct subject, in the order they arrived
 * @param decision how it was settled; null while pending
 */
public record Approval(String id, String streamPath, String requester, JsonNode proposedEvent, Gate gate,
                       ApprovalState state, List<Vote> votes, Instant createdAt, Instant expiresAt,
                       Decision decision) {

  public Approval {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(streamPath, "streamPath");
    Objects.requireNonNull(requester, "requester");
    Objects.requireNonNull(proposedEvent, "proposedEvent");
    Objects.requireNonNull(gate, "gate");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    votes = List.copyOf(votes);
    if ((decision == null) != (state == ApprovalState.PENDING)) {
      throw new IllegalArgumentException("an approval has a decision exactly when it is settled (state " + state + ")");
    }
  }

  /**
   * One approver's yes.
   *
   * @param editedEvent the event this approver approves instead of the proposed one; null when
   *     it approves the proposed event as is
   */
  public record Vote(String subject, Instant at, JsonNode editedEvent) {
    public Vote(String subject, Instant at) {
      this(subject, at, null);
    }

    /** The event this vote approves. */
    JsonNode approves(JsonNode proposed) {
      return editedEvent == null ? proposed : editedEvent;
    }
  }

  /**
   * How an approval was settled.
   *
   * @param outcome the state it settled in
   * @param by the subject who settled it; null when the deadline did
   * @param reason the rejecter's or canceler's reason, {@code "expired"} for the deadline, else null
   * @param released the event to append when approved (possibly edited), else null
   * @param edited whether {@code released} differs from the proposed event
   */
  public record Decision(ApprovalState outcome, String by, Instant at, String reason, JsonNode released,
                         boolean edited) {}

  public boolean hasVoted(String subject) {
    return votes.stream().anyMatch(v -> v.subject().equals(subject));
  }
}
