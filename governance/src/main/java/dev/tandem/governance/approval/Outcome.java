package dev.tandem.governance.approval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** What a command did to an approval. */
public sealed interface Outcome {

  /** The approval moved; {@code events} are what the hub appends to the stream, in order. */
  record Changed(Approval next, List<JsonNode> events) implements Outcome {
    public Changed {
      events = List.copyOf(events);
    }
  }

  /** Nothing to do: a repeat, or the approval was already settled. The record is the answer. */
  record Unchanged(Approval current, String reason) implements Outcome {}

  /** Not allowed: {@code code} is machine-readable (e.g. {@code self_approval_forbidden}). */
  record Refused(String code, String message) implements Outcome {}
}
