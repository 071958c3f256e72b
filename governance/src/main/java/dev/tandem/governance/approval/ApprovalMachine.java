package dev.tandem.governance.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.Role;
import dev.tandem.governance.approval.Approval.Decision;
import dev.tandem.governance.approval.Approval.Vote;
import dev.tandem.governance.approval.Outcome.Reason;
import dev.tandem.governance.policy.Gate;
import dev.tandem.governance.policy.OnExpiry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The approval state machine as pure functions: (approval, command, now) to an {@link Outcome}.
 * The hub stores the result and appends the events it names; it decides nothing itself.
 *
 * <p>Rules, in the order they are applied:
 * <ol>
 *   <li>A settled approval never changes: any command returns it as {@link Outcome.Unchanged}.
 *   <li>A command at or after {@code expiresAt} first expires the approval, and that is its
 *       outcome: {@code onExpiry: reject} settles it EXPIRED, {@code approve} settles it APPROVED
 *       with the proposed event as is.
 *   <li>Approve and reject need an approver of the gate (role or subject); the requester decides
 *       its own request only when the gate allows self-approval.
 *   <li>The first rejection settles it REJECTED. Approvals settle it APPROVED once {@code quorum}
 *       distinct approvers approved the same event (an edit is a different event, so approvers
 *       who saw different content never add up to a quorum). A repeated vote changes nothing.
 *   <li>Only the requester, or a principal with the admin role, cancels.
 * </ol>
 * Scopes are not checked here: the hub requires the approve (or admin) action on the stream
 * with {@code ScopeMatcher} before it calls in.
 */
public final class ApprovalMachine {

  private ApprovalMachine() {}

  /** A new pending approval for {@code proposed}, held by {@code gate}, and its {@code approval.requested} event. */
  public static Outcome.Changed request(String id, String streamPath, String requester, JsonNode proposed, Gate gate,
                                        Instant now) {
    if (proposed == null || !proposed.isObject()) {
      throw new IllegalArgumentException("only a JSON object can be held for approval");
    }
    Approval approval = new Approval(id, streamPath, requester, proposed.deepCopy(), gate, ApprovalState.PENDING,
        List.of(), now, now.plus(gate.expiresAfter()), null);
    return new Outcome.Changed(approval, List.of(new AuditEvent.Requested(id, requester, gate.name(), gate.quorum(),
        approval.expiresAt(), gate.allowEdit(), approval.proposedEvent())));
  }

  public static Outcome apply(Approval approval, Command command, Instant now) {
    if (approval.state().settled()) {
      return new Outcome.Unchanged(approval, Reason.ALREADY_SETTLED);
    }
    if (!now.isBefore(approval.expiresAt())) {
      return expire(approval, now);
    }
    // Java 17 has no pattern switch; Command is sealed, so these four are all there is.
    if (command instanceof Command.Approve approve) {
      return approve(approval, approve, now);
    }
    if (command instanceof Command.Reject reject) {
      return reject(approval, reject, now);
    }
    if (command instanceof Command.Cancel cancel) {
      return cancel(approval, cancel, now);
    }
    return new Outcome.Unchanged(approval, Reason.NOT_YET_DUE);
  }

  /**
   * Whether {@code principal} could still cast a deciding vote: the approval is pending and not
   * due, and it is an approver who has not voted and is not a forbidden self-approver. For inboxes.
   */
  public static boolean awaits(Approval approval, Principal principal, Instant now) {
    return !approval.state().settled() && now.isBefore(approval.expiresAt())
        && refusal(approval, principal) == null && !approval.hasVoted(principal.subject());
  }

  /**
   * The event the hub appends after a settled approval that released one: the released event
   * with {@code approvalId} set, so readers can link it to its approval. Null when none.
   */
  public static JsonNode releasedEvent(Approval approval) {
    if (approval.decision() == null || approval.decision().released() == null) {
      return null;
    }
    ObjectNode event = approval.decision().released().deepCopy();
    event.put("approvalId", approval.id());
    return event;
  }

  private static Outcome approve(Approval approval, Command.Approve command, Instant now) {
    Principal by = command.by();
    Outcome.Refused refused = refusal(approval, by);
    if (refused != null) {
      return refused;
    }
    if (approval.hasVoted(by.subject())) {
      return new Outcome.Unchanged(approval, Reason.ALREADY_VOTED);
    }
    JsonNode edit = command.editedEvent();
    if (edit != null && (edit.isNull() || edit.equals(approval.proposedEvent()))) {
      edit = null; // JSON null, or the event sent back unchanged, is a plain yes
    }
    if (edit != null && !approval.gate().allowEdit()) {
      return new Outcome.Refused(ErrorCode.EDIT_NOT_ALLOWED,
          "gate '" + approval.gate().name() + "' does not allow approvers to edit the event");
    }
    if (edit != null && (!edit.isObject() || !edit.path("type").equals(approval.proposedEvent().path("type")))) {
      return new Outcome.Refused(ErrorCode.INVALID_EDIT,
          "an edited event must be a JSON object with the same type as the proposed one");
    }
    Vote vote = new Vote(by.subject(), now, edit == null ? null : edit.deepCopy());
    List<Vote> votes = new ArrayList<>(approval.votes());
    votes.add(vote);
    JsonNode content = vote.approves(approval.proposedEvent());
    List<String> approvers = new ArrayList<>();
    for (Vote v : votes) {
      if (v.approves(approval.proposedEvent()).equals(content)) {
        approvers.add(v.subject());
      }
    }
    int quorum = approval.gate().quorum();
    if (approvers.size() < quorum) {
      Approval next = with(approval, ApprovalState.PENDING, votes, null);
      return new Outcome.Changed(next, List.of(new AuditEvent.Voted(approval.id(), by.subject(), now,
          approvers.size(), quorum, vote.editedEvent())));
    }
    boolean edited = edit != null;
    Decision decision = new Decision(ApprovalState.APPROVED, by.subject(), now, null, content, edited);
    Approval next = with(approval, ApprovalState.APPROVED, votes, decision);
    return new Outcome.Changed(next, List.of(new AuditEvent.Granted(approval.id(), by.subject(), approvers, now, content,
        edited)));
  }

  private static Outcome reject(Approval approval, Command.Reject command, Instant now) {
    Outcome.Refused refused = refusal(approval, command.by());
    if (refused != null) {
      return refused;
    }
    String by = command.by().subject();
    Decision decision = new Decision(ApprovalState.REJECTED, by, now, command.reason(), null, false);
    Approval next = with(approval, ApprovalState.REJECTED, approval.votes(), decision);
    return new Outcome.Changed(next, List.of(new AuditEvent.Rejected(approval.id(), by, now, command.reason())));
  }

  private static Outcome cancel(Approval approval, Command.Cancel command, Instant now) {
    Principal by = command.by();
    if (!by.subject().equals(approval.requester()) && !by.hasRole(Role.ADMIN)) {
      return new Outcome.Refused(ErrorCode.ONLY_REQUESTER_MAY_CANCEL,
          "only the requester '" + approval.requester() + "' or an admin may cancel this request");
    }
    Decision decision = new Decision(ApprovalState.CANCELED, by.subject(), now, command.reason(), null, false);
    Approval next = with(approval, ApprovalState.CANCELED, approval.votes(), decision);
    return new Outcome.Changed(next, List.of(new AuditEvent.Canceled(approval.id(), by.subject(), now,
        command.reason())));
  }

  private static Outcome expire(Approval approval, Instant now) {
    OnExpiry onExpiry = approval.gate().onExpiry();
    boolean release = onExpiry == OnExpiry.APPROVE;
    JsonNode released = release ? approval.proposedEvent() : null;
    ApprovalState state = release ? ApprovalState.APPROVED : ApprovalState.EXPIRED;
    Decision decision = new Decision(state, null, now, "expired", released, false);
    Approval next = with(approval, state, approval.votes(), decision);
    return new Outcome.Changed(next, List.of(new AuditEvent.Expired(approval.id(), approval.expiresAt(), now,
        onExpiry, released)));
  }

  /** Why {@code by} may not approve or reject this approval, or null when it may. */
  private static Outcome.Refused refusal(Approval approval, Principal by) {
    Gate gate = approval.gate();
    if (by.subject().equals(approval.requester()) && !gate.allowSelfApproval()) {
      return new Outcome.Refused(ErrorCode.SELF_APPROVAL_FORBIDDEN,
          "'" + by.subject() + "' requested this and may not decide it (gate '" + gate.name() + "'); cancel it instead");
    }
    if (!gate.isApprover(by)) {
      return new Outcome.Refused(ErrorCode.NOT_AN_APPROVER,
          "'" + by.subject() + "' is not an approver for gate '" + gate.name() + "'");
    }
    return null;
  }

  private static Approval with(Approval a, ApprovalState state, List<Vote> votes, Decision decision) {
    return new Approval(a.id(), a.streamPath(), a.requester(), a.proposedEvent(), a.gate(), state, votes,
        a.createdAt(), a.expiresAt(), decision);
  }
}
