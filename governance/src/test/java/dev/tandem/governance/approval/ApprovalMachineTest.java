package dev.tandem.governance.approval;

import static dev.tandem.governance.TestJson.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.Role;
import dev.tandem.governance.approval.Outcome.Reason;
import dev.tandem.governance.policy.Gate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every transition of the approval state machine, at fixed instants. */
class ApprovalMachineTest {

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T09:00:00Z"), ZoneOffset.UTC);
  static final Instant T0 = CLOCK.instant();
  static final Principal AGENT = principal("agent-7", Role.AGENT);
  static final Principal OTHER_AGENT = principal("agent-8", Role.AGENT);
  static final Principal MIA = principal("mia", Role.MANAGER);
  static final Principal MAX = principal("max", Role.MANAGER);
  static final Principal ZOE = principal("zoe", Role.MANAGER);
  static final Principal ROOT = principal("root", Role.ADMIN);
  static final JsonNode REFUND = json("{'type':'tool.call','tool':'payments.refund','args':{'amount':250}}");
  static final JsonNode SMALLER = json("{'type':'tool.call','tool':'payments.refund','args':{'amount':100}}");

  static Principal principal(String subject, Role... roles) {
    return new Principal(subject, Set.of(roles), List.of());
  }

  static Gate gate(String options) {
    return Gate.parse(json("{'name':'refunds','match':{'type':'tool.call'},'expiresAfter':'1h'"
        + (options.isEmpty() ? "" : "," + options) + "}"));
  }

  static Approval pending(String options) {
    return ApprovalMachine.request("apr_1", "shop/s1", "agent-7", REFUND, gate(options), T0).next();
  }

  static Outcome.Changed changed(Outcome outcome) {
    return assertInstanceOf(Outcome.Changed.class, outcome);
  }

  static ErrorCode refused(Outcome outcome) {
    return assertInstanceOf(Outcome.Refused.class, outcome).code();
  }

  static Reason unchanged(Outcome outcome) {
    return assertInstanceOf(Outcome.Unchanged.class, outcome).reason();
  }

  static JsonNode onlyEvent(Outcome.Changed changed) {
    assertEquals(1, changed.events().size());
    return changed.events().get(0);
  }

  static Approval approve(Approval a, Principal by) {
    return changed(ApprovalMachine.apply(a, new Command.Approve(by), T0)).next();
  }

  // --- request ---

  @Test
  void requestBuildsAPendingApprovalAndAnnouncesIt() {
    Outcome.Changed requested = ApprovalMachine.request("apr_1", "shop/s1", "agent-7", REFUND, gate("'quorum':2"), T0);
    Approval a = requested.next();
    assertEquals(ApprovalState.PENDING, a.state());
    assertEquals(T0, a.createdAt());
    assertEquals(T0.plusSeconds(3600), a.expiresAt());
    assertEquals(List.of(), a.votes());
    assertNull(a.decision());
    assertEquals(json("{'type':'approval.requested','approvalId':'apr_1','requester':'agent-7','gate':'refunds',"
        + "'quorum':2,'expiresAt':'2026-11-23T10:00:00Z','allowEdit':false,'proposed':" + REFUND + "}"),
        onlyEvent(requested));
  }

  @Test
  void requestUsesTheDefaultDayWhenTheGateSaysNothing() {
    Gate g = Gate.parse(json("{'name':'g','match':{'type':'tool.call'}}"));
    Approval a = ApprovalMachine.request("apr_2", "s", "agent-7", REFUND, g, T0).next();
    assertEquals(Instant.parse("2026-11-24T09:00:00Z"), a.expiresAt());
  }

  @Test
  void onlyObjectsCanBeHeld() {
    assertThrows(IllegalArgumentException.class,
        () -> ApprovalMachine.request("apr_1", "s", "agent-7", json("[1]"), gate(""), T0));
  }

  @Test
  void theProposedEventIsCopiedSoLaterMutationCannotChangeIt() {
    var event = (com.fasterxml.jackson.databind.node.ObjectNode) REFUND.deepCopy();
    Approval a = ApprovalMachine.request("apr_1", "s", "agent-7", event, gate(""), T0).next();
    event.put("tool", "something.else");
    assertEquals(REFUND, a.proposedEvent());
  }

  // --- approve ---

  @Test
  void anApproverReleasesTheProposedEvent() {
    Outcome.Changed done = changed(ApprovalMachine.apply(pending(""), new Command.Approve(MIA), T0.plusSeconds(60)));
    Approval a = done.next();
    assertEquals(ApprovalState.APPROVED, a.state());
    assertEquals(new Approval.Decision(ApprovalState.APPROVED, "mia", T0.plusSeconds(60), null, REFUND, false),
        a.decision());
    assertEquals(json("{'type':'approval.granted','approvalId':'apr_1','by':'mia','at':'2026-11-23T09:01:00Z','edited':false,"
        + "'approvers':['mia'],'released':" + REFUND + "}"), onlyEvent(done));
    JsonNode released = ApprovalMachine.releasedEvent(a);
    assertEquals("apr_1", released.get("approvalId").asText());
    assertEquals(250, released.get("args").get("amount").asInt());
    assertFalse(REFUND.has("approvalId"), "the stored event is not touched");
  }

  @Test
  void approversByRoleOrSubject() {
    assertEquals(ErrorCode.NOT_AN_APPROVER, refused(ApprovalMachine.apply(pending(""), new Command.Approve(OTHER_AGENT), T0)));
    assertEquals(ErrorCode.NOT_AN_APPROVER,
        refused(ApprovalMachine.apply(pending(""), new Command.Approve(principal("h", Role.HUMAN)), T0)));
    assertEquals(ApprovalState.APPROVED, approve(pending(""), ROOT).state(), "admin is a default approver role");

    Approval bySubject = pending("'approvers':{'subjects':['cfo']}");
    assertEquals(ErrorCode.NOT_AN_APPROVER, refused(ApprovalMachine.apply(bySubject, new Command.Approve(MIA), T0)));
    assertEquals(ApprovalState.APPROVED, approve(bySubject, principal("cfo", Role.HUMAN)).state());
    assertEquals(ApprovalState.APPROVED, approve(bySubject, principal("cfo")).state(), "a subject needs no role");
  }

  @Test
  void theRequesterNeverDecidesItsOwnRequestUnlessAllowed() {
    Principal selfManager = principal("agent-7", Role.MANAGER);
    Outcome.Refused refusal = assertInstanceOf(Outcome.Refused.class,
        ApprovalMachine.apply(pending(""), new Command.Approve(selfManager), T0));
    assertEquals(ErrorCode.SELF_APPROVAL_FORBIDDEN, refusal.code());
    assertTrue(refusal.message().contains("agent-7"), refusal.message());
    assertEquals(ErrorCode.SELF_APPROVAL_FORBIDDEN,
        refused(ApprovalMachine.apply(pending(""), new Command.Reject(selfManager, "no"), T0)));
    assertEquals(ErrorCode.SELF_APPROVAL_FORBIDDEN, refused(ApprovalMachine.apply(pending(""), new Command.Approve(AGENT), T0)),
        "an agent asking to approve its own request is told so, not merely that it is no approver");

    Approval allowed = pending("'allowSelfApproval':true");
    assertEquals(ApprovalState.APPROVED, approve(allowed, selfManager).state());
    assertEquals(ErrorCode.NOT_AN_APPROVER, refused(ApprovalMachine.apply(allowed, new Command.Approve(AGENT), T0)),
        "self-approval still needs an approver");
  }

  @Test
  void aSelfVoteNeverCountsTowardsQuorum() {
    Approval a = pending("'quorum':2");
    Principal selfManager = principal("agent-7", Role.MANAGER);
    Approval one = approve(a, MIA);
    assertEquals(ErrorCode.SELF_APPROVAL_FORBIDDEN, refused(ApprovalMachine.apply(one, new Command.Approve(selfManager), T0)));
    assertEquals(1, one.votes().size());
  }

  // --- quorum ---

  @Test
  void aQuorumOfTwoNeedsTwoDistinctApprovers() {
    Approval a = pending("'quorum':2");
    Outcome.Changed first = changed(ApprovalMachine.apply(a, new Command.Approve(MIA), T0.plusSeconds(1)));
    assertEquals(ApprovalState.PENDING, first.next().state());
    assertNull(first.next().decision());
    assertEquals(List.of(new Approval.Vote("mia", T0.plusSeconds(1))), first.next().votes());
    assertEquals(json("{'type':'approval.vote','approvalId':'apr_1','by':'mia','at':'2026-11-23T09:00:01Z',"
        + "'votes':1,'quorum':2,'edited':false}"), onlyEvent(first));

    Outcome repeat = ApprovalMachine.apply(first.next(), new Command.Approve(MIA), T0.plusSeconds(2));
    assertEquals(Reason.ALREADY_VOTED, unchanged(repeat));
    assertEquals(first.next(), ((Outcome.Unchanged) repeat).current());

    Principal miaOnAnotherDevice = principal("mia", Role.MANAGER, Role.HUMAN);
    assertEquals(Reason.ALREADY_VOTED, unchanged(ApprovalMachine.apply(first.next(),
        new Command.Approve(miaOnAnotherDevice), T0.plusSeconds(3))), "distinct means distinct subjects");

    Outcome.Changed second = changed(ApprovalMachine.apply(first.next(), new Command.Approve(MAX), T0.plusSeconds(4)));
    assertEquals(ApprovalState.APPROVED, second.next().state());
    assertEquals("max", second.next().decision().by());
    assertEquals(json("['mia','max']"), onlyEvent(second).get("approvers"));
    assertEquals("approval.granted", onlyEvent(second).get("type").asText());
  }

  @Test
  void aQuorumOfThreeWithRepeatsInBetween() {
    Approval a = pending("'quorum':3");
    a = approve(a, MIA);
    assertEquals(Reason.ALREADY_VOTED, unchanged(ApprovalMachine.apply(a, new Command.Approve(MIA), T0)));
    a = approve(a, MAX);
    assertEquals(Reason.ALREADY_VOTED, unchanged(ApprovalMachine.apply(a, new Command.Approve(MAX), T0)));
    assertEquals(ApprovalState.PENDING, a.state());
    a = approve(a, ZOE);
    assertEquals(ApprovalState.APPROVED, a.state());
    assertEquals(3, a.votes().size());
  }

  @Test
  void theFirstRejectionWinsEvenAgainstAPartialQuorum() {
    Approval a = approve(pending("'quorum':2"), MIA);
    Outcome.Changed rejected = changed(ApprovalMachine.apply(a, new Command.Reject(MAX, "too much"), T0.plusSeconds(5)));
    assertEquals(ApprovalState.REJECTED, rejected.next().state());
    assertEquals(new Approval.Decision(ApprovalState.REJECTED, "max", T0.plusSeconds(5), "too much", null, false),
        rejected.next().decision());
    assertEquals(json("{'type':'approval.rejected','approvalId':'apr_1','by':'max','at':'2026-11-23T09:00:05Z',"
        + "'reason':'too much'}"), onlyEvent(rejected));
    assertNull(ApprovalMachine.releasedEvent(rejected.next()));
  }

  @Test
  void anApproverMayRejectAfterVotingYes() {
    Approval a = approve(pending("'quorum':2"), MIA);
    assertEquals(ApprovalState.REJECTED, changed(ApprovalMachine.apply(a, new Command.Reject(MIA, "on second thought"), T0))
        .next().state());
  }

  @Test
  void onlyApproversReject() {
    assertEquals(ErrorCode.NOT_AN_APPROVER, refused(ApprovalMachine.apply(pending(""), new Command.Reject(OTHER_AGENT, "no"), T0)));
    Outcome.Changed noReason = changed(ApprovalMachine.apply(pending(""), new Command.Reject(MIA, null), T0));
    assertEquals("", onlyEvent(noReason).get("reason").asText());
  }

  // --- edits ---

  @Test
  void editsAreRefusedWhenTheGateDoesNotAllowThem() {
    Outcome.Refused r = assertInstanceOf(Outcome.Refused.class,
        ApprovalMachine.apply(pending(""), new Command.Approve(MIA, SMALLER), T0));
    assertEquals(ErrorCode.EDIT_NOT_ALLOWED, r.code());
    assertTrue(r.message().contains("refunds"), r.message());
    assertEquals(ApprovalState.APPROVED,
        changed(ApprovalMachine.apply(pending(""), new Command.Approve(MIA, REFUND.deepCopy()), T0)).next().state(),
        "sending the proposed event back unchanged is not an edit");
    assertEquals(ApprovalState.APPROVED,
        changed(ApprovalMachine.apply(pending(""), new Command.Approve(MIA, json("null")), T0)).next().state(),
        "a JSON null edit is no edit");
  }

  @Test
  void anAllowedEditIsReleasedAndMarked() {
    Outcome.Changed done = changed(ApprovalMachine.apply(pending("'allowEdit':true"), new Command.Approve(MIA, SMALLER), T0));
    assertTrue(done.next().decision().edited());
    assertEquals(SMALLER, done.next().decision().released());
    assertEquals(REFUND, done.next().proposedEvent(), "the proposal itself is kept");
    JsonNode granted = onlyEvent(done);
    assertTrue(granted.get("edited").asBoolean());
    assertEquals(SMALLER, granted.get("released"));
    assertEquals(100, ApprovalMachine.releasedEvent(done.next()).get("args").get("amount").asInt());
  }

  @Test
  void anEditMustStayAnObjectOfTheSameType() {
    Approval editable = pending("'allowEdit':true");
    for (String bad : List.of("{'type':'other','tool':'payments.refund'}", "{'tool':'payments.refund'}", "[1]", "'x'",
        "{'type':null}")) {
      assertEquals(ErrorCode.INVALID_EDIT, refused(ApprovalMachine.apply(editable, new Command.Approve(MIA, json(bad)), T0)), bad);
    }
  }

  @Test
  void aQuorumCountsOnlyApproversOfTheSameContent() {
    Approval a = pending("'quorum':2,'allowEdit':true");
    Outcome.Changed edited = changed(ApprovalMachine.apply(a, new Command.Approve(MIA, SMALLER), T0));
    JsonNode vote = onlyEvent(edited);
    assertTrue(vote.get("edited").asBoolean());
    assertEquals(SMALLER, vote.get("event"));
    Outcome.Changed original = changed(ApprovalMachine.apply(edited.next(), new Command.Approve(MAX), T0));
    assertEquals(ApprovalState.PENDING, original.next().state(), "mia approved 100, max approved 250: no quorum");
    assertEquals(1, onlyEvent(original).get("votes").asInt());
    Outcome.Changed agreed = changed(ApprovalMachine.apply(original.next(), new Command.Approve(ZOE, SMALLER), T0));
    assertEquals(ApprovalState.APPROVED, agreed.next().state());
    assertEquals(SMALLER, agreed.next().decision().released());
    assertEquals(json("['mia','zoe']"), onlyEvent(agreed).get("approvers"));
  }

  // --- expiry ---

  @Test
  void expiryWithTheDefaultRejectAtTheExactDeadline() {
    Approval a = pending("");
    Instant deadline = a.expiresAt();
    assertEquals(Reason.NOT_YET_DUE, unchanged(ApprovalMachine.apply(a, new Command.Expire(), deadline.minusNanos(1))));
    Outcome.Changed expired = changed(ApprovalMachine.apply(a, new Command.Expire(), deadline));
    assertEquals(ApprovalState.EXPIRED, expired.next().state());
    assertEquals(new Approval.Decision(ApprovalState.EXPIRED, null, deadline, "expired", null, false),
        expired.next().decision());
    assertEquals(json("{'type':'approval.expired','approvalId':'apr_1','expiresAt':'2026-11-23T10:00:00Z',"
        + "'at':'2026-11-23T10:00:00Z','outcome':'rejected'}"), onlyEvent(expired));
    assertNull(ApprovalMachine.releasedEvent(expired.next()));
  }

  @Test
  void expiryWithApproveReleasesTheOriginalEvent() {
    Approval a = pending("'onExpiry':'approve','allowEdit':true,'quorum':2");
    a = changed(ApprovalMachine.apply(a, new Command.Approve(MIA, SMALLER), T0)).next();
    Outcome.Changed expired = changed(ApprovalMachine.apply(a, new Command.Expire(), a.expiresAt()));
    assertEquals(ApprovalState.APPROVED, expired.next().state());
    assertEquals(REFUND, expired.next().decision().released(), "the original event, not a partial edit");
    assertFalse(expired.next().decision().edited());
    assertNull(expired.next().decision().by());
    JsonNode event = onlyEvent(expired);
    assertEquals("approval.expired", event.get("type").asText());
    assertEquals("approved", event.get("outcome").asText());
    assertEquals(REFUND, event.get("released"));
    assertEquals(REFUND.get("tool"), ApprovalMachine.releasedEvent(expired.next()).get("tool"));
  }

  @Test
  void aDecisionAtOrAfterTheDeadlineFindsItExpired() {
    Approval a = pending("");
    Instant deadline = a.expiresAt();
    assertEquals(ApprovalState.APPROVED,
        changed(ApprovalMachine.apply(a, new Command.Approve(MIA), deadline.minusNanos(1))).next().state());
    for (Command late : List.of(new Command.Approve(MIA), new Command.Reject(MIA, "no"), new Command.Cancel(AGENT),
        new Command.Approve(OTHER_AGENT), new Command.Cancel(OTHER_AGENT))) {
      Outcome.Changed outcome = changed(ApprovalMachine.apply(a, late, deadline));
      assertEquals(ApprovalState.EXPIRED, outcome.next().state(), late.toString());
      assertEquals("approval.expired", onlyEvent(outcome).get("type").asText());
    }
    assertEquals(ApprovalState.APPROVED, changed(ApprovalMachine.apply(pending("'onExpiry':'approve'"),
        new Command.Reject(MIA, "too late"), deadline.plusSeconds(3600))).next().state());
  }

  @Test
  void expiryFollowsTheGatesOwnDuration() {
    Approval a = ApprovalMachine.request("apr_9", "s", "agent-7", REFUND, gate("'expiresAfter':'30s'"), T0).next();
    assertEquals(T0.plusSeconds(30), a.expiresAt());
    assertEquals(Reason.NOT_YET_DUE, unchanged(ApprovalMachine.apply(a, new Command.Expire(), T0.plusSeconds(29))));
    assertEquals(ApprovalState.EXPIRED, changed(ApprovalMachine.apply(a, new Command.Expire(), T0.plusSeconds(30))).next().state());
  }

  // --- cancel ---

  @Test
  void theRequesterCancels() {
    Outcome.Changed canceled = changed(ApprovalMachine.apply(pending(""), new Command.Cancel(AGENT, "changed my mind"), T0));
    assertEquals(ApprovalState.CANCELED, canceled.next().state());
    assertEquals("agent-7", canceled.next().decision().by());
    assertEquals(json("{'type':'approval.canceled','approvalId':'apr_1','by':'agent-7','at':'2026-11-23T09:00:00Z',"
        + "'reason':'changed my mind'}"), onlyEvent(canceled));
  }

  @Test
  void anAdminCancelsButNoOneElse() {
    assertEquals(ApprovalState.CANCELED, changed(ApprovalMachine.apply(pending(""), new Command.Cancel(ROOT), T0)).next().state());
    assertEquals(ErrorCode.ONLY_REQUESTER_MAY_CANCEL, refused(ApprovalMachine.apply(pending(""), new Command.Cancel(MIA), T0)),
        "an approver rejects, it does not cancel");
    assertEquals(ErrorCode.ONLY_REQUESTER_MAY_CANCEL,
        refused(ApprovalMachine.apply(pending(""), new Command.Cancel(OTHER_AGENT), T0)));
  }

  @Test
  void theRequesterCancelsAfterPartialVotes() {
    Approval a = approve(pending("'quorum':2"), MIA);
    assertEquals(ApprovalState.CANCELED, changed(ApprovalMachine.apply(a, new Command.Cancel(AGENT), T0)).next().state());
  }

  // --- idempotency ---

  @Test
  void everyCommandOnASettledApprovalReturnsItUnchanged() {
    Approval approved = approve(pending(""), MIA);
    Approval rejected = changed(ApprovalMachine.apply(pending(""), new Command.Reject(MIA, "no"), T0)).next();
    Approval canceled = changed(ApprovalMachine.apply(pending(""), new Command.Cancel(AGENT), T0)).next();
    Approval expired = changed(ApprovalMachine.apply(pending(""), new Command.Expire(), T0.plusSeconds(3600))).next();
    for (Approval settled : List.of(approved, rejected, canceled, expired)) {
      for (Command command : List.of(new Command.Approve(MIA), new Command.Approve(MAX), new Command.Reject(MAX, "late"),
          new Command.Cancel(AGENT), new Command.Cancel(OTHER_AGENT), new Command.Approve(OTHER_AGENT, SMALLER),
          new Command.Expire())) {
        for (Instant at : List.of(T0, T0.plusSeconds(7200))) {
          Outcome outcome = ApprovalMachine.apply(settled, command, at);
          assertEquals(Reason.ALREADY_SETTLED, unchanged(outcome), settled.state() + " " + command);
          assertEquals(settled, ((Outcome.Unchanged) outcome).current());
        }
      }
    }
  }

  @Test
  void theSameDecisionTwiceGivesTheSameRecord() {
    Approval a = pending("");
    Approval once = changed(ApprovalMachine.apply(a, new Command.Approve(MIA), T0)).next();
    Outcome twice = ApprovalMachine.apply(once, new Command.Approve(MIA), T0.plusSeconds(10));
    assertEquals(once, assertInstanceOf(Outcome.Unchanged.class, twice).current());
  }

  // --- inbox ---

  @Test
  void awaitsSaysWhoCouldStillDecide() {
    Approval a = pending("'quorum':2");
    assertTrue(ApprovalMachine.awaits(a, MIA, T0));
    assertFalse(ApprovalMachine.awaits(a, AGENT, T0), "the requester");
    assertFalse(ApprovalMachine.awaits(a, OTHER_AGENT, T0), "not an approver");
    assertFalse(ApprovalMachine.awaits(a, MIA, a.expiresAt()), "due");
    Approval voted = approve(a, MIA);
    assertFalse(ApprovalMachine.awaits(voted, MIA, T0), "already voted");
    assertTrue(ApprovalMachine.awaits(voted, MAX, T0));
    assertFalse(ApprovalMachine.awaits(approve(voted, MAX), ZOE, T0), "settled");
  }

  // --- records ---

  @Test
  void anApprovalHasADecisionExactlyWhenSettled() {
    Approval a = pending("");
    assertThrows(IllegalArgumentException.class, () -> new Approval(a.id(), a.streamPath(), a.requester(),
        a.proposedEvent(), a.gate(), ApprovalState.APPROVED, a.votes(), a.createdAt(), a.expiresAt(), null));
    assertTrue(ApprovalState.CANCELED.settled());
    assertFalse(ApprovalState.PENDING.settled());
    assertEquals("canceled", ApprovalState.CANCELED.wire());
  }

  @Test
  void errorCodesSayWhetherTheCallerIsForbidden() {
    assertTrue(ErrorCode.NOT_AN_APPROVER.callerForbidden());
    assertTrue(ErrorCode.SELF_APPROVAL_FORBIDDEN.callerForbidden());
    assertTrue(ErrorCode.ONLY_REQUESTER_MAY_CANCEL.callerForbidden());
    assertFalse(ErrorCode.EDIT_NOT_ALLOWED.callerForbidden());
    assertFalse(ErrorCode.INVALID_EDIT.callerForbidden());
    assertEquals("self_approval_forbidden", ErrorCode.SELF_APPROVAL_FORBIDDEN.wire());
  }
}
