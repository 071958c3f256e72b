package dev.tandem.governance.policy;

import static dev.tandem.governance.TestJson.json;
import static dev.tandem.governance.policy.PolicyParseTest.REFUNDS;
import static dev.tandem.governance.policy.PolicyParseTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GateMatcherTest {

  private static final JsonNode EVENT = json("{'type':'t','n':5,'d':2.5,'s':'x','flag':true,'nil':null,"
      + "'nested':{'deep':{'v':1.0,'list':[10,20]}},'items':[{'sku':'a','qty':3},{'sku':'b','qty':30}],"
      + "'numeric':'250','words':'lots','obj':{'k':1}}");

  private static boolean holds(String condition, JsonNode event) {
    return policy("{'name':'g','match':{'type':'t','where':[" + condition + "]}}").gates().get(0).matches(event);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      // eq: numbers by value, everything else by JSON equality
      "{'field':'n','eq':5}                      | true",
      "{'field':'n','eq':5.0}                    | true",
      "{'field':'n','eq':6}                      | false",
      "{'field':'n','eq':'5'}                    | false",
      "{'field':'s','eq':'x'}                    | true",
      "{'field':'flag','eq':true}                | true",
      "{'field':'nil','eq':null}                 | true",
      "{'field':'obj','eq':{'k':1}}              | true",
      "{'field':'missing','eq':null}             | false",
      "{'field':'nested.deep.v','eq':1}          | true",
      // ne: a missing field is not equal to anything
      "{'field':'s','ne':'y'}                    | true",
      "{'field':'s','ne':'x'}                    | false",
      "{'field':'n','ne':5.00}                   | false",
      "{'field':'missing','ne':'y'}              | true",
      // in
      "{'field':'s','in':['a','x']}              | true",
      "{'field':'s','in':['a','b']}              | false",
      "{'field':'n','in':[1,5.0]}                | true",
      "{'field':'s','in':[]}                     | false",
      "{'field':'missing','in':['x']}            | false",
      // comparisons, each side of the boundary
      "{'field':'n','gt':4}                      | true",
      "{'field':'n','gt':5}                      | false",
      "{'field':'n','gte':5}                     | true",
      "{'field':'n','gte':5.01}                  | false",
      "{'field':'n','lt':6}                      | true",
      "{'field':'n','lt':5}                      | false",
      "{'field':'n','lte':5}                     | true",
      "{'field':'n','lte':4.99}                  | false",
      "{'field':'d','gt':2.49}                   | true",
      "{'field':'d','lt':2.5}                    | false",
      "{'field':'missing','gt':0}                | false",
      "{'field':'missing','lt':0}                | false",
      // a numeric string compares as its number; any other present non-number fails closed (held)
      "{'field':'numeric','gt':100}              | true",
      "{'field':'numeric','gt':300}              | false",
      "{'field':'words','gt':100}                | true",
      "{'field':'words','lt':100}                | true",
      "{'field':'flag','lte':0}                  | true",
      "{'field':'obj','gte':0}                   | true",
      "{'field':'nil','gt':0}                    | true",
      // exists
      "{'field':'flag','exists':true}            | true",
      "{'field':'nil','exists':true}             | true",
      "{'field':'missing','exists':true}         | false",
      "{'field':'missing','exists':false}        | true",
      "{'field':'s','exists':false}              | false",
      // nested fields and array indexes
      "{'field':'nested.deep.v','gte':1}         | true",
      "{'field':'nested.deep.list.1','eq':20}    | true",
      "{'field':'nested.deep.list.2','exists':true} | false",
      "{'field':'items.1.qty','gt':10}           | true",
      "{'field':'items.0.qty','gt':10}           | false",
      "{'field':'items.x.qty','exists':true}     | false",
      "{'field':'s.deeper','exists':true}        | false",
      "{'field':'nested.missing.v','exists':false} | true",
  })
  void everyPredicate(String condition, boolean expected) {
    assertEquals(expected, holds(condition, EVENT), condition);
  }

  @Test
  void theRefundGateFromTheBrief() {
    Policy p = policy(REFUNDS);
    assertTrue(p.gates().get(0).matches(json("{'type':'tool.call','tool':'payments.refund','args':{'amount':101}}")));
    assertTrue(p.gates().get(0).matches(json("{'type':'tool.call','tool':'email.send','args':{'amount':1e3}}")));
    assertNull(p.gateFor(json("{'type':'tool.call','tool':'payments.refund','args':{'amount':100}}")), "gt is strict");
    assertNull(p.gateFor(json("{'type':'tool.call','tool':'search','args':{'amount':500}}")));
    assertNull(p.gateFor(json("{'type':'message','tool':'payments.refund','args':{'amount':500}}")));
    assertNull(p.gateFor(json("{'type':'tool.call','tool':'payments.refund'}")), "no amount, nothing to compare");
    assertEquals("refunds-over-100",
        p.gateFor(json("{'type':'tool.call','tool':'payments.refund','args':{'amount':'500'}}")).name(),
        "an amount sent as a string is still held");
  }

  @Test
  void typeListsAndTypeOnlyGates() {
    Policy p = policy("{'name':'g','match':{'type':['a','b']}}");
    assertEquals(1, GateMatcher.match(p, json("{'type':'a'}")).size());
    assertEquals(1, GateMatcher.match(p, json("{'type':'b','x':1}")).size());
    assertEquals(0, GateMatcher.match(p, json("{'type':'c'}")).size());
    assertEquals(0, GateMatcher.match(p, json("{'type':['a']}")).size());
    assertEquals(0, GateMatcher.match(p, json("{'kind':'a'}")).size());
    assertEquals(0, GateMatcher.match(p, json("{'type':null}")).size());
    assertEquals(0, GateMatcher.match(p, json("{'type':5}")).size());
    assertEquals(0, GateMatcher.match(p, json("{'type':{'a':1}}")).size());
  }

  @Test
  void conditionOnlyGatesMatchAnyType() {
    Policy p = policy("{'name':'prod','match':{'where':[{'field':'env','eq':'prod'}]}}");
    assertEquals(1, GateMatcher.match(p, json("{'type':'deploy','env':'prod'}")).size());
    assertEquals(1, GateMatcher.match(p, json("{'env':'prod'}")).size());
    assertEquals(0, GateMatcher.match(p, json("{'type':'deploy','env':'dev'}")).size());
  }

  @Test
  void everyConditionMustHold() {
    Policy p = policy("{'name':'g','match':{'type':'t','where':[{'field':'a','eq':1},{'field':'b','eq':2}]}}");
    assertEquals(1, GateMatcher.match(p, json("{'type':'t','a':1,'b':2}")).size());
    assertEquals(0, GateMatcher.match(p, json("{'type':'t','a':1,'b':3}")).size());
    assertEquals(0, GateMatcher.match(p, json("{'type':'t','b':2}")).size());
  }

  @Test
  void nonObjectEventsNeverMatch() {
    Policy p = policy("{'name':'g','match':{'where':[{'field':'x','exists':false}]}}");
    for (String event : List.of("[1,2]", "42", "'tool.call'", "null", "true", "[{'type':'t'}]")) {
      assertTrue(GateMatcher.match(p, json(event)).isEmpty(), event);
    }
    assertTrue(GateMatcher.match(p, null).isEmpty());
    assertEquals(1, GateMatcher.match(p, json("{'type':'t'}")).size());
  }

  @Test
  void allMatchesComeBackInPolicyOrderAndTheFirstDecides() {
    Policy p = policy("{'name':'big','match':{'type':'pay','where':[{'field':'amount','gt':1000}]}}",
        "{'name':'other','match':{'type':'mail'}}",
        "{'name':'any-pay','match':{'type':'pay'}}");
    JsonNode big = json("{'type':'pay','amount':5000}");
    assertEquals(List.of("big", "any-pay"), GateMatcher.match(p, big).stream().map(Gate::name).toList());
    assertEquals(Optional.of(p.gates().get(0)), GateMatcher.first(p, big));
    assertEquals("any-pay", p.gateFor(json("{'type':'pay','amount':5}")).name());
    assertEquals(Optional.empty(), GateMatcher.first(p, json("{'type':'chat'}")));
    assertNull(Policy.EMPTY.gateFor(big));
  }
}
