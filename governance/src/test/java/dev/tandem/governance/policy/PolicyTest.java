package dev.tandem.governance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.governance.access.Role;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static Policy policy(String gates) {
    return Policy.parse(json("{'gates':[" + gates + "]}"));
  }

  private static final String REFUNDS = "{'name':'refunds','match':{'type':'tool.call','where':["
      + "{'field':'tool','in':['payments.refund','email.send']},{'field':'args.amount','gt':100}]}}";

  @Test
  void defaults() {
    Gate gate = policy(REFUNDS).gates().get(0);
    assertEquals(1, gate.quorum());
    assertFalse(gate.allowSelfApproval());
    assertFalse(gate.allowEdit());
    assertEquals(Duration.ofHours(24), gate.expiresAfter());
    assertEquals(Gate.ExpiryOutcome.REJECT, gate.onExpiry());
    assertEquals(Set.of(Role.MANAGER, Role.ADMIN), gate.approverRoles());
    assertEquals(SpawnLimits.DEFAULT, policy(REFUNDS).spawn());
  }

  @Test
  void matchingByTypeAndEveryPredicate() {
    Policy p = policy(REFUNDS);
    assertTrue(p.gates().get(0).matches(json("{'type':'tool.call','tool':'payments.refund','args':{'amount':101}}")));
    assertNull(p.gateFor(json("{'type':'tool.call','tool':'payments.refund','args':{'amount':100}}")), "gt is strict");
    assertNull(p.gateFor(json("{'type':'tool.call','tool':'search','args':{'amount':500}}")));
    assertNull(p.gateFor(json("{'type':'message','tool':'payments.refund','args':{'amount':500}}")));
    assertNull(p.gateFor(json("{'type':'tool.call','tool':'payments.refund'}")), "missing field never compares");
    assertNull(p.gateFor(json("{'type':'tool.call','tool':'payments.refund','args':{'amount':'500'}}")), "strings are not numbers");
    assertNull(p.gateFor(json("[1,2]")));
    assertNull(p.gateFor(json("42")));

    JsonNode e = json("{'type':'t','n':5,'s':'x','flag':true,'nested':{'deep':{'v':1.0}}}");
    assertTrue(gate("{'field':'n','eq':5}").matches(e));
    assertTrue(gate("{'field':'nested.deep.v','eq':1}").matches(e), "1.0 equals 1");
    assertTrue(gate("{'field':'s','ne':'y'}").matches(e));
    assertTrue(gate("{'field':'missing','ne':'y'}").matches(e));
    assertTrue(gate("{'field':'n','gte':5}").matches(e));
    assertFalse(gate("{'field':'n','gt':5}").matches(e));
    assertTrue(gate("{'field':'n','lt':6}").matches(e));
    assertTrue(gate("{'field':'n','lte':5}").matches(e));
    assertFalse(gate("{'field':'n','lt':5}").matches(e));
    assertTrue(gate("{'field':'flag','exists':true}").matches(e));
    assertTrue(gate("{'field':'nope','exists':false}").matches(e));
    assertTrue(gate("{'field':'s','in':['a','x']}").matches(e));
    assertFalse(gate("{'field':'s','in':['a','b']}").matches(e));
  }

  private static Gate gate(String predicate) {
    return policy("{'name':'g','match':{'type':['t','u'],'where':[" + predicate + "]}}").gates().get(0);
  }

  @Test
  void firstMatchingGateInPolicyOrderDecides() {
    Policy p = policy("{'name':'a','match':{'type':'x'}},{'name':'b','match':{'type':'x'}}");
    assertEquals("a", p.gateFor(json("{'type':'x'}")).name());
  }

  @Test
  void parseErrorsNameTheField() {
    assertMessage("gates[0].name", "{'gates':[{'match':{'type':'x'}}]}");
    assertMessage("used twice", "{'gates':[{'name':'a','match':{'type':'x'}},{'name':'a','match':{'type':'y'}}]}");
    assertMessage("gates[0].quorum", "{'gates':[{'name':'a','match':{'type':'x'},'quorum':0}]}");
    assertMessage("gates[0].expiresAfter", "{'gates':[{'name':'a','match':{'type':'x'},'expiresAfter':'soon'}]}");
    assertMessage("gates[0].onExpiry", "{'gates':[{'name':'a','match':{'type':'x'},'onExpiry':'maybe'}]}");
    assertMessage("unknown role", "{'gates':[{'name':'a','match':{'type':'x'},'approvers':{'roles':['boss']}}]}");
    assertMessage("unknown field 'quorom'", "{'gates':[{'name':'a','match':{'type':'x'},'quorom':2}]}");
    assertMessage("exactly one operator", "{'gates':[{'name':'a','match':{'where':[{'field':'f','gt':1,'lt':2}]}}]}");
    assertMessage("must be a number", "{'gates':[{'name':'a','match':{'where':[{'field':'f','gt':'1'}]}}]}");
    assertMessage("a gate on every event", "{'gates':[{'name':'a','match':{}}]}");
    assertMessage("spawn.maxDepth", "{'spawn':{'maxDepth':0}}");
    assertMessage("JSON object", "[]");
  }

  private static void assertMessage(String fragment, String document) {
    PolicyException e = assertThrows(PolicyException.class, () -> Policy.parse(json(document)));
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void durationsInBothSpellings() {
    assertEquals(Duration.ofSeconds(30), Policy.duration("30s", "x"));
    assertEquals(Duration.ofMinutes(15), Policy.duration("15m", "x"));
    assertEquals(Duration.ofHours(4), Policy.duration("PT4H", "x"));
    assertEquals(Duration.ofDays(2), Policy.duration("2d", "x"));
    assertThrows(PolicyException.class, () -> Policy.duration("PT0S", "x"));
  }

  @Test
  void jsonRoundTrips() {
    Policy p = Policy.parse(json("{'gates':[" + REFUNDS.replace("}}", "},'quorum':2,'allowEdit':true,'expiresAfter':'4h','onExpiry':'approve','approvers':{'roles':['manager'],'subjects':['cfo']}}")
        + "],'spawn':{'maxDepth':3,'maxChildren':4,'maxDescendants':5}}"));
    assertEquals(p, Policy.parse(p.toJson()));
  }

  @Test
  void childrenInheritAndMayOnlyNarrow() {
    Policy parent = Policy.parse(json("{'gates':[" + REFUNDS + "],'spawn':{'maxDepth':3,'maxChildren':10,'maxDescendants':50}}"));
    Policy child = Policy.parse(json("{'gates':[{'name':'emails','match':{'type':'email.send'}}],'spawn':{'maxDepth':5,'maxChildren':2,'maxDescendants':100}}"));
    Policy effective = parent.inherit(child);
    assertEquals(2, effective.gates().size(), "parent gates stay, child gates add");
    assertEquals(new SpawnLimits(3, 2, 50), effective.spawn());

    Policy stricter = policy(REFUNDS.replace("}}", "},'quorum':2,'expiresAfter':'1h'}"));
    assertEquals(2, parent.inherit(stricter).gates().get(0).quorum());
    for (String widening : new String[] {
        REFUNDS.replace("}}", "},'allowSelfApproval':true}"),
        REFUNDS.replace("}}", "},'allowEdit':true}"),
        REFUNDS.replace("}}", "},'onExpiry':'approve'}"),
        REFUNDS.replace("}}", "},'expiresAfter':'2d'}"),
        REFUNDS.replace("}}", "},'approvers':{'roles':['agent']}}"),
        "{'name':'refunds','match':{'type':'tool.call'}}"}) {
      assertThrows(PolicyException.class, () -> parent.inherit(policy(widening)), widening);
    }
    Policy lowQuorum = Policy.parse(json("{'gates':[" + REFUNDS.replace("}}", "},'quorum':3}") + "]}"));
    assertThrows(PolicyException.class, () -> lowQuorum.inherit(policy(REFUNDS)));
  }
}
