package dev.tandem.governance.policy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * Writes a {@link Policy} back as its JSON document, every gate field spelled out (defaults
 * included) so a stored policy reads the same whatever the defaults become. Invariant:
 * {@code PolicyReader.read(write(p)).equals(p)}.
 */
final class PolicyWriter {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private PolicyWriter() {}

  static ObjectNode write(Policy policy) {
    ObjectNode json = JSON.objectNode();
    ArrayNode gates = json.putArray("gates");
    policy.gates().forEach(g -> gates.add(gate(g)));
    SpawnLimits spawn = policy.spawn();
    if (!spawn.isEmpty()) {
      ObjectNode limits = json.putObject("spawn");
      putIfSet(limits, "maxDepth", spawn.maxDepth());
      putIfSet(limits, "maxChildren", spawn.maxChildren());
      putIfSet(limits, "maxDescendants", spawn.maxDescendants());
    }
    return json;
  }

  static ObjectNode gate(Gate g) {
    ObjectNode gate = JSON.objectNode().put("name", g.name());
    ObjectNode match = gate.putObject("match");
    if (!g.match().types().isEmpty()) {
      ArrayNode types = match.putArray("type");
      g.match().types().forEach(types::add);
    }
    if (!g.match().where().isEmpty()) {
      ArrayNode where = match.putArray("where");
      for (Predicate p : g.match().where()) {
        where.addObject().put("field", p.field()).set(p.op().wire(), p.value().deepCopy());
      }
    }
    ObjectNode approvers = gate.putObject("approvers");
    ArrayNode roles = approvers.putArray("roles");
    g.approvers().roles().forEach(r -> roles.add(r.name().toLowerCase(Locale.ROOT)));
    ArrayNode subjects = approvers.putArray("subjects");
    g.approvers().subjects().forEach(subjects::add);
    gate.put("quorum", g.quorum())
        .put("allowSelfApproval", g.allowSelfApproval())
        .put("expiresAfter", Durations.format(g.expiresAfter()))
        .put("onExpiry", g.onExpiry().wire())
        .put("allowEdit", g.allowEdit());
    return gate;
  }

  private static void putIfSet(ObjectNode json, String field, Integer value) {
    if (value != null) {
      json.put(field, value.intValue());
    }
  }
}
