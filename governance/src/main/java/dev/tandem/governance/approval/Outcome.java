package dev.tandem.governance.approval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What a command did to an approval. The hub stores {@link Changed#next} and appends
 * {@link Changed#toAppend} in one step; {@link Unchanged} is an answer, not an error, which is
 * what makes repeating a decision safe.
 */
public sealed interface Outcome {

  /** Why nothing changed. */
  enum Reason {
    /** The approval was already approved, rejected, expired or canceled: the first decision won. */
    ALREADY_SETTLED,
    /** This approver's vote is already counted. */
    ALREADY_VOTED,
    /** An expiry was asked for before the deadline. */
    NOT_YET_DUE
  }

  /** The approval moved; {@code toAppend} are the events the hub appends to its stream, in order. */
  record Changed(Approval next, List<AuditEvent> toAppend) implements Outcome {
    public Changed {
      toAppend = List.copyOf(toAppend);
    }

    /** {@link #toAppend} as the JSON the hub writes. */
    public List<JsonNode> events() {
      return toAppend.stream().<JsonNode>map(AuditEvent::toJson).toList();
    }
  }

  /** Nothing to do; {@code current} is the answer to give the caller. */
  record Unchanged(Approval current, Reason reason) implements Outcome {}

  /** Not allowed; {@code message} says why in words. */
  record Refused(ErrorCode code, String message) implements Outcome {}
}
