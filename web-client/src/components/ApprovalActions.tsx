/**
 * Deciding one approval: approve, reject with a reason, or edit the proposed event and approve
 * the edit (only when the gate allows edits). Used by the approvals inbox and inline in a
 * session. The decision itself shows up in the session's stream (approval.granted / rejected).
 */
import { useRef, useState } from "preact/hooks";
import { useApp } from "../context.js";
import { approve, reject, type ApprovalChange } from "../api/governance.js";
import { describeError } from "../api/http.js";
import { pretty } from "../ui.js";

type Mode = "idle" | "rejecting" | "editing";

export function ApprovalActions({
  id,
  proposed,
  allowEdit,
  onDecided,
  onDeciding,
  compact = false,
}: {
  id: string;
  proposed: unknown;
  allowEdit: boolean;
  onDecided?: (change: ApprovalChange, verb: string) => void;
  /** true as a decision is sent (the hub may say it is decided before this call returns), false if it failed */
  onDeciding?: (deciding: boolean) => void;
  compact?: boolean;
}) {
  const { auth, notify, approvalsChanged } = useApp();
  const [mode, setMode] = useState<Mode>("idle");
  const [reason, setReason] = useState("");
  const [draft, setDraft] = useState(() => pretty(proposed));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const uid = useRef(`apr-${id}-${Math.random().toString(36).slice(2, 6)}`).current;

  const decide = async (verb: string, action: () => Promise<ApprovalChange>) => {
    setBusy(true);
    setError(null);
    onDeciding?.(true);
    try {
      const change = await action();
      const state = change.approval.state;
      notify(change.changed ? `${verb}: ${change.approval.id}` : `Already ${state}: ${change.approval.id}`);
      setMode("idle");
      approvalsChanged();
      onDecided?.(change, verb);
    } catch (e) {
      onDeciding?.(false);
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const submitEdit = (event: Event) => {
    event.preventDefault();
    let edited: unknown;
    try {
      edited = JSON.parse(draft);
    } catch (e) {
      setError(`The edited event is not valid JSON: ${(e as Error).message}`);
      return;
    }
    const type = (value: unknown) => (value && typeof value === "object" ? (value as { type?: unknown }).type : undefined);
    if (!edited || typeof edited !== "object" || Array.isArray(edited)) {
      setError("The edited event must be a JSON object.");
      return;
    }
    if (type(edited) !== type(proposed)) {
      setError(`The edited event must keep its type (${String(type(proposed))}).`);
      return;
    }
    void decide("Approved with edits", () => approve(auth, id, edited));
  };

  return (
    <div class={compact ? "approval-actions compact" : "approval-actions"}>
      {mode === "idle" && (
        <div class="button-row">
          <button type="button" class="approve" disabled={busy} onClick={() => decide("Approved", () => approve(auth, id))}>
            Approve
          </button>
          <button type="button" class="danger" disabled={busy} onClick={() => setMode("rejecting")}>
            Reject…
          </button>
          {allowEdit && (
            <button type="button" disabled={busy} onClick={() => setMode("editing")}>
              Edit and approve…
            </button>
          )}
        </div>
      )}
      {mode === "rejecting" && (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void decide("Rejected", () => reject(auth, id, reason.trim()));
          }}
        >
          <label for={`${uid}-reason`}>Reason for rejecting</label>
          <textarea id={`${uid}-reason`} rows={2} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} autoFocus />
          <div class="button-row">
            <button type="submit" class="danger" disabled={busy}>
              Reject
            </button>
            <button type="button" class="ghost" onClick={() => setMode("idle")}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {mode === "editing" && (
        <form class="stack" onSubmit={submitEdit}>
          <label for={`${uid}-edit`}>Edited event (JSON)</label>
          <textarea
            id={`${uid}-edit`}
            class="mono"
            rows={Math.min(14, draft.split("\n").length + 1)}
            value={draft}
            spellcheck={false}
            onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
            autoFocus
          />
          <div class="button-row">
            <button type="submit" class="approve" disabled={busy}>
              Approve edited event
            </button>
            <button type="button" class="ghost" onClick={() => setMode("idle")}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
