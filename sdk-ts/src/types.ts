/**
 * Every public type of the SDK in one place: options, wire frames (docs/websocket.md),
 * stream events and the run lifecycle's events and state.
 */

// ---- values --------------------------------------------------------------------------

/** Any JSON value. Events on application/json streams are JSON values. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A stream offset as the hub issues it, e.g. `0000000000000042_0000000000000000`.
 * Fixed width, so string order is offset order.
 */
export type Offset = string;

/** Where a subscription starts. An offset means "the event at this offset is the first delivered". */
export type From = "beginning" | "now" | "cursor" | Offset;

/** One stored event: its offset and its data (the JSON value, or bytes for non-JSON streams). */
export interface StreamEvent<T = unknown> {
  offset: Offset;
  data: T;
  /**
   * Who appended it, as the hub verified it: the subject of the appender's token. Absent on
   * the hub's own events (approvals, spawns, cascades) and when the hub runs without
   * authentication. Only subscriptions carry it; HTTP reads return the data alone.
   */
  by?: string;
  /** The W3C `traceparent` the event was appended with, when it had one. */
  traceparent?: string;
}

// ---- connection ----------------------------------------------------------------------

export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

export type ParticipantKind = "human" | "agent";

/** The subset of the standard WebSocket API the SDK uses (browsers, Node 22, the `ws` package). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface BackoffOptions {
  /** Delay before the first retry, before jitter. Default 250 ms. */
  initialDelayMs?: number;
  /** Upper bound of any delay. Default 10 000 ms. */
  maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
}

export interface ConnectOptions {
  /**
   * The hub: its base URL (`http://127.0.0.1:4437`) or its WebSocket URL
   * (`ws://127.0.0.1:4437/v1/ws`). Either way the SDK derives the other.
   */
  url: string;
  /** A JWT, when the hub requires authentication. */
  token?: string;
  /** Returns a fresh token; called before every (re)connect and after close code 4001. Wins over `token`. */
  getToken?: () => string | Promise<string>;
  /** Who this is, when the hub runs without authentication (the token's subject otherwise). */
  participant?: string;
  /** Shown in presence. Default `human`. */
  kind?: ParticipantKind;
  /** A WebSocket constructor. Default: the global `WebSocket` (browsers, Node 22+). On Node 20 pass `ws`. */
  WebSocket?: WebSocketConstructor;
  /** A fetch implementation for the HTTP calls. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Reconnect backoff. */
  backoff?: BackoffOptions;
  /** How often to send an app-level ping. Default: the hub's `heartbeatMs` from `welcome` (15 s). */
  pingIntervalMs?: number;
  /** A request with no reply after this long fails with code `timeout`. Default 30 000 ms. */
  requestTimeoutMs?: number;
}

/** Details passed with every state change. */
export interface StateChange {
  state: ConnectionState;
  /** The WebSocket close code that caused the change, if any. */
  code?: number;
  reason?: string;
  /** Why the client gave up (state `closed`), or why the last attempt failed. */
  error?: Error;
}

export interface HubLimits {
  maxFrameBytes: number;
  maxSubscriptions: number;
  maxMessagesPerSecond: number;
  sendQueueBytes: number;
}

/** The hub's answer to `hello`. */
export interface Welcome {
  v: number;
  participant: string;
  connection: string;
  heartbeatMs: number;
  limits: HubLimits;
}

// ---- streams -------------------------------------------------------------------------

export interface StreamOptions {
  /** The idempotent producer's id. Default: a random id, stable for the life of the handle. */
  producerId?: string;
  /**
   * The producer's epoch. Default 0. If you reuse a `producerId` across processes, give each
   * process a higher epoch (for example `Date.now()`), or its first appends look like retries.
   */
  epoch?: number;
}

export interface CreateOptions {
  /** Default `application/json`. */
  contentType?: string;
  /** Time to live in seconds (`Stream-TTL`). */
  ttlSeconds?: number;
  /** Absolute expiry (`Stream-Expires-At`), RFC 3339. */
  expiresAt?: string;
}

export interface CreateResult {
  /** False when the stream already existed with the same configuration. */
  created: boolean;
  /** The stream's tail offset. */
  next: Offset;
}

export interface StreamInfo {
  contentType: string;
  next: Offset;
  closed: boolean;
}

export interface ReadOptions {
  /** Default `beginning`. `cursor` reads after this participant's acknowledged offset. */
  from?: From;
  /** Return at most this many events. Default: everything up to the tail. */
  limit?: number;
}

export interface ReadResult<T = unknown> {
  events: StreamEvent<T>[];
  /** Where to continue reading. */
  next: Offset;
  /** True when `events` reach the tail. */
  upToDate: boolean;
  /** True when the stream is closed and `events` reach its end. */
  closed: boolean;
}

export interface AppendOptions {
  /** Close the stream after this append. */
  close?: boolean;
}

export interface AppendResult {
  /** Offset of the first stored event. */
  first: Offset;
  /** Offset after the last stored event. */
  next: Offset;
  /**
   * True when the hub had already stored this batch (an earlier attempt landed but its
   * reply was lost). The events are stored once; `first`/`next` then describe the tail.
   */
  duplicate: boolean;
  closed: boolean;
}

export interface SubscribeOptions {
  /** Default `beginning`. */
  from?: From;
  /**
   * Events waiting for a slow handler before the subscription pauses (unsubscribes, then
   * resumes from `next` when the handler has caught up). Default 10 000.
   */
  maxBuffered?: number;
  /** The stream was closed and every event was delivered. */
  onClosed?: (next: Offset) => void;
  /** The stream was deleted. */
  onDeleted?: () => void;
  /** The subscription failed for good, or the handler threw. */
  onError?: (error: Error) => void;
}

/** The hub's answer to `subscribe`. */
export interface SubscribedInfo {
  stream: string;
  /** The offset delivery starts at (resolved from `beginning`, `now`, `cursor`). */
  from: Offset;
  /** The stream's tail when the subscription started. */
  tail: Offset;
  contentType: string;
}

export type SubscriptionEnd =
  | { reason: "closed"; next: Offset }
  | { reason: "deleted" }
  | { reason: "unsubscribed" }
  | { reason: "client_closed" };

export type EventHandler<T = unknown> = (event: StreamEvent<T>) => void | Promise<void>;

// ---- presence ------------------------------------------------------------------------

export interface PresenceMember {
  participant: string;
  kind: ParticipantKind | string;
  state: Record<string, unknown>;
}

export type PresenceObserver = (present: PresenceMember[]) => void;

// ---- runs ----------------------------------------------------------------------------

/** A plan step as given to `startRun`: a name, or a name with a description. */
export type PlanStepInput = string | { name: string; description?: string };

export interface PlanStep {
  name: string;
  description?: string;
}

export interface Plan {
  steps: PlanStep[];
}

/** The answer a run ends with. `text` must equal the concatenated `text.delta` events. */
export interface FinalPacket {
  text: string;
  data?: unknown;
}

export interface RunErrorInfo {
  message: string;
  code?: string;
}

export type RunEvent =
  | { type: "run.started"; runId: string; at: string }
  | { type: "plan.created"; runId: string; plan: Plan }
  | { type: "step.started"; runId: string; step: string; key: string; at: string }
  | { type: "step.completed"; runId: string; step: string; key: string; result?: unknown; at: string }
  | { type: "step.failed"; runId: string; step: string; key: string; error: RunErrorInfo; at: string }
  | { type: "text.delta"; runId: string; text: string }
  | { type: "run.completed"; runId: string; final: FinalPacket; at: string }
  | { type: "run.failed"; runId: string; error: RunErrorInfo; at: string };

export type RunEventType = RunEvent["type"];

export type RunStatus = "unknown" | "running" | "completed" | "failed";

export type StepStatus = "pending" | "running" | "completed" | "failed";

export interface StepState {
  name: string;
  /** `name` for its first run in a run, `name#2` for the second, ... */
  key: string;
  status: StepStatus;
  result?: unknown;
  error?: RunErrorInfo;
  /** How many times it was started (more than 1 after a crash mid-step). */
  attempts: number;
}

export interface RunProblem {
  code:
    | "final_text_mismatch"
    | "missing_run_started"
    | "duplicate_run_started"
    | "event_after_end"
    | "step_completed_without_start"
    | "step_completed_twice"
    | "step_unfinished"
    | "offset_not_increasing";
  message: string;
  /** The offset of the event where it was found, when events carried offsets. */
  offset?: Offset;
}

export interface RunState {
  runId: string | undefined;
  status: RunStatus;
  plan: Plan | null;
  steps: StepState[];
  /** The concatenated `text.delta` events. */
  text: string;
  final: FinalPacket | null;
  error: RunErrorInfo | null;
  problems: RunProblem[];
}

export interface StartRunOptions {
  /**
   * The run's id. Give the id of an earlier run to resume it: its history is read first and
   * completed steps return their recorded results. Default: a new random id.
   */
  runId?: string;
  /** Appended as `plan.created` when the run starts. */
  plan?: PlanStepInput[];
}

// ---- approvals -----------------------------------------------------------------------

/** An approval's state on the hub. `approved` covers an expiry with `onExpiry: approve`. */
export type ApprovalState = "pending" | "approved" | "rejected" | "expired" | "canceled";

/** A condition of a gate: a dotted `field` and exactly one operator (docs/governance.md). */
export interface PolicyCondition {
  field: string;
  eq?: unknown;
  ne?: unknown;
  in?: unknown[];
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  exists?: boolean;
}

/** An approval gate of a policy. The hub fills the defaults; `GET` spells every field out. */
export interface PolicyGate {
  name: string;
  match: { type?: string | string[]; where?: PolicyCondition[] };
  /** Default `{ roles: ["manager", "admin"] }`. */
  approvers?: { roles?: string[]; subjects?: string[] };
  /** Default 1. */
  quorum?: number;
  /** Default false. */
  allowSelfApproval?: boolean;
  /** ISO-8601 (`PT4H`) or `30s`, `15m`, `4h`, `2d`. Default 24 h. */
  expiresAfter?: string;
  /** Default `reject`. */
  onExpiry?: "reject" | "approve";
  /** Default false. */
  allowEdit?: boolean;
}

/** Spawn limits of a policy; unset ones are inherited (else 8 / 64 / 1024). */
export interface SpawnLimits {
  maxDepth?: number;
  maxChildren?: number;
  maxDescendants?: number;
}

/** A policy document (`PUT /v1/policies/{stream}`). `{}` is a policy with no gates and no limits. */
export interface Policy {
  gates?: PolicyGate[];
  spawn?: SpawnLimits;
}

export interface ApprovalVote {
  by: string;
  at: string;
  /** The edited event this vote approved, when it approved an edit. */
  event?: unknown;
}

/** How an approval was settled. `by` is null when the deadline decided (`reason: "expired"`). */
export interface ApprovalDecisionRecord {
  outcome: "approved" | "rejected" | "expired" | "canceled";
  by: string | null;
  at: string;
  edited: boolean;
  reason?: string;
  /** The released event's content (without `approvalId`), when approved. */
  released?: unknown;
}

/** An approval record as the hub returns it (`GET /v1/approvals/{id}`). */
export interface Approval<T = unknown> {
  id: string;
  stream: string;
  requester: string;
  state: ApprovalState;
  createdAt: string;
  expiresAt: string;
  ageSeconds: number;
  /** The held event. */
  proposed: T;
  /** A copy of the gate the request was made under. */
  gate: PolicyGate & Record<string, unknown>;
  votes: ApprovalVote[];
  decision?: ApprovalDecisionRecord;
}

/** The answer to approve / reject / cancel: the record, and whether this call changed it. */
export interface ApprovalChange<T = unknown> {
  changed: boolean;
  approval: Approval<T>;
}

export interface RequestApprovalOptions {
  /**
   * Identifies the request: the same key (same stream, same participant) finds the same
   * approval again, from any process — how a restarted agent re-attaches. At most 256
   * characters. Default: a random key (the request can then not be re-attached by key).
   */
  idempotencyKey?: string;
}

export interface DecisionOptions {
  /** Stops waiting: `decision()` rejects with the signal's reason (code `aborted`). */
  signal?: AbortSignal;
  /** How long each long-poll waits on the hub, in seconds (1–300). Default 30. */
  pollSeconds?: number;
  /** How long a granted approval's released event may take to appear in the stream. Default 30 000 ms. */
  releaseTimeoutMs?: number;
}

/**
 * How an approval ended, as `handle.decision()` resolves. `granted` carries the released event
 * as stored (with its offset and the added `approvalId`); `not-gated` means no gate held the
 * event and it was appended at once (`offset` null when this was a repeat of an earlier
 * request with the same key, whose offset the hub does not return).
 */
export type ApprovalOutcome<T = unknown> =
  | { outcome: "granted"; approval: Approval<T>; event: StreamEvent<T & { approvalId: string }>; edited: boolean }
  | { outcome: "rejected"; approval: Approval<T>; by: string | null; reason: string }
  | { outcome: "expired"; approval: Approval<T> }
  | { outcome: "canceled"; approval: Approval<T>; by: string | null; reason: string }
  | { outcome: "not-gated"; approval: null; offset: Offset | null; event: StreamEvent<T> | null };

export interface ListApprovalsOptions {
  /** Only approvals on this stream and the streams below it. */
  stream?: string;
  /** At most this many (1–500). Default 50. */
  limit?: number;
}

export interface ListPendingOptions extends ListApprovalsOptions {
  /**
   * True (default): only what this participant may decide now (a manager's inbox). False:
   * every pending approval it may read (its own requests, say).
   */
  decidable?: boolean;
}

export interface WatchPendingOptions extends ListPendingOptions, WatchOptions {}

// ---- inbox ---------------------------------------------------------------------------

/** A stream the participant follows (it subscribed to or acknowledged it), in `client.inbox`. */
export interface InboxEntry {
  stream: string;
  /** Where the next event will go. */
  tail: Offset;
  /** What the participant has acknowledged. */
  cursor: Offset;
  /** Events after the cursor. */
  unread: number;
  /** The later of the last append and the cursor's last move (ISO 8601). */
  lastActivity: string;
  closed: boolean;
}

export interface InboxOptions {
  /** At most this many streams, most recent activity first (1–500). Default 50. */
  limit?: number;
}

/** How a watch (`watchTree`, and the options below) long-polls, and what stops it. */
export interface WatchOptions {
  /** Stops watching: the iteration throws the signal's reason (code `aborted`). */
  signal?: AbortSignal;
  /** How long each long-poll waits on the hub, in seconds (1–300). Default 30. */
  pollSeconds?: number;
}

export interface WatchInboxOptions extends InboxOptions, WatchOptions {}

// ---- spawn, trees, forks ---------------------------------------------------------------

export type TokenAction = "read" | "append" | "approve" | "admin";

export interface SpawnOptions {
  /** What the child is for; recorded in `stream.created` / `stream.spawned` and the tree. */
  purpose?: string;
  /** Any JSON, recorded likewise. */
  metadata?: unknown;
  /**
   * Mint a token for the child agent: `true` for the defaults (1 h, read + append), or its
   * lifetime (60 s to 30 days) and actions. Never more than the spawner holds.
   */
  token?: true | { ttlSeconds?: number; actions?: TokenAction[] };
}

export interface SpawnResult<Handle> {
  /** The child stream, `{parent}/agents/{name}`, as a handle on this client. */
  stream: Handle;
  /** The child's token, when one was asked for. */
  token?: string;
  /** False when a child of that name existed already (spawning is idempotent by name). */
  created: boolean;
  /** The child's tail offset. */
  tail: Offset;
}

/** `open`, `closed`, `closing`, `canceling` or `canceled`. */
export type TreeState = "open" | "closed" | "closing" | "canceling" | "canceled";

export interface ForkInfo {
  stream: string;
  /** The fork holds its source's events before this offset. */
  offset: Offset;
  closed: boolean;
  tail: Offset;
}

/** A stream and its spawned subtree (`GET /v1/tree/{stream}`). */
export interface TreeNode {
  stream: string;
  state: TreeState;
  closed: boolean;
  tail: Offset;
  pendingApprovals: number;
  /** Who spawned it (absent on a root). */
  spawner?: string;
  purpose?: string;
  metadata?: unknown;
  children: TreeNode[];
  forks: ForkInfo[];
}
