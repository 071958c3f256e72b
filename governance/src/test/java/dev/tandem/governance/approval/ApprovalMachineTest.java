package dev.tandem.governance.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.Role;
import dev.tandem.governance.policy.Gate;
import dev.tandem.governance.policy.Policy;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every transition of the approval state machine, with a fixed clock. */
class ApprovalMachineTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");
  private static final Principal AGENT = new Principal("agent-7", Set.of(Role.AGENT), List.of());
  private static final Principal MIA = new Principal("mia", Set.of(Role.MANAGER), List.of());
  private static final Principal MAX = new Principal("max", Set.of(Role.MANAGER), List.of());
  private static final Principal ADMIN = new Principal("root", Set.of(Role.ADMIN), List.of());
  private static final JsonNode REFUND = json("{'type':'tool.call','tool':'payments.refund','args':{'amount':250}}");

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Gate gate(String options) {
    return Policy.parse(json("{'gates':[{'name':'refunds','match':{'type':'tool.call'},'expiresAfter':'1h'"
        + (options.isEmpty() ? "" : "," + options) + "}]}")).gates().get(0);
  }

  private static Approval pending(String options) {
    Outcome.Changed requested = ApprovalMachine.request("apr_1", "shop/s", "agent-7", REFUND, gate(options), T0);
    JsonNode event = requested.events().get(0);
    assertEquals("approval.requested", event.get("type").asText());
    assertEquals(REFUND, event.get("proposed"));
    assertEquals(T0.plusSeconds(3600).toString(), event.get("expiresAt").asText());
    return requested.next();
  }

  private static Outcome.Changed changed(Outcome outcome) {
    return assertInstanceOf(Outcome.Changed.class, outcome);
  }

  private static String refused(Outcome outcome) {
    return assertInstanceOf(Outcome.Refused.class, outcome).code();
  }

  @Test
  void approveReleasesTheProposedEvent() {
    Outcome.Changed done = changed(ApprovalMachine.apply(pending(""), new Command.Approve(MIA, null), T0.plusSeconds(60)));
    assertEquals(ApprovalState.APPROVED, done.next().state());
    assertEquals("approval.granted", done.events().get(0).get("type").asText());
    JsonNode released = ApprovalMachine.releasedEvent(done.next());
    assertEquals("apr_1", released.get("approvalId").asText());
    assertEquals(250, released.get("args").get("amount").asInt());
  }

  @Test
  void rejectSettlesWithTheReason() {
    Outcome.Changed done = changed(ApprovalMachine.apply(pending(""), new Command.Reject(MIA, "no"), T0));
    assertEquals(ApprovalState.REJECTED, done.next().state());
    assertEquals("no", done.events().get(0).get("reason").asText());
    assertNull(ApprovalMachine.releasedEvent(done.next()));
  }

  @Test
  void theRequesterNeverDecidesUnlessAllowed() {
    Principal selfManager = new Principal("agent-7", Set.of(Role.MANAGER), List.of());
    assertEquals("self_approval_forbidden", refused(ApprovalMachine.apply(pending(""), new Command.Approve(selfManager, null), T0)));
    assertEquals("self_approval_forbidden", refused(ApprovalMachine.apply(pending(""), new Command.Reject(selfManager, ""), T0)));
    Approval allowed = pending("'allowSelfApproval':true");
    assertEquals(ApprovalState.APPROVED, changed(ApprovalMachine.apply(allowed, new Command.Approve(selfManager, null), T0)).next().state());
  }

  @Test
  void onlyApproversDecide() {
    Principal otherAgent = new Principal("agent-8", Set.of(Role.AGENT), List.of());
    assertEquals("not_an_approver", refused(ApprovalMachine.apply(pending(""), new Command.Approve(otherAgent, null), T0)));
    Approval bySubject = pending("'approvers':{'subjects':['cfo']}");
    Principal cfo = new Principal("cfo", Set.of(Role.HUMAN), List.of());
    assertEquals("not_an_approver", refused(ApprovalMachine.apply(bySubject, new Command.Approve(MIA, null), T0)));
    assertEquals(ApprovalState.APPROVED, changed(ApprovalMachine.apply(bySubject, new Command.Approve(cfo, null), T0)).next().state());
  }

  @Test
  void quorumCountsDistinctApprovers() {
    Approval a = pending("'quorum':2");
    Outcome.Changed first = changed(ApprovalMachine.apply(a, new Command.Approve(MIA, null), T0));
    assertEquals(ApprovalState.PENDING, first.next().state());
    assertEquals("approval.vote", first.events().get(0).get("type").asText());
    Outcome repeat = ApprovalMachine.apply(first.next(), new Command.Approve(MIA, null), T0);
    assertInstanceOf(Outcome.Unchanged.class, repeat);
    Outcome.Changed second = changed(ApprovalMachine.apply(first.next(), new Command.Approve(MAX, null), T0));
    assertEquals(ApprovalState.APPROVED, second.next().state());
    assertEquals(2, second.events().get(0).get("approvers").size());
  }

  @Test
  void firstRejectionWinsAgainstAPartialQuorum() {
    Approval a = changed(ApprovalMachine.apply(pending("'quorum':2"), new Command.Approve(MIA, null), T0)).next();
    assertEquals(ApprovalState.REJECTED, changed(ApprovalMachine.apply(a, new Command.Reject(MAX, "no"), T0)).next().state());
  }

  @Test
  void editingOnlyWhenAllowedAndKeepingTheType() {
    JsonNode edit = json("{'type':'tool.call','tool':'payments.refund','args':{'amount':100}}");
    assertEquals("edit_not_allowed", refused(ApprovalMachine.apply(pending(""), new Command.Approve(MIA, edit), T0)));
    Approval editable = pending("'allowEdit':true");
    assertEquals("invalid_edit", refused(ApprovalMachine.apply(editable, new Command.Approve(MIA, json("{'type':'other'}")), T0)));
    assertEquals("invalid_edit", refused(ApprovalMachine.apply(editable, new Command.Approve(MIA, json("[1]")), T0)));
    Outcome.Changed done = changed(ApprovalMachine.apply(editable, new Command.Approve(MIA, edit), T0));
    assertTrue(done.next().decision().edited());
    assertEquals(100, ApprovalMachine.releasedEvent(done.next()).get("args").get("amount").asInt());
  }

  @Test
  void expiryAtTheExactDeadlineWithEachDefault() {
    Instant deadline = T0.plusSeconds(3600);
    Approval rejecting = pending("");
    assertInstanceOf(Outcome.Unchanged.class, ApprovalMachine.apply(rejecting, new Command.Expire(), deadline.minusMillis(1)));
    Outcome.Changed expired = changed(ApprovalMachine.apply(rejecting, new Command.Expire(), deadline));
    assertEquals(ApprovalState.EXPIRED, expired.next().state());
    assertEquals("rejected", expired.events().get(0).get("outcome").asText());
    assertNull(ApprovalMachine.releasedEvent(expired.next()));

    Outcome.Changed approving = changed(ApprovalMachine.apply(pending("'onExpiry':'approve'"), new Command.Expire(), deadline));
    assertEquals("approved", approving.events().get(0).get("outcome").asText());
    assertEquals(REFUND.get("tool"), ApprovalMachine.releasedEvent(approving.next()).get("tool"));

    Outcome.Changed late = changed(ApprovalMachine.apply(pending(""), new Command.Approve(MIA, null), deadline.plusSeconds(1)));
    assertEquals(ApprovalState.EXPIRED, late.next().state(), "a decision after the deadline finds it expired");
  }

  @Test
  void cancelByTheRequesterOrAnAdminOnly() {
    assertEquals("only_requester_may_cancel", refused(ApprovalMachine.apply(pending(""), new Command.Cancel(MIA, ""), T0)));
    assertEquals(ApprovalState.CANCELED, changed(ApprovalMachine.apply(pending(""), new Command.Cancel(AGENT, "changed my mind"), T0)).next().state());
    assertEquals(ApprovalState.CANCELED, changed(ApprovalMachine.apply(pending(""), new Command.Cancel(ADMIN, ""), T0)).next().state());
  }

  @Test
  void everyCommandOnASettledApprovalReturnsItUnchanged() {
    Approval approved = changed(ApprovalMachine.apply(pending(""), new Command.Approve(MIA, null), T0)).next();
    for (Command command : List.of(new Command.Approve(MAX, null), new Command.Reject(MAX, "late"),
        new Command.Cancel(AGENT, ""), new Command.Expire())) {
      Outcome.Unchanged unchanged = assertInstanceOf(Outcome.Unchanged.class,
          ApprovalMachine.apply(approved, command, T0.plusSeconds(7200)));
      assertEquals(approved, unchanged.current());
    }
  }
}
