/**
 * Approval gates from the SDK (docs/governance.md): an agent requests approval for an event
 * and awaits the decision; a manager lists what waits for it and decides.
 *
 * Requesting is an append over the WebSocket with an `idempotencyKey`: a gated event comes
 * back as `approval.requested` with the approval record, and the same key (same stream, same
 * participant) finds the same approval again — from a new process too, which is how a
 * restarted agent re-attaches. The frame also carries a producer of its own for the key
 * (`approval-request:{participant}:{key}`, epoch 0, seq 0), so an event that no gate holds
 * (appended at once: outcome `not-gated`) is stored once however often the request is repeated.
 *
 * Waiting is a loop of long-polls (`GET /v1/approvals/{id}?wait=30s`) that survives network
 * failures and hub restarts; a decision made while nobody waited is found by the first poll.
 * For a granted approval the released event — stored right after `approval.granted` (or an
 * approving `approval.expired`) with the same `approvalId` — is read from the stream, starting
 * at the tail seen just before the request (or, when that finds nothing, from the beginning).
 */
import { backoffDelay } from "./backoff.js";
import { ErrorCodes, invalidArgument, TandemError } from "./errors.js";
import { closedSignal, followChanges, linkSignals, pollSeconds, sleep } from "./follow.js";
import { abortError, type HttpApi } from "./http.js";
import { compareOffsets, FIRST_OFFSET } from "./offsets.js";
import { randomId } from "./stream.js";
import type { HubSocket } from "./hub-socket.js";
import type {
  Approval,
  ApprovalChange,
  ApprovalOutcome,
  ApprovalState,
  DecisionOptions,
  ListApprovalsOptions,
  ListPendingOptions,
  Offset,
  RequestApprovalOptions,
  StreamEvent,
  WatchPendingOptions,
} from "./types.js";

const MAX_KEY_LENGTH = 256;
const DEFAULT_RELEASE_TIMEOUT_MS = 30_000;

/** `client.approvals`: reading and deciding approvals, for requesters and managers alike. */
export class Approvals {
  readonly #socket: HubSocket;
  readonly #http: HttpApi;
  readonly #closed: AbortSignal;

  /** Not constructed directly: use `client.approvals`. */
  constructor(socket: HubSocket, http: HttpApi) {
    this.#socket = socket;
    this.#http = http;
    this.#closed = closedSignal(socket).signal; // for the client's lifetime
  }

  /** The approval record (`GET /v1/approvals/{id}`; needs `read` on its stream). */
  get<T = unknown>(id: string): Promise<Approval<T>> {
    return this.#http.json<Approval<T>>("GET", approvalPath(id));
  }

  /** Approvals this participant may read, newest first; `state` narrows (e.g. `approved`). */
  async list<T = unknown>(options: ListApprovalsOptions & { state?: ApprovalState } = {}): Promise<Array<Approval<T>>> {
    const query = new URLSearchParams();
    if (options.state !== undefined) query.set("state", options.state);
    if (options.stream !== undefined) query.set("stream", options.stream);
    if (options.limit !== undefined) query.set("limit", String(options.limit));
    const body = await this.#http.json<{ approvals: Array<Approval<T>> }>("GET", `/v1/approvals${query.toString() ? `?${query}` : ""}`);
    return body.approvals;
  }

  /**
   * Pending approvals, newest first: by default only those this participant may decide now
   * (a manager's inbox); `decidable: false` lists every pending one it may read.
   */
  async listPending<T = unknown>(options: ListPendingOptions = {}): Promise<Array<Approval<T>>> {
    const body = await this.#http.json<{ approvals: Array<Approval<T>> }>("GET", `/v1/approvals?${pendingQuery(options)}`);
    return body.approvals;
  }

  /**
   * The pending list (as {@link listPending} gives it) now, then again each time it changes: a
   * new request, a vote, a decision or an expiry, on any hub node.
   * `for await (const pending of client.approvals.watchPending()) show(pending)`.
   *
   * Long-polls with the list's `ETag` (`If-None-Match` and `wait`); network failures and 5xx
   * are retried with the client's backoff. `break` ends it; so do `signal` and closing the
   * client, by throwing `aborted` / `closed`.
   */
  async *watchPending<T = unknown>(options: WatchPendingOptions = {}): AsyncGenerator<Array<Approval<T>>, void, undefined> {
    const seconds = pollSeconds(options.pollSeconds);
    const { signal, dispose } = linkSignals(this.#closed, options.signal);
    try {
      const lists = followChanges<{ approvals: Array<Approval<T>> }>(this.#http, `${this.#http.base}/v1/approvals?${pendingQuery(options)}`,
        { what: "the approvals list", pollSeconds: seconds, signal, backoff: this.#socket.options.backoff });
      for await (const body of lists) yield body.approvals;
    } finally {
      dispose();
    }
  }

  /**
   * Approves (one vote towards the gate's quorum). `edit` approves a changed event instead
   * (same `type`; the gate must have `allowEdit`). Repeating it is harmless: `changed: false`.
   */
  approve<T = unknown>(id: string, options: { edit?: unknown } = {}): Promise<ApprovalChange<T>> {
    const body = options.edit === undefined ? {} : { event: options.edit };
    return this.#http.json<ApprovalChange<T>>("POST", `${approvalPath(id)}/approve`, { body });
  }

  /** Rejects: the first rejection by an approver settles the approval. */
  reject<T = unknown>(id: string, reason = ""): Promise<ApprovalChange<T>> {
    return this.#http.json<ApprovalChange<T>>("POST", `${approvalPath(id)}/reject`, { body: { reason } });
  }

  /** Cancels (the requester, or a holder of `admin`). */
  cancel<T = unknown>(id: string, reason = ""): Promise<ApprovalChange<T>> {
    return this.#http.json<ApprovalChange<T>>("POST", `${approvalPath(id)}/cancel`, { body: { reason } });
  }

  /** A handle on an existing approval, by id: `await (await approvals.attach(id)).decision()`. */
  async attach<T = unknown>(id: string): Promise<ApprovalHandle<T>> {
    const approval = await this.get<T>(id);
    return new ApprovalHandle<T>(this, approval.stream, { approval, hint: null });
  }

  /**
   * Appends `event` to `path` expecting a gate to hold it. Use `stream.requestApproval`.
   * @internal
   */
  async request<T>(path: string, event: T, options: RequestApprovalOptions = {}): Promise<ApprovalHandle<T>> {
    if (event === undefined) throw invalidArgument("requestApproval needs an event (a JSON value)");
    const key = options.idempotencyKey ?? randomId("k-");
    if (typeof key !== "string" || key === "" || key.length > MAX_KEY_LENGTH) {
      throw invalidArgument(`idempotencyKey must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`);
    }
    // A lower bound for the offsets this approval's events get: where the release is looked for.
    const hint = await this.#http.head(path).then((info) => info.next, () => null);
    await this.#socket.ready();
    const participant = this.#socket.welcome?.participant ?? "";
    const reply = await this.#socket.request(
      {
        type: "append",
        stream: path,
        events: [event],
        idempotencyKey: key,
        producer: { id: `approval-request:${participant}:${key}`, epoch: 0, seq: 0 },
      },
      { retry: true },
    );
    if (reply.type === "approval.requested") {
      return new ApprovalHandle<T>(this, path, { approval: reply.approval as Approval<T>, hint });
    }
    if (reply.type === "appended") {
      const offset = reply.duplicate === true ? null : (reply.first as Offset);
      return new ApprovalHandle<T>(this, path, {
        approval: null,
        hint,
        notGated: { outcome: "not-gated", approval: null, offset, event: offset === null ? null : { offset, data: event } },
      });
    }
    throw new TandemError(ErrorCodes.protocol, `expected approval.requested or appended, got ${reply.type}`);
  }

  /**
   * Long-polls until the approval is settled; network failures and 5xx are retried.
   * @internal
   */
  async settled<T>(id: string, options: DecisionOptions = {}): Promise<Approval<T>> {
    const seconds = pollSeconds(options.pollSeconds);
    const { signal, dispose } = linkSignals(this.#closed, options.signal);
    try {
      let failures = 0;
      for (;;) {
        if (signal.aborted) throw abortError(signal);
        try {
          const approval = await this.#http.json<Approval<T>>("GET", `${approvalPath(id)}?wait=${seconds}s`, { signal });
          failures = 0;
          if (approval.state !== "pending") return approval;
        } catch (error) {
          if (signal.aborted) throw abortError(signal);
          if (!(error instanceof TandemError) || !error.retryable) throw error;
          await sleep(backoffDelay(failures++, this.#socket.options.backoff), signal);
        }
      }
    } finally {
      dispose();
    }
  }

  /**
   * The released event of granted approval `id` on `path`, read from the stream.
   * @internal
   */
  async released<T>(path: string, id: string, hint: Offset | null, options: DecisionOptions = {}): Promise<StreamEvent<T & { approvalId: string }>> {
    const { signal, dispose } = linkSignals(this.#closed, options.signal);
    const deadline = Date.now() + (options.releaseTimeoutMs ?? DEFAULT_RELEASE_TIMEOUT_MS);
    try {
      const start = hint ?? FIRST_OFFSET;
      const forward = new ReleaseScan(id);
      if (await forward.run(this.#http, path, start, signal)) return forward.found as StreamEvent<T & { approvalId: string }>;
      if (hint !== null && hint !== FIRST_OFFSET) {
        // Decided before this handle's request (a re-attach): look before the hint too.
        const earlier = new ReleaseScan(id);
        if (await earlier.run(this.#http, path, FIRST_OFFSET, signal, hint)) return earlier.found as StreamEvent<T & { approvalId: string }>;
      }
      // Not stored yet (the hub appends it right after committing the decision): keep reading.
      for (let attempt = 0; Date.now() < deadline; attempt++) {
        await sleep(Math.min(1000, 100 * 2 ** attempt), signal);
        if (await forward.run(this.#http, path, forward.next, signal)) return forward.found as StreamEvent<T & { approvalId: string }>;
      }
      throw new TandemError(ErrorCodes.releaseMissing, `approval ${id} was granted but its released event is not in '${path}'`);
    } finally {
      dispose();
    }
  }
}

/**
 * What `stream.requestApproval` resolves with: the approval it made (or found again by its
 * key), or — when no gate held the event — a handle whose decision is `not-gated`.
 */
export class ApprovalHandle<T = unknown> {
  /** The approval's id; null when no gate held the event. */
  readonly id: string | null;
  /** The stream the event was appended to. */
  readonly stream: string;
  /** The approval record as the request (or attach) returned it; null when not gated. */
  readonly approval: Approval<T> | null;
  readonly #approvals: Approvals;
  readonly #hint: Offset | null;
  #outcome: ApprovalOutcome<T> | undefined;

  /** Not constructed directly: use `stream.requestApproval` or `client.approvals.attach`. */
  constructor(
    approvals: Approvals,
    stream: string,
    init: { approval: Approval<T> | null; hint: Offset | null; notGated?: ApprovalOutcome<T> },
  ) {
    this.#approvals = approvals;
    this.stream = stream;
    this.approval = init.approval;
    this.id = init.approval?.id ?? null;
    this.#hint = init.hint;
    this.#outcome = init.notGated;
  }

  /** False when no gate held the event: it was appended at once. */
  get gated(): boolean {
    return this.id !== null;
  }

  /**
   * Resolves once the approval is settled — now, or when it happened while this process was
   * not running: `granted` (with the released event as stored), `rejected`, `expired` or
   * `canceled`; at once with `not-gated` for an event no gate held. Keeps waiting across
   * network failures; rejects for good only on a refusal (`not_found`, `forbidden`), when the
   * client is closed, or when `signal` aborts.
   */
  async decision(options: DecisionOptions = {}): Promise<ApprovalOutcome<T>> {
    if (this.#outcome) return this.#outcome;
    const id = this.id!;
    const approval = await this.#approvals.settled<T>(id, options);
    const decision = approval.decision;
    let outcome: ApprovalOutcome<T>;
    switch (approval.state) {
      case "approved": {
        const event = await this.#approvals.released<T>(approval.stream, id, this.#hint, options);
        outcome = { outcome: "granted", approval, event, edited: decision?.edited === true };
        break;
      }
      case "rejected":
        outcome = { outcome: "rejected", approval, by: decision?.by ?? null, reason: decision?.reason ?? "" };
        break;
      case "expired":
        outcome = { outcome: "expired", approval };
        break;
      case "canceled":
        outcome = { outcome: "canceled", approval, by: decision?.by ?? null, reason: decision?.reason ?? "" };
        break;
      default:
        throw new TandemError(ErrorCodes.protocol, `approval ${id} has an unknown state '${String(approval.state)}'`);
    }
    this.#outcome = outcome;
    return outcome;
  }

  /** The current approval record. */
  get(): Promise<Approval<T>> {
    if (this.id === null) return Promise.reject(new TandemError("not_gated", "no gate held this event: there is no approval"));
    return this.#approvals.get<T>(this.id);
  }

  /** Withdraws the request (the requester may; so may a holder of `admin`). */
  cancel(reason = ""): Promise<ApprovalChange<T>> {
    if (this.id === null) return Promise.reject(new TandemError("not_gated", "no gate held this event: there is no approval"));
    return this.#approvals.cancel<T>(this.id, reason);
  }
}

/** Reads a stream looking for the event right after `approval.granted` of one approval. */
class ReleaseScan {
  found: StreamEvent | undefined;
  next: Offset = FIRST_OFFSET;
  #previous: StreamEvent | undefined;
  readonly #id: string;

  constructor(id: string) {
    this.#id = id;
  }

  /** True when found. Reads from `from` to the tail, or until past `until`. */
  async run(http: HttpApi, path: string, from: Offset, signal: AbortSignal, until?: Offset): Promise<boolean> {
    for await (const page of http.pages(path, from, signal)) {
      for (const event of page.events) {
        if (this.#isRelease(event)) {
          this.found = event;
          return true;
        }
        this.#previous = event;
        if (until !== undefined && compareOffsets(event.offset, until) > 0) return false;
      }
      this.next = page.next;
    }
    return false;
  }

  #isRelease(event: StreamEvent): boolean {
    const previous = this.#previous?.data as Record<string, unknown> | undefined;
    const data = event.data as Record<string, unknown> | null;
    if (!previous || typeof data !== "object" || data === null || data.approvalId !== this.#id) return false;
    if (previous.approvalId !== this.#id) return false;
    return previous.type === "approval.granted" || (previous.type === "approval.expired" && previous.outcome === "approved");
  }
}

function approvalPath(id: string): string {
  if (typeof id !== "string" || id === "") throw invalidArgument("an approval id is a non-empty string");
  return `/v1/approvals/${encodeURIComponent(id)}`;
}

function pendingQuery(options: ListPendingOptions): URLSearchParams {
  const query = new URLSearchParams({ state: "pending" });
  if (options.decidable === false) query.set("decidable", "false");
  if (options.stream !== undefined) query.set("stream", options.stream);
  if (options.limit !== undefined) query.set("limit", String(options.limit));
  return query;
}
