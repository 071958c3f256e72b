package dev.tandem.governance.policy;

import static dev.tandem.governance.TestJson.json;
import static dev.tandem.governance.policy.PolicyParseTest.gate;
import static dev.tandem.governance.policy.PolicyParseTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyInheritanceTest {

  private static final String PARENT_GATE = "{'name':'refunds','match':{'type':['tool.call'],'where':["
      + "{'field':'tool','eq':'payments.refund'},{'field':'args.amount','gt':100}]},"
      + "'approvers':{'roles':['manager','admin'],'subjects':['cfo']},'quorum':2,'allowSelfApproval':true,"
      + "'expiresAfter':'4h','onExpiry':'approve','allowEdit':true}";

  private static Policy effective(Policy parent, Policy child) {
    return assertInstanceOf(Inheritance.Effective.class, Policy.inherit(parent, child)).policy();
  }

  private static Inheritance.Refused refused(Policy parent, Policy child) {
    return assertInstanceOf(Inheritance.Refused.class, Policy.inherit(parent, child));
  }

  /** The parent gate with {@code field} replaced by {@code value}. */
  private static Policy childWith(String field, String value) {
    var gate = (com.fasterxml.jackson.databind.node.ObjectNode) json(PARENT_GATE);
    gate.set(field, json(value));
    return Policy.parse(json("{'gates':[" + gate + "]}"));
  }

  @Test
  void parentGatesStayAndChildGatesFollow() {
    Policy parent = policy(gate("a", ""), gate("b", ""));
    Policy child = policy(gate("c", ""));
    assertEquals(List.of("a", "b", "c"), effective(parent, child).gates().stream().map(Gate::name).toList());
    assertEquals(parent, effective(parent, Policy.EMPTY));
    assertEquals(child, effective(Policy.EMPTY, child));
  }

  @Test
  void aStricterSameNamedGateReplacesTheParentsInPlace() {
    Policy parent = policy(gate("first", ""), PARENT_GATE, gate("last", ""));
    Policy child = Policy.parse(json("{'gates':[{'name':'refunds','match':{'type':['tool.call','tool.batch'],'where':["
        + "{'field':'args.amount','gt':100}]},'approvers':{'roles':['manager']},'quorum':3,"
        + "'expiresAfter':'1h','onExpiry':'reject'}]}"));
    Policy eff = effective(parent, child);
    assertEquals(List.of("first", "refunds", "last"), eff.gates().stream().map(Gate::name).toList());
    Gate g = eff.gates().get(1);
    assertEquals(3, g.quorum());
    assertEquals(Duration.ofHours(1), g.expiresAfter());
    assertEquals(OnExpiry.REJECT, g.onExpiry());
    assertEquals(false, g.allowEdit());
    assertEquals(false, g.allowSelfApproval());
    assertTrue(g.matches(json("{'type':'tool.call','tool':'email.send','args':{'amount':500}}")),
        "dropping a condition holds more events, which is stricter");
  }

  @Test
  void theSameGateAgainIsFine() {
    Policy parent = policy(PARENT_GATE);
    assertEquals(parent, effective(parent, parent));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "quorum            | 1                                          | quorum 1 is lower than the parent's 2",
      "expiresAfter      | '5h'                                       | expiresAfter PT5H is longer than the parent's PT4H",
      "approvers         | {'roles':['manager','admin','agent'],'subjects':['cfo']} | approvers may only be removed",
      "approvers         | {'roles':['manager'],'subjects':['intern']} | approvers may only be removed",
      "match             | {'type':['tool.call'],'where':[{'field':'tool','eq':'payments.refund'},{'field':'args.amount','gt':100},{'field':'x','exists':true}]} | match must hold every event the parent's holds",
      "match             | {'type':['email.send'],'where':[{'field':'tool','eq':'payments.refund'}]} | match must hold every event the parent's holds",
      "match             | {'type':['tool.call'],'where':[{'field':'tool','eq':'payments.refund'},{'field':'args.amount','gt':500}]} | match must hold every event the parent's holds",
  })
  void wideningIsRefusedWithTheField(String field, String value, String message) {
    Inheritance.Refused r = refused(policy(PARENT_GATE), childWith(field, value));
    assertEquals(1, r.widenings().size(), r.message());
    assertTrue(r.message().startsWith("gate 'refunds': " + message), r.message());
  }

  @Test
  void flagsOnlyGoFromTrueToFalseAndExpiryOnlyFromApproveToReject() {
    Policy strict = policy("{'name':'g','match':{'type':'t'}}");
    Inheritance.Refused r = refused(strict, policy("{'name':'g','match':{'type':'t'},'allowSelfApproval':true,"
        + "'allowEdit':true,'onExpiry':'approve'}"));
    assertEquals(List.of("gate 'g': allowSelfApproval may not be true when the parent's is false",
        "gate 'g': allowEdit may not be true when the parent's is false",
        "gate 'g': onExpiry may not be approve when the parent's is reject"), r.widenings());
    Policy loose = policy("{'name':'g','match':{'type':'t'},'allowSelfApproval':true,'allowEdit':true,'onExpiry':'approve'}");
    assertEquals(strict, effective(loose, strict));
  }

  @Test
  void aTypedGateMayNotBecomeATypelessOneThatHoldsFewer() {
    Policy anyType = policy("{'name':'g','match':{'where':[{'field':'env','eq':'prod'}]}}");
    Policy typed = policy("{'name':'g','match':{'type':'deploy','where':[{'field':'env','eq':'prod'}]}}");
    refused(anyType, typed);
    effective(typed, anyType);
  }

  @Test
  void everyWideningIsReported() {
    Policy child = policy("{'name':'refunds','match':{'type':'other'},'quorum':1,'expiresAfter':'2d','approvers':{'roles':['agent']}}");
    assertEquals(4, refused(policy(PARENT_GATE), child).widenings().size());
  }

  @Test
  void spawnLimitsTakeTheSmallerOfEachAndUnsetInherits() {
    Policy parent = Policy.parse(json("{'spawn':{'maxDepth':20,'maxChildren':10}}"));
    Policy child = Policy.parse(json("{'spawn':{'maxDepth':30,'maxChildren':2}}"));
    assertEquals(new SpawnLimits(20, 2, null), effective(parent, child).spawn());
    assertEquals(new SpawnLimits(20, 10, null), effective(parent, Policy.EMPTY).spawn(),
        "a child that says nothing keeps a limit its parent raised above the default");
    assertEquals(new SpawnLimits(20, 10, SpawnLimits.DEFAULT.maxDescendants()),
        effective(parent, Policy.EMPTY).spawn().orDefaults());
    assertEquals(new SpawnLimits(5, null, 7),
        effective(Policy.EMPTY, Policy.parse(json("{'spawn':{'maxDepth':5,'maxDescendants':7}}"))).spawn());
  }

  @Test
  void inheritanceChainsNarrowAllTheWayDown() {
    Policy root = policy(gate("a", "'quorum':1"));
    Policy mid = effective(root, Policy.parse(json("{'gates':[" + gate("a", "'quorum':2") + "],'spawn':{'maxDepth':3}}")));
    Inheritance grandchild = Policy.inherit(mid, policy(gate("a", "'quorum':1")));
    assertInstanceOf(Inheritance.Refused.class, grandchild, "a grandchild cannot undo its parent's narrowing");
  }
}
