package dev.tandem.governance.approval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.governance.policy.Gate;
import java.time.Instant;
import java.util.List;

/**
 * A request to append an event that a gate holds, and everything decided about it.
 *
 * @param votes distinct approvers so far (quorum counts them)
 * @param decision how it was settled; null while pending
 */
public record Approval(String id, String streamPath, String requester, JsonNode proposedEvent, Gate gate,
                       ApprovalState state, List<Vote> votes, Instant createdAt, Instant expiresAt,
                       Decision decision) {

  public Approval {
    votes = List.copyOf(votes);
  }

  /** One approver's yes. */
  public record Vote(String subject, Instant at) {}

  /**
   * How an approval was settled.
   *
   * @param by who settled it ({@code "system"} for expiry)
   * @param released the event appended when approved (possibly edited), else null
   */
  public record Decision(ApprovalState outcome, String by, Instant at, String reason, JsonNode released,
                         boolean edited) {}

  public boolean hasVoted(String subject) {
    return votes.stream().anyMatch(v -> v.subject().equals(subject));
  }
}
