package dev.tandem.governance.policy;

import static dev.tandem.governance.TestJson.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.governance.access.Role;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyParseTest {

  static final String REFUNDS = "{'name':'refunds-over-100','match':{'type':'tool.call','where':["
      + "{'field':'tool','in':['payments.refund','email.send']},{'field':'args.amount','gt':100}]}}";

  static Policy policy(String... gates) {
    return Policy.parse(json("{'gates':[" + String.join(",", gates) + "]}"));
  }

  /** A gate named {@code name} on type {@code t} with extra fields. */
  static String gate(String name, String extra) {
    return "{'name':'" + name + "','match':{'type':'t'}" + (extra.isEmpty() ? "" : "," + extra) + "}";
  }

  @Test
  void theExampleFromTheBriefParses() {
    Policy p = Policy.parse(json("{'gates':[{'name':'refunds-over-100','match':{'type':'tool.call','where':["
        + "{'field':'tool','in':['payments.refund','email.send']},{'field':'args.amount','gt':100}]},"
        + "'approvers':{'roles':['manager'],'subjects':[]},'quorum':1,'allowSelfApproval':false,"
        + "'expiresAfter':'PT4H','onExpiry':'reject','allowEdit':false}],"
        + "'spawn':{'maxDepth':4,'maxChildren':16,'maxDescendants':256}}"));
    Gate g = p.gates().get(0);
    assertEquals("refunds-over-100", g.name());
    assertEquals(List.of("tool.call"), g.match().types());
    assertEquals(2, g.match().where().size());
    assertEquals(Predicate.Op.IN, g.match().where().get(0).op());
    assertEquals("args.amount", g.match().where().get(1).field());
    assertEquals(Set.of(Role.MANAGER), g.approvers().roles());
    assertEquals(Duration.ofHours(4), g.expiresAfter());
    assertEquals(new SpawnLimits(4, 16, 256), p.spawn());
  }

  @Test
  void defaults() {
    Policy p = policy(REFUNDS);
    Gate g = p.gates().get(0);
    assertEquals(1, g.quorum());
    assertFalse(g.allowSelfApproval());
    assertFalse(g.allowEdit());
    assertEquals(Duration.ofHours(24), g.expiresAfter());
    assertEquals(OnExpiry.REJECT, g.onExpiry());
    assertEquals(Set.of(Role.MANAGER, Role.ADMIN), g.approvers().roles());
    assertEquals(Set.of(), g.approvers().subjects());
    assertEquals(SpawnLimits.NONE, p.spawn(), "unset limits stay unset so children inherit their parent's");
    assertEquals(SpawnLimits.DEFAULT, p.spawn().orDefaults());
    assertEquals(Policy.EMPTY, Policy.parse(json("{}")));
    assertEquals(Policy.EMPTY, Policy.parse(json("{'gates':[]}")));
  }

  @Test
  void typeMayBeAStringOrAList() {
    assertEquals(List.of("a"), policy("{'name':'g','match':{'type':'a'}}").gates().get(0).match().types());
    assertEquals(List.of("a", "b"), policy("{'name':'g','match':{'type':['a','b','a']}}").gates().get(0).match().types());
  }

  @Test
  void approversBySubjectOnlyHaveNoRoles() {
    Approvers a = policy(gate("g", "'approvers':{'subjects':['cfo']}")).gates().get(0).approvers();
    assertEquals(Set.of(), a.roles());
    assertEquals(Set.of("cfo"), a.subjects());
    assertEquals(Set.of(Role.ADMIN), policy(gate("g", "'approvers':{'roles':['ADMIN']}")).gates().get(0).approvers().roles());
  }

  @ParameterizedTest
  @CsvSource({"30s, PT30S", "15m, PT15M", "4h, PT4H", "2d, PT48H", "PT4H, PT4H", "P1D, PT24H", "PT1H30M, PT1H30M",
      "pt10m, PT10M"})
  void durationsInBothSpellings(String written, String iso) {
    assertEquals(Duration.parse(iso), policy(gate("g", "'expiresAfter':'" + written + "'")).gates().get(0).expiresAfter());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "[]                                                          | a policy must be a JSON object",
      "{'gate':[]}                                                 | policy has unknown field 'gate'",
      "{'gates':{}}                                                | gates must be an array",
      "{'gates':[1]}                                               | gates[0] must be an object",
      "{'gates':[{'match':{'type':'x'}}]}                          | gates[0].name must be a non-empty string",
      "{'gates':[{'name':' ','match':{'type':'x'}}]}               | gates[0].name must be a non-empty string",
      "{'gates':[{'name':5,'match':{'type':'x'}}]}                 | gates[0].name must be a non-empty string",
      "{'gates':[{'name':'a','match':{'type':'x'}},{'name':'a','match':{'type':'y'}}]} | gates[1].name 'a' is already used",
      "{'gates':[{'name':'a'}]}                                    | gates[0].match must be an object",
      "{'gates':[{'name':'a','match':{}}]}                         | gates[0].match must name a type or at least one condition",
      "{'gates':[{'name':'a','match':{'type':5}}]}                 | gates[0].match.type must be a string or a list",
      "{'gates':[{'name':'a','match':{'type':['x',5]}}]}           | gates[0].match.type[1] must be a non-empty string",
      "{'gates':[{'name':'a','match':{'type':''}}]}                | gates[0].match.type must be a non-empty string",
      "{'gates':[{'name':'a','match':{'types':'x'}}]}              | gates[0].match has unknown field 'types'",
      "{'gates':[{'name':'a','match':{'where':{}}}]}               | gates[0].match.where must be an array",
      "{'gates':[{'name':'a','match':{'where':[3]}}]}              | gates[0].match.where[0] must be an object",
      "{'gates':[{'name':'a','match':{'where':[{'gt':1}]}}]}       | gates[0].match.where[0].field must be a non-empty dotted path",
      "{'gates':[{'name':'a','match':{'where':[{'field':'a..b','gt':1}]}}]} | gates[0].match.where[0].field 'a..b' has an empty segment",
      "{'gates':[{'name':'a','match':{'where':[{'field':'f'}]}}]}  | gates[0].match.where[0] has no operator",
      "{'gates':[{'name':'a','match':{'where':[{'field':'f','gt':1,'lt':2}]}}]} | gates[0].match.where[0] has two operators, 'gt' and 'lt'",
      "{'gates':[{'name':'a','match':{'where':[{'field':'f','above':1}]}}]}     | gates[0].match.where[0] has unknown operator 'above'",
      "{'gates':[{'name':'a','match':{'where':[{'field':'f','gt':'1'}]}}]}      | gates[0].match.where[0].gt must be a number",
      "{'gates':[{'name':'a','match':{'where':[{'field':'f','lte':true}]}}]}    | gates[0].match.where[0].lte must be a number",
      "{'gates':[{'name':'a','match':{'where':[{'field':'f','in':'x'}]}}]}      | gates[0].match.where[0].in must be a list",
      "{'gates':[{'name':'a','match':{'where':[{'field':'f','exists':'yes'}]}}]} | gates[0].match.where[0].exists must be true or false",
      "{'gates':[{'name':'a','match':{'type':'x'},'quorum':0}]}    | gates[0].quorum must be a whole number of at least 1, got 0",
      "{'gates':[{'name':'a','match':{'type':'x'},'quorum':-1}]}   | gates[0].quorum must be a whole number of at least 1",
      "{'gates':[{'name':'a','match':{'type':'x'},'quorum':1.5}]}  | gates[0].quorum must be a whole number of at least 1, got 1.5",
      "{'gates':[{'name':'a','match':{'type':'x'},'quorum':'2'}]}  | gates[0].quorum must be a whole number",
      "{'gates':[{'name':'a','match':{'type':'x'},'quorom':2}]}    | gates[0] has unknown field 'quorom'",
      "{'gates':[{'name':'a','match':{'type':'x'},'expiresAfter':'soon'}]}  | gates[0].expiresAfter must be a duration like PT4H",
      "{'gates':[{'name':'a','match':{'type':'x'},'expiresAfter':'0s'}]}    | gates[0].expiresAfter must be positive",
      "{'gates':[{'name':'a','match':{'type':'x'},'expiresAfter':'-PT1H'}]} | gates[0].expiresAfter must be positive",
      "{'gates':[{'name':'a','match':{'type':'x'},'expiresAfter':3600}]}    | gates[0].expiresAfter must be a string",
      "{'gates':[{'name':'a','match':{'type':'x'},'expiresAfter':'4w'}]}    | gates[0].expiresAfter must be a duration",
      "{'gates':[{'name':'a','match':{'type':'x'},'onExpiry':'maybe'}]}     | gates[0].onExpiry must be \"reject\" or \"approve\"",
      "{'gates':[{'name':'a','match':{'type':'x'},'onExpiry':'Reject'}]}    | gates[0].onExpiry must be",
      "{'gates':[{'name':'a','match':{'type':'x'},'allowEdit':'yes'}]}      | gates[0].allowEdit must be true or false",
      "{'gates':[{'name':'a','match':{'type':'x'},'allowSelfApproval':1}]}  | gates[0].allowSelfApproval must be true or false",
      "{'gates':[{'name':'a','match':{'type':'x'},'approvers':[]}]}         | gates[0].approvers must be an object",
      "{'gates':[{'name':'a','match':{'type':'x'},'approvers':{}}]}         | gates[0].approvers names nobody",
      "{'gates':[{'name':'a','match':{'type':'x'},'approvers':{'roles':[],'subjects':[]}}]} | gates[0].approvers names nobody",
      "{'gates':[{'name':'a','match':{'type':'x'},'approvers':{'roles':['boss']}}]}  | gates[0].approvers.roles has unknown role 'boss'",
      "{'gates':[{'name':'a','match':{'type':'x'},'approvers':{'roles':'manager'}}]} | gates[0].approvers.roles must be a list",
      "{'gates':[{'name':'a','match':{'type':'x'},'approvers':{'subjects':['']}}]}   | gates[0].approvers.subjects[0] must be a non-empty string",
      "{'gates':[{'name':'a','match':{'type':'x'},'approvers':{'users':['x']}}]}     | gates[0].approvers has unknown field 'users'",
      "{'spawn':3}                                                 | spawn must be an object",
      "{'spawn':{'maxDepth':0}}                                    | spawn.maxDepth must be a whole number of at least 1, got 0",
      "{'spawn':{'maxChildren':-2}}                                | spawn.maxChildren must be a whole number of at least 1",
      "{'spawn':{'maxDescendants':2.5}}                            | spawn.maxDescendants must be a whole number of at least 1",
      "{'spawn':{'maxWidth':3}}                                    | spawn has unknown field 'maxWidth'",
  })
  void parseErrorsNameTheField(String document, String message) {
    PolicyException e = assertThrows(PolicyException.class, () -> Policy.parse(json(document)));
    assertTrue(e.getMessage().startsWith(message) || e.getMessage().contains(message),
        () -> "expected '" + message + "' in: " + e.getMessage());
  }

  @Test
  void aNullOrMissingDocumentIsRefused() {
    assertThrows(PolicyException.class, () -> Policy.parse(null));
    assertThrows(PolicyException.class, () -> Policy.parse(json("null")));
    assertThrows(PolicyException.class, () -> Policy.parse(json("'gates'")));
  }

  @Test
  void jsonRoundTripsEveryField() {
    Policy p = Policy.parse(json("{'gates':["
        + "{'name':'refunds','match':{'type':['tool.call','tool.batch'],'where':[{'field':'tool','in':['a','b']},"
        + "{'field':'args.amount','gt':100.5},{'field':'n','gte':1},{'field':'n','lt':9},{'field':'n','lte':8},"
        + "{'field':'x','eq':{'k':[1,2]}},{'field':'y','ne':null},{'field':'z','exists':false}]},"
        + "'approvers':{'roles':['manager','human'],'subjects':['cfo','ceo']},'quorum':2,'allowSelfApproval':true,"
        + "'expiresAfter':'90m','onExpiry':'approve','allowEdit':true},"
        + "{'name':'deploys','match':{'where':[{'field':'env','eq':'prod'}]}}],"
        + "'spawn':{'maxDepth':3,'maxDescendants':5}}"));
    assertEquals(p, Policy.parse(p.toJson()));
    assertEquals(p.toJson(), Policy.parse(p.toJson()).toJson());
    assertFalse(p.toJson().get("spawn").has("maxChildren"), "an unset limit stays unset");
    assertFalse(Policy.EMPTY.toJson().has("spawn"));
    assertEquals(Policy.EMPTY, Policy.parse(Policy.EMPTY.toJson()));
  }

  @Test
  void toJsonSpellsOutDefaults() {
    var g = policy(REFUNDS).toJson().get("gates").get(0);
    assertEquals(json("{'roles':['manager','admin'],'subjects':[]}"), g.get("approvers"));
    assertEquals(1, g.get("quorum").asInt());
    assertEquals("PT24H", g.get("expiresAfter").asText());
    assertEquals("reject", g.get("onExpiry").asText());
    assertFalse(g.get("allowSelfApproval").asBoolean());
    assertFalse(g.get("allowEdit").asBoolean());
  }

  @Test
  void aGateRoundTripsOnItsOwn() {
    Gate g = policy(REFUNDS).gates().get(0);
    assertEquals(g, Gate.parse(g.toJson()));
    PolicyException e = assertThrows(PolicyException.class, () -> Gate.parse(json("{'name':'x'}")));
    assertTrue(e.getMessage().startsWith("gate.match"), e.getMessage());
  }

  @Test
  void recordsRefuseWhatParsingRefuses() {
    Match any = new Match(List.of("t"), List.of());
    assertThrows(PolicyException.class, () -> new Gate("", any, Approvers.DEFAULT, 1, false, Duration.ofHours(1),
        OnExpiry.REJECT, false));
    assertThrows(PolicyException.class, () -> new Gate("g", any, Approvers.DEFAULT, 0, false, Duration.ofHours(1),
        OnExpiry.REJECT, false));
    assertThrows(PolicyException.class, () -> new Gate("g", any, Approvers.DEFAULT, 1, false, Duration.ZERO,
        OnExpiry.REJECT, false));
    assertThrows(PolicyException.class, () -> new Approvers(Set.of(), Set.of()));
    assertThrows(PolicyException.class, () -> new SpawnLimits(0, null, null));
    Gate g = new Gate("g", any, Approvers.DEFAULT, 1, false, Duration.ofHours(1), OnExpiry.REJECT, false);
    assertThrows(PolicyException.class, () -> new Policy(List.of(g, g), SpawnLimits.NONE));
  }
}
