package dev.tandem.governance.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.Role;
import dev.tandem.governance.approval.Approval.Decision;
import dev.tandem.governance.approval.Approval.Vote;
import dev.tandem.governance.policy.Gate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The approval state machine as pure functions: from (approval, command, now) to an
 * {@link Outcome}. The hub stores the result and appends the events it names; it decides
 * nothing itself.
 *
 * <p>Rules: a command on a pending approval at or after its deadline first expires it (the
 * gate's {@code onExpiry} decides how). The first rejection by an approver settles it;
 * approvals settle it when {@code quorum} distinct approvers have said yes. The requester
 * never decides its own request unless the gate allows self-approval; only the requester or
 * an admin cancels. Anything on a settled approval returns it unchanged: decisions are
 * idempotent and the first one wins.
 */
public final class ApprovalMachine {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private ApprovalMachine() {}

  /** A new pending approval and the {@code approval.requested} event announcing it. */
  public static Outcome.Changed request(String id, String streamPath, String requester, JsonNode proposed,
                                        Gate gate, Instant now) {
    Approval approval = new Approval(id, streamPath, requester, proposed, gate, ApprovalState.PENDING,
        List.of(), now, now.plus(gate.expiresAfter()), null);
    ObjectNode event = base("approval.requested", approval)
        .put("requester", requester)
        .put("gate", gate.name())
        .put("quorum", gate.quorum())
        .put("expiresAt", approval.expiresAt().toString())
        .put("allowEdit", gate.allowEdit());
    event.set("proposed", proposed);
    return new Outcome.Changed(approval, List.of(event));
  }

  public static Outcome apply(Approval approval, Command command, Instant now) {
    if (approval.state().settled()) {
      return new Outcome.Unchanged(approval, "already " + approval.state().name().toLowerCase(Locale.ROOT));
    }
    if (!now.isBefore(approval.expiresAt())) {
      return expire(approval, now);
    }
    // Java 17: no pattern switch yet; the sealed interface keeps this list complete.
    if (command instanceof Command.Approve a) {
      return approve(approval, a, now);
    }
    if (command instanceof Command.Reject r) {
      return reject(approval, r, now);
    }
    if (command instanceof Command.Cancel c) {
      return cancel(approval, c, now);
    }
    return new Outcome.Unchanged(approval, "not yet due");
  }

  private static Outcome approve(Approval approval, Command.Approve command, Instant now) {
    Principal by = command.by();
    Outcome.Refused refused = mayDecide(approval, by);
    if (refused != null) {
      return refused;
    }
    JsonNode released = approval.proposedEvent();
    boolean edited = false;
    if (command.editedEvent() != null) {
      if (!approval.gate().allowEdit()) {
        return new Outcome.Refused("edit_not_allowed", "gate '" + approval.gate().name() + "' does not allow edits");
      }
      JsonNode edit = command.editedEvent();
      if (!edit.isObject() || !edit.path("type").equals(approval.proposedEvent().path("type"))) {
        return new Outcome.Refused("invalid_edit", "an edited event must be an object with the same type");
      }
      released = edit;
      edited = !edit.equals(approval.proposedEvent());
    }
    if (approval.hasVoted(by.subject())) {
      return new Outcome.Unchanged(approval, "already voted");
    }
    List<Vote> votes = new ArrayList<>(approval.votes());
    votes.add(new Vote(by.subject(), now));
    if (votes.size() < approval.gate().quorum()) {
      Approval next = with(approval, ApprovalState.PENDING, votes, null);
      ObjectNode vote = base("approval.vote", next).put("by", by.subject())
          .put("votes", votes.size()).put("quorum", approval.gate().quorum());
      return new Outcome.Changed(next, List.of(vote));
    }
    Decision decision = new Decision(ApprovalState.APPROVED, by.subject(), now, null, released, edited);
    Approval next = with(approval, ApprovalState.APPROVED, votes, decision);
    ObjectNode granted = base("approval.granted", next).put("by", by.subject()).put("edited", edited);
    ArrayNode approvers = granted.putArray("approvers");
    votes.forEach(v -> approvers.add(v.subject()));
    granted.set("released", released);
    return new Outcome.Changed(next, List.of(granted));
  }

  private static Outcome reject(Approval approval, Command.Reject command, Instant now) {
    Outcome.Refused refused = mayDecide(approval, command.by());
    if (refused != null) {
      return refused;
    }
    String reason = command.reason() == null ? "" : command.reason();
    Decision decision = new Decision(ApprovalState.REJECTED, command.by().subject(), now, reason, null, false);
    Approval next = with(approval, ApprovalState.REJECTED, approval.votes(), decision);
    return new Outcome.Changed(next, List.of(base("approval.rejected", next)
        .put("by", command.by().subject()).put("reason", reason)));
  }

  private static Outcome cancel(Approval approval, Command.Cancel command, Instant now) {
    Principal by = command.by();
    if (!by.subject().equals(approval.requester()) && !by.hasRole(Role.ADMIN) && !"system".equals(by.subject())) {
      return new Outcome.Refused("only_requester_may_cancel", "only the requester or an admin may cancel");
    }
    String reason = command.reason() == null ? "" : command.reason();
    Decision decision = new Decision(ApprovalState.CANCELED, by.subject(), now, reason, null, false);
    Approval next = with(approval, ApprovalState.CANCELED, approval.votes(), decision);
    return new Outcome.Changed(next, List.of(base("approval.canceled", next).put("by", by.subject())
        .put("reason", reason)));
  }

  private static Outcome expire(Approval approval, Instant now) {
    boolean approve = approval.gate().onExpiry() == Gate.ExpiryOutcome.APPROVE;
    JsonNode released = approve ? approval.proposedEvent() : null;
    Decision decision = new Decision(ApprovalState.EXPIRED, "system", now, "expired", released, false);
    Approval next = with(approval, ApprovalState.EXPIRED, approval.votes(), decision);
    ObjectNode expired = base("approval.expired", next).put("outcome", approve ? "approved" : "rejected");
    if (approve) {
      expired.set("released", released);
    }
    return new Outcome.Changed(next, List.of(expired));
  }

  /** Null when {@code by} may approve or reject this approval. */
  private static Outcome.Refused mayDecide(Approval approval, Principal by) {
    if (by.subject().equals(approval.requester()) && !approval.gate().allowSelfApproval()) {
      return new Outcome.Refused("self_approval_forbidden", "the requester may not decide its own request");
    }
    if (!approval.gate().isApprover(by)) {
      return new Outcome.Refused("not_an_approver", "'" + by.subject() + "' is not an approver for gate '"
          + approval.gate().name() + "'");
    }
    return null;
  }

  /** The event that follows a settled approval into the stream, or null when nothing is released. */
  public static JsonNode releasedEvent(Approval approval) {
    if (approval.decision() == null || approval.decision().released() == null) {
      return null;
    }
    ObjectNode event = approval.decision().released().deepCopy();
    event.put("approvalId", approval.id());
    return event;
  }

  private static Approval with(Approval a, ApprovalState state, List<Vote> votes, Decision decision) {
    return new Approval(a.id(), a.streamPath(), a.requester(), a.proposedEvent(), a.gate(), state, votes,
        a.createdAt(), a.expiresAt(), decision);
  }

  private static ObjectNode base(String type, Approval approval) {
    return JSON.objectNode().put("type", type).put("approvalId", approval.id());
  }
}
