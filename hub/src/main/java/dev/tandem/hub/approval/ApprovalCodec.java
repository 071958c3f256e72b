package dev.tandem.hub.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.approval.Approval;
import dev.tandem.governance.approval.ApprovalState;
import dev.tandem.governance.policy.Gate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Approvals as JSON: the stored record (round-trips exactly) and the public view the API
 * returns ({@link #view}: the same fields plus the age, in the shape docs/governance.md shows).
 */
final class ApprovalCodec {

  static final ObjectMapper JSON = new ObjectMapper();

  private ApprovalCodec() {}

  static ObjectNode toJson(Approval a) {
    ObjectNode json = JSON.createObjectNode()
        .put("id", a.id())
        .put("stream", a.streamPath())
        .put("requester", a.requester())
        .put("state", a.state().name().toLowerCase(Locale.ROOT))
        .put("createdAt", a.createdAt().toString())
        .put("expiresAt", a.expiresAt().toString());
    json.set("proposed", a.proposedEvent());
    json.set("gate", a.gate().toJson());
    ArrayNode votes = json.putArray("votes");
    for (Approval.Vote v : a.votes()) {
      ObjectNode vote = votes.addObject().put("by", v.subject()).put("at", v.at().toString());
      if (v.editedEvent() != null) {
        vote.set("event", v.editedEvent());
      }
    }
    if (a.decision() != null) {
      Approval.Decision d = a.decision();
      ObjectNode decision = json.putObject("decision")
          .put("outcome", d.outcome().name().toLowerCase(Locale.ROOT))
          .put("by", d.by()).put("at", d.at().toString()).put("edited", d.edited());
      if (d.reason() != null) {
        decision.put("reason", d.reason());
      }
      if (d.released() != null) {
        decision.set("released", d.released());
      }
    }
    return json;
  }

  static Approval fromJson(JsonNode json) {
    Gate gate = Gate.parse(json.get("gate"));
    List<Approval.Vote> votes = new ArrayList<>();
    for (JsonNode v : json.path("votes")) {
      votes.add(new Approval.Vote(v.get("by").asText(), Instant.parse(v.get("at").asText()), v.get("event")));
    }
    Approval.Decision decision = null;
    JsonNode d = json.get("decision");
    if (d != null && !d.isNull()) {
      // by is null when the deadline settled it
      decision = new Approval.Decision(state(d.get("outcome").asText()), d.hasNonNull("by") ? d.get("by").asText() : null,
          Instant.parse(d.get("at").asText()), d.has("reason") ? d.get("reason").asText() : null,
          d.get("released"), d.path("edited").asBoolean());
    }
    return new Approval(json.get("id").asText(), json.get("stream").asText(), json.get("requester").asText(),
        json.get("proposed"), gate, state(json.get("state").asText()), votes,
        Instant.parse(json.get("createdAt").asText()), Instant.parse(json.get("expiresAt").asText()), decision);
  }

  /** The API's view: the record plus its age. */
  static ObjectNode view(Approval a, Instant now) {
    ObjectNode json = toJson(a);
    json.put("ageSeconds", Math.max(0, Duration.between(a.createdAt(), now).toSeconds()));
    return json;
  }

  static String stateName(ApprovalState state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  private static ApprovalState state(String name) {
    return ApprovalState.valueOf(name.toUpperCase(Locale.ROOT));
  }
}
