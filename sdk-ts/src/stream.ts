/**
 * A handle on one stream: live subscription, idempotent appends, cursor acknowledgements and
 * presence over the client's WebSocket; catch-up reads, creation and deletion over HTTP; the
 * run lifecycle helper; approval requests (approvals.ts); spawn, tree, cancel, fork and policy
 * (spawn.ts). `client.stream(path)` returns one handle per path and producer
 * options, so its producer id stays stable however often it is called.
 */
import { invalidArgument } from "./errors.js";
import { isOffset, offsetAfter } from "./offsets.js";
import { Producer } from "./producer.js";
import { startRun, type Run } from "./run.js";
import { closedSignal, followChanges, linkSignals, pollSeconds } from "./follow.js";
import { encodePath } from "./urls.js";
import { cancelTree, createFork, getPolicy, setPolicy, spawnChild, tree } from "./spawn.js";
import type { ApprovalHandle, Approvals } from "./approvals.js";
import type { Channel } from "./channel.js";
import type { HubSocket } from "./hub-socket.js";
import type { HttpApi } from "./http.js";
import type { Presence } from "./presence.js";
import type { Subscription } from "./subscription.js";
import type {
  AppendOptions,
  AppendResult,
  Policy,
  RequestApprovalOptions,
  SpawnOptions,
  SpawnResult,
  TreeNode,
  CreateOptions,
  CreateResult,
  EventHandler,
  Offset,
  ReadOptions,
  ReadResult,
  StartRunOptions,
  StreamEvent,
  StreamInfo,
  StreamOptions,
  SubscribeOptions,
  WatchOptions,
} from "./types.js";

/** What a handle needs from its client. Internal. */
export interface ClientContext {
  socket: HubSocket;
  http: HttpApi;
  approvals: Approvals;
  /** The client's handle on another path (children, forks). */
  stream(path: string): StreamHandle;
}

export class StreamHandle {
  /** The stream's path, e.g. `sessions/42`. */
  readonly path: string;
  /** Who is present on this stream, and this participant's own presence. */
  readonly presence: Presence;
  readonly #connection: HubSocket;
  readonly #http: HttpApi;
  readonly #client: ClientContext;
  readonly #channel: Channel;
  readonly #producer: Producer;

  /** Not constructed directly: use `client.stream(path)`. */
  constructor(client: ClientContext, channel: Channel, path: string, options: StreamOptions = {}) {
    const connection = client.socket;
    this.#client = client;
    this.#connection = connection;
    this.#http = client.http;
    this.#channel = channel;
    this.path = path;
    this.presence = channel.presence;
    this.#producer = new Producer(connection, path, options.producerId ?? randomId("p-"), options.epoch ?? 0);
  }

  /** This handle's idempotent producer id. */
  get producerId(): string {
    return this.#producer.id;
  }

  /** The producer's epoch. */
  get epoch(): number {
    return this.#producer.epoch;
  }

  // ---- live ---------------------------------------------------------------------------------

  /**
   * Delivers every event after `from` to `handler` exactly once, in offset order, across
   * reconnects. One subscription per stream and client at a time.
   */
  subscribe<T = unknown>(options: SubscribeOptions, handler: EventHandler<T>): Subscription<T>;
  subscribe<T = unknown>(handler: EventHandler<T>): Subscription<T>;
  subscribe<T = unknown>(optionsOrHandler: SubscribeOptions | EventHandler<T>, maybeHandler?: EventHandler<T>): Subscription<T> {
    const [options, handler] = typeof optionsOrHandler === "function" ? [{}, optionsOrHandler] : [optionsOrHandler ?? {}, maybeHandler];
    if (typeof handler !== "function") throw invalidArgument("subscribe needs a handler function");
    return this.#channel.subscribe<T>(options, handler);
  }

  /**
   * Appends one event, or each element of an array as its own event (one batch, one producer
   * seq). Resolves once committed. Retried across reconnects; stored exactly once.
   */
  append(events: unknown | unknown[], options: AppendOptions = {}): Promise<AppendResult> {
    return this.#producer.append(Array.isArray(events) ? events : [events], options);
  }

  /** Resolves when every append made so far through this handle is settled. */
  flush(): Promise<void> {
    return this.#producer.flush();
  }

  /**
   * Records that this participant has seen everything before `offset` (a `next` offset), or
   * everything up to and including `event`. Resolves with the stored cursor (cursors only
   * move forward unless `reset`).
   */
  async ack(offsetOrEvent: Offset | StreamEvent, options: { reset?: boolean } = {}): Promise<Offset> {
    const offset = typeof offsetOrEvent === "string" ? offsetOrEvent : offsetAfter(offsetOrEvent.offset);
    if (!isOffset(offset)) throw invalidArgument(`'${offset}' is not an offset`);
    const frame: Record<string, unknown> = { type: "ack", stream: this.path, offset };
    if (options.reset) frame.reset = true;
    const reply = await this.#connection.request(frame, { retry: true });
    return reply.cursor as Offset;
  }

  /** Closes the stream for writing (after this handle's pending appends). Readers get `stream.closed`. */
  async close(): Promise<AppendResult> {
    return this.#producer.append([], { close: true });
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  /** Creates the stream (idempotent when it exists with the same configuration). */
  create(options: CreateOptions = {}): Promise<CreateResult> {
    return this.#http.create(this.path, options);
  }

  /** Reads stored events from `from` (default the beginning) up to the tail, or `limit` events. */
  read<T = unknown>(options: ReadOptions = {}): Promise<ReadResult<T>> {
    return this.#http.read<T>(this.path, options);
  }

  /** Content type, tail offset and whether the stream is closed. */
  head(): Promise<StreamInfo> {
    return this.#http.head(this.path);
  }

  /** Deletes the stream. Subscribers get `stream.deleted`. */
  delete(): Promise<void> {
    return this.#http.delete(this.path);
  }

  // ---- runs ---------------------------------------------------------------------------------

  /** Starts a run on this stream, or resumes the run `runId` (see run.ts). */
  startRun(options: StartRunOptions = {}): Promise<Run> {
    return startRun(this, options);
  }

  // ---- approvals ----------------------------------------------------------------------------

  /**
   * Appends `event` expecting an approval gate to hold it, and resolves with a handle on the
   * approval; `await handle.decision()` for the outcome. The same `idempotencyKey` finds the
   * same approval again, from any process. An event no gate holds is appended at once: the
   * handle's `gated` is false and its decision is `{ outcome: "not-gated", offset }`.
   */
  requestApproval<T = unknown>(event: T, options: RequestApprovalOptions = {}): Promise<ApprovalHandle<T>> {
    return this.#client.approvals.request(this.path, event, options);
  }

  /** Sets this stream's own policy (needs `admin`); resolves with it as stored, defaults filled in. */
  setPolicy(policy: Policy): Promise<Policy> {
    return setPolicy(this.#http, this.path, policy);
  }

  /** This stream's effective policy: its ancestors' narrowed by its own. */
  getPolicy(): Promise<Policy> {
    return getPolicy(this.#http, this.path);
  }

  // ---- spawn trees and forks ----------------------------------------------------------------

  /**
   * Spawns the child stream `{path}/agents/{name}` (a random name when none is given), minting
   * a token for the child agent with `token`. Idempotent by name (`created: false`).
   */
  async spawn(name?: string, options: SpawnOptions = {}): Promise<SpawnResult<StreamHandle>> {
    const spawned = await spawnChild(this.#http, this.path, name, options);
    const result: SpawnResult<StreamHandle> = { stream: this.#client.stream(spawned.stream), created: spawned.created, tail: spawned.tail };
    if (spawned.token !== undefined) result.token = spawned.token;
    return result;
  }

  /** This stream and its spawned subtree, with states, forks and pending approvals. */
  tree(): Promise<TreeNode> {
    return tree(this.#http, this.path);
  }

  /**
   * The tree now, then again each time it changes (a node spawned, appended to, closed or
   * canceled; an approval decided), as an async iterable:
   * `for await (const root of stream.watchTree()) show(root)`. Long-polls like
   * `client.approvals.watchPending()`; `break`, `signal` or closing the client ends it.
   */
  async *watchTree(options: WatchOptions = {}): AsyncGenerator<TreeNode, void, undefined> {
    const seconds = pollSeconds(options.pollSeconds);
    const closed = closedSignal(this.#connection);
    const { signal, dispose } = linkSignals(closed.signal, options.signal);
    try {
      yield* followChanges<TreeNode>(this.#http, `${this.#http.base}/v1/tree/${encodePath(this.path)}`,
        { what: "the tree", pollSeconds: seconds, signal, backoff: this.#connection.options.backoff });
    } finally {
      dispose();
      closed.dispose();
    }
  }

  /**
   * Cancels this stream and all its descendants, leaf first (pending approvals canceled, then
   * `stream.canceled`, then closed). Resolves with the canceled paths.
   */
  cancel(): Promise<string[]> {
    return cancelTree(this.#http, this.path);
  }

  /**
   * Forks this stream at `at`: creates `{path}/forks/{name}` (a random name when none is
   * given), which reads this stream's events before `at`, then its own. `"now"` forks at the
   * tail. Resolves with the fork's handle.
   */
  async fork(at: Offset | "now", name: string = randomId("fork-")): Promise<StreamHandle> {
    const fork = await createFork(this.#http, this.path, at, name);
    return this.#client.stream(fork.path);
  }
}

export function randomId(prefix: string): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c?.randomUUID) return prefix + c.randomUUID();
  return prefix + Math.random().toString(36).slice(2) + Date.now().toString(36);
}
