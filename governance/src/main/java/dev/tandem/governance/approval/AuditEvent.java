package dev.tandem.governance.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.policy.OnExpiry;
import java.time.Instant;
import java.util.List;

/**
 * The events an approval puts on its stream: the audit trail readers see. Each is a JSON object
 * with {@code type} and {@code approvalId}; the shapes are listed in docs/governance.md
 * ("Events appended") and are a public contract, so fields are only ever added.
 */
public sealed interface AuditEvent {

  String approvalId();

  /** The event's {@code type}, e.g. {@code approval.granted}. */
  String type();

  ObjectNode toJson();

  /** A gate held an event; it waits for a decision. */
  record Requested(String approvalId, String requester, String gate, int quorum, Instant expiresAt,
                   boolean allowEdit, JsonNode proposed) implements AuditEvent {
    public String type() {
      return "approval.requested";
    }

    public ObjectNode toJson() {
      ObjectNode json = base(this).put("requester", requester).put("gate", gate).put("quorum", quorum)
          .put("expiresAt", expiresAt.toString()).put("allowEdit", allowEdit);
      json.set("proposed", proposed.deepCopy());
      return json;
    }
  }

  /** An approver said yes, but the quorum is not met yet. */
  record Voted(String approvalId, String by, Instant at, int votes, int quorum, JsonNode editedEvent)
      implements AuditEvent {
    public String type() {
      return "approval.vote";
    }

    public ObjectNode toJson() {
      ObjectNode json = base(this).put("by", by).put("at", at.toString()).put("votes", votes).put("quorum", quorum)
          .put("edited", editedEvent != null);
      if (editedEvent != null) {
        json.set("event", editedEvent.deepCopy());
      }
      return json;
    }
  }

  /**
   * The quorum approved; {@code by} cast the deciding vote, {@code approvers} are everyone who
   * approved the released content, and {@code released} is the event to append (possibly edited).
   */
  record Granted(String approvalId, String by, List<String> approvers, Instant at, JsonNode released, boolean edited)
      implements AuditEvent {
    public Granted {
      approvers = List.copyOf(approvers);
    }

    public String type() {
      return "approval.granted";
    }

    public ObjectNode toJson() {
      ObjectNode json = base(this).put("by", by).put("at", at.toString()).put("edited", edited);
      ArrayNode list = json.putArray("approvers");
      approvers.forEach(list::add);
      json.set("released", released.deepCopy());
      return json;
    }
  }

  record Rejected(String approvalId, String by, Instant at, String reason) implements AuditEvent {
    public String type() {
      return "approval.rejected";
    }

    public ObjectNode toJson() {
      return base(this).put("by", by).put("at", at.toString()).put("reason", reason);
    }
  }

  /** Nobody decided in time; {@code outcome} is the gate's onExpiry, {@code released} set when it approves. */
  record Expired(String approvalId, Instant expiresAt, Instant at, OnExpiry outcome, JsonNode released)
      implements AuditEvent {
    public String type() {
      return "approval.expired";
    }

    public ObjectNode toJson() {
      ObjectNode json = base(this).put("expiresAt", expiresAt.toString()).put("at", at.toString())
          .put("outcome", outcome == OnExpiry.APPROVE ? "approved" : "rejected");
      if (released != null) {
        json.set("released", released.deepCopy());
      }
      return json;
    }
  }

  record Canceled(String approvalId, String by, Instant at, String reason) implements AuditEvent {
    public String type() {
      return "approval.canceled";
    }

    public ObjectNode toJson() {
      return base(this).put("by", by).put("at", at.toString()).put("reason", reason);
    }
  }

  private static ObjectNode base(AuditEvent event) {
    return JsonNodeFactory.instance.objectNode().put("type", event.type()).put("approvalId", event.approvalId());
  }
}
