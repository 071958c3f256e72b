/**
 * A handle on one stream: live subscription, idempotent appends, cursor acknowledgements and
 * presence over the client's WebSocket; catch-up reads, creation and deletion over HTTP; and
 * the run lifecycle helper. `client.stream(path)` returns one handle per path and producer
 * options, so its producer id stays stable however often it is called.
 */
import { invalidArgument } from "./errors.js";
import { isOffset, offsetAfter } from "./offsets.js";
import { Producer } from "./producer.js";
import { startRun, type Run } from "./run.js";
import type { Channel } from "./channel.js";
import type { HubSocket } from "./hub-socket.js";
import type { HttpApi } from "./http.js";
import type { Presence } from "./presence.js";
import type { Subscription } from "./subscription.js";
import type {
  AppendOptions,
  AppendResult,
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
} from "./types.js";

export class StreamHandle {
  /** The stream's path, e.g. `sessions/42`. */
  readonly path: string;
  /** Who is present on this stream, and this participant's own presence. */
  readonly presence: Presence;
  readonly #connection: HubSocket;
  readonly #http: HttpApi;
  readonly #channel: Channel;
  readonly #producer: Producer;

  /** Not constructed directly: use `client.stream(path)`. */
  constructor(connection: HubSocket, http: HttpApi, channel: Channel, path: string, options: StreamOptions = {}) {
    this.#connection = connection;
    this.#http = http;
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
}

export function randomId(prefix: string): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c?.randomUUID) return prefix + c.randomUUID();
  return prefix + Math.random().toString(36).slice(2) + Date.now().toString(36);
}
