package dev.tandem.governance.approval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.governance.access.Principal;

/** What someone (or the clock) asks of an approval. */
public sealed interface Command {

  /** An approver says yes, optionally with an edited event (when the gate allows editing). */
  record Approve(Principal by, JsonNode editedEvent) implements Command {}

  record Reject(Principal by, String reason) implements Command {}

  /** The requester (or an admin) withdraws the request. */
  record Cancel(Principal by, String reason) implements Command {}

  /** The deadline passed. */
  record Expire() implements Command {}
}
