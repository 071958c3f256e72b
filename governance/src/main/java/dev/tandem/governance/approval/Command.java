package dev.tandem.governance.approval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.governance.access.Principal;
import java.util.Objects;

/** What someone (or the clock) asks of an approval; {@link ApprovalMachine#apply} decides. */
public sealed interface Command {

  /** An approver says yes, optionally with an edited event (only when the gate allows edits). */
  record Approve(Principal by, JsonNode editedEvent) implements Command {
    public Approve {
      Objects.requireNonNull(by, "by");
    }

    public Approve(Principal by) {
      this(by, null);
    }
  }

  /** An approver says no; the first such "no" settles the approval. */
  record Reject(Principal by, String reason) implements Command {
    public Reject {
      Objects.requireNonNull(by, "by");
      reason = reason == null ? "" : reason;
    }
  }

  /** The requester (or an admin) withdraws the request while it is pending. */
  record Cancel(Principal by, String reason) implements Command {
    public Cancel {
      Objects.requireNonNull(by, "by");
      reason = reason == null ? "" : reason;
    }

    public Cancel(Principal by) {
      this(by, "");
    }
  }

  /** The deadline may have passed: settle the approval if it has. */
  record Expire() implements Command {}
}
