/**
 * Folds a session's stored events, in offset order, into what the session screen shows: chat
 * messages, one card per agent run (its events, materialized by the SDK when drawn), tool
 * calls, approval requests with their current state, spawned children and lifecycle notices.
 *
 * The fold is incremental (live events are added one at a time) and refuses an offset that
 * does not come after the last one, so however events arrive — history read over HTTP, then
 * the live subscription, across reconnects — each is shown exactly once.
 */
import type { StreamEvent } from "@tandem/sdk";

type Obj = Record<string, unknown>;

interface Base {
  /** Stable key: the offset of the event that created the item. */
  key: string;
  offset: string;
  /** Bumped on every change, so a drawn item knows to redraw. */
  rev: number;
}

export interface MessageItem extends Base {
  kind: "message";
  text: string;
  /** Who the message says it is from (its own `from` field: anyone may write anything there). */
  from: string | undefined;
  /** Who the hub saw append it (live events carry it; history read over HTTP does not). */
  by: string | undefined;
  at: string | undefined;
}

export interface RunItem extends Base {
  kind: "run";
  runId: string;
  events: StreamEvent[];
}

export interface ToolItem extends Base {
  kind: "tool";
  type: string;
  data: Obj;
}

export type ApprovalItemState = "pending" | "approved" | "rejected" | "expired" | "canceled";

export interface ApprovalItem extends Base {
  kind: "approval";
  approvalId: string;
  requester: string | undefined;
  gate: string | undefined;
  proposed: unknown;
  expiresAt: string | undefined;
  allowEdit: boolean;
  quorum: number;
  votes: number;
  state: ApprovalItemState;
  /** Who decided (null: the deadline), when, why, and what was released. */
  decidedBy: string | null | undefined;
  decidedAt: string | undefined;
  reason: string | undefined;
  edited: boolean;
  released: unknown;
  /** Offsets of every event about this approval, in order. */
  offsets: string[];
}

export interface SpawnedItem extends Base {
  kind: "spawned";
  child: string;
  name: string | undefined;
  purpose: string | undefined;
  spawner: string | undefined;
}

export interface CreatedItem extends Base {
  kind: "created";
  parent: string | undefined;
  spawner: string | undefined;
  purpose: string | undefined;
}

export interface NoticeItem extends Base {
  kind: "notice";
  type: string;
  data: Obj;
}

export interface OtherItem extends Base {
  kind: "other";
  type: string | undefined;
  data: unknown;
}

export type Item = MessageItem | RunItem | ToolItem | ApprovalItem | SpawnedItem | CreatedItem | NoticeItem | OtherItem;

export type SessionStatus = "open" | "closed" | "canceled";

const RUN_TYPES = new Set(["run.started", "plan.created", "step.started", "step.completed", "step.failed", "text.delta", "run.completed", "run.failed"]);

export class Timeline {
  readonly items: Item[] = [];
  /** Events folded so far. */
  count = 0;
  /** Events refused because their offset did not come after the last one (never expected). */
  duplicates = 0;
  lastOffset: string | undefined;
  status: SessionStatus = "open";
  statusEvent: Obj | undefined;
  /** The stream this one was spawned from, when its first event says so. */
  parent: string | undefined;
  readonly #runs = new Map<string, RunItem>();
  readonly #approvals = new Map<string, ApprovalItem>();

  /** Adds one event; false when it was refused as already seen. */
  add(event: StreamEvent): boolean {
    if (this.lastOffset !== undefined && !(event.offset > this.lastOffset)) {
      this.duplicates++;
      return false;
    }
    this.lastOffset = event.offset;
    this.count++;
    this.#fold(event);
    return true;
  }

  addAll(events: Iterable<StreamEvent>): void {
    for (const event of events) this.add(event);
  }

  approval(id: string): ApprovalItem | undefined {
    return this.#approvals.get(id);
  }

  /** Approvals still pending in this session. */
  get pendingApprovals(): ApprovalItem[] {
    return [...this.#approvals.values()].filter((a) => a.state === "pending");
  }

  #fold(event: StreamEvent): void {
    const { offset } = event;
    const data = event.data;
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
      this.#push({ kind: "other", key: offset, offset, rev: 0, type: undefined, data });
      return;
    }
    const obj = data as Obj;
    const type = typeof obj.type === "string" ? obj.type : undefined;

    if (type && RUN_TYPES.has(type) && typeof obj.runId === "string") {
      let run = this.#runs.get(obj.runId);
      if (!run) {
        run = { kind: "run", key: offset, offset, rev: 0, runId: obj.runId, events: [] };
        this.#runs.set(obj.runId, run);
        this.items.push(run);
      }
      run.events.push(event);
      run.rev++;
      return;
    }

    if (type?.startsWith("approval.") && typeof obj.approvalId === "string") {
      this.#approval(type, obj, offset);
      return;
    }

    switch (type) {
      case "message":
        this.#push({
          kind: "message",
          key: offset,
          offset,
          rev: 0,
          text: typeof obj.text === "string" ? obj.text : JSON.stringify(obj.text ?? ""),
          from: str(obj.from) ?? str(obj.author) ?? str(obj.participant) ?? str(obj.sender),
          by: event.by,
          at: str(obj.at),
        });
        return;
      case "stream.spawned":
        this.#push({
          kind: "spawned",
          key: offset,
          offset,
          rev: 0,
          child: str(obj.child) ?? "",
          name: str(obj.name),
          purpose: str(obj.purpose),
          spawner: str(obj.spawner),
        });
        return;
      case "stream.created":
        this.parent = str(obj.parent);
        this.#push({ kind: "created", key: offset, offset, rev: 0, parent: this.parent, spawner: str(obj.spawner), purpose: str(obj.purpose) });
        return;
      case "stream.canceled":
      case "stream.closed":
        this.status = type === "stream.canceled" ? "canceled" : "closed";
        this.statusEvent = obj;
        this.#push({ kind: "notice", key: offset, offset, rev: 0, type, data: obj });
        return;
    }
    if (type && (type.startsWith("tool.") || type === "tool")) {
      this.#push({ kind: "tool", key: offset, offset, rev: 0, type, data: obj });
      return;
    }
    this.#push({ kind: "other", key: offset, offset, rev: 0, type, data: obj });
  }

  #approval(type: string, obj: Obj, offset: string): void {
    const id = obj.approvalId as string;
    let item = this.#approvals.get(id);
    if (!item) {
      item = {
        kind: "approval",
        key: offset,
        offset,
        rev: 0,
        approvalId: id,
        requester: undefined,
        gate: undefined,
        proposed: undefined,
        expiresAt: undefined,
        allowEdit: false,
        quorum: 1,
        votes: 0,
        state: "pending",
        decidedBy: undefined,
        decidedAt: undefined,
        reason: undefined,
        edited: false,
        released: undefined,
        offsets: [],
      };
      this.#approvals.set(id, item);
      this.items.push(item);
    }
    item.offsets.push(offset);
    item.rev++;
    switch (type) {
      case "approval.requested":
        item.requester = str(obj.requester);
        item.gate = str(obj.gate);
        item.proposed = obj.proposed;
        item.expiresAt = str(obj.expiresAt);
        item.allowEdit = obj.allowEdit === true;
        item.quorum = typeof obj.quorum === "number" ? obj.quorum : 1;
        break;
      case "approval.vote":
        item.votes = typeof obj.votes === "number" ? obj.votes : item.votes + 1;
        if (typeof obj.quorum === "number") item.quorum = obj.quorum;
        break;
      case "approval.granted":
        this.#settle(item, "approved", obj);
        item.edited = obj.edited === true;
        item.released = obj.released;
        item.votes = Array.isArray(obj.approvers) ? obj.approvers.length : item.quorum;
        break;
      case "approval.rejected":
        this.#settle(item, "rejected", obj);
        break;
      case "approval.expired":
        this.#settle(item, obj.outcome === "approved" ? "approved" : "expired", obj);
        item.decidedBy = null;
        item.reason = "expired";
        if (obj.released !== undefined) item.released = obj.released;
        break;
      case "approval.canceled":
        this.#settle(item, "canceled", obj);
        break;
    }
  }

  #settle(item: ApprovalItem, state: ApprovalItemState, obj: Obj): void {
    if (item.state !== "pending") return; // the first decision wins
    item.state = state;
    item.decidedBy = obj.by === null ? null : str(obj.by);
    item.decidedAt = str(obj.at);
    item.reason = str(obj.reason);
  }

  #push(item: Item): void {
    this.items.push(item);
  }
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The event's sequence number: `0000000000000042_…` → 42. */
export function offsetSeq(offset: string): number {
  return Number.parseInt(offset.slice(0, 16), 10);
}
