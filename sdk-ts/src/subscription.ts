/**
 * One subscription to one stream, across reconnects. The steps, in the order they run:
 *
 * 1. `#subscribe`: send `subscribe` from the resume point — the caller's `from` the first
 *    time, then always the last `next` (after the first `subscribed`, `from` is pinned to the
 *    offset the hub resolved, so `now` and `cursor` never skip what arrived while offline);
 * 2. `#onFrame`: take each `events` frame through the {@link DeliveryCursor}, which drops any
 *    offset already handed out;
 * 3. `#pump`: hand events to the handler one at a time, in order, awaiting a returned promise;
 * 4. on every `welcome` after a drop, go back to step 1.
 *
 * So the handler sees each event once, in offset order, whatever happens to the socket.
 *
 * Flow control: a WebSocket cannot be paused, so when a slow handler lets more than
 * `maxBuffered` events pile up, the subscription unsubscribes and, once the handler has
 * worked the queue down to a tenth of that, subscribes again from `next` — the hub keeps
 * the history, so a slow reader costs the hub nothing and the SDK bounded memory.
 */
import { backoffDelay } from "./backoff.js";
import { DeliveryCursor } from "./delivery.js";
import { asError, ErrorCodes, invalidArgument, TandemError } from "./errors.js";
import { isOffset } from "./offsets.js";
import type { HubSocket, Frame } from "./hub-socket.js";
import type { EventHandler, From, Offset, StreamEvent, SubscribedInfo, SubscribeOptions, SubscriptionEnd } from "./types.js";

/** Hooks the owning channel uses to follow the subscription. */
export interface SubscriptionHooks {
  onSubscribed?: () => void;
  onEnded?: () => void;
}

export class Subscription<T = unknown> {
  readonly stream: string;
  /** Resolves with the hub's first `subscribed` reply; rejects if the first subscribe is refused. */
  readonly ready: Promise<SubscribedInfo>;
  /** Resolves when the subscription ends: closed, deleted, unsubscribed, or failed (`reason: "error"`). */
  readonly done: Promise<SubscriptionEnd | { reason: "error"; error: Error }>;

  readonly #connection: HubSocket;
  readonly #from: From;
  readonly #handler: EventHandler<T> | undefined;
  readonly #options: SubscribeOptions;
  readonly #hooks: SubscriptionHooks;
  readonly #cursor = new DeliveryCursor();
  #started = false;
  #active = true;
  #queue: StreamEvent<T>[] = [];
  #pumping = false;
  #ending: (SubscriptionEnd | { reason: "error"; error: Error }) | undefined;
  #settled = false;
  #readySettled = false;
  #everSubscribed = false;
  #resolveReady!: (info: SubscribedInfo) => void;
  #rejectReady!: (error: Error) => void;
  #resolveDone!: (end: SubscriptionEnd | { reason: "error"; error: Error }) => void;
  #disposers: Array<() => void> = [];
  #retryAttempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #paused = false;
  #unsubscribeSent = false;
  readonly #maxBuffered: number;

  constructor(connection: HubSocket, stream: string, options: SubscribeOptions, handler: EventHandler<T> | undefined, hooks: SubscriptionHooks = {}) {
    const from = options.from ?? "beginning";
    if (!["beginning", "now", "cursor", "-1"].includes(from) && !isOffset(from)) {
      throw invalidArgument(`from must be beginning, now, cursor or an offset, not '${from}'`);
    }
    this.stream = stream;
    this.#connection = connection;
    this.#from = from === "-1" ? "beginning" : from;
    this.#handler = handler;
    this.#options = options;
    this.#hooks = hooks;
    this.#maxBuffered = Math.max(10, options.maxBuffered ?? 10_000);
    this.ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => {}); // reported through onError / done too; awaiting it is optional
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  /** Where the subscription resumes: everything before it has been received. */
  get next(): Offset | undefined {
    return this.#cursor.next;
  }

  /** The offset of the last event handed to the handler's queue. */
  get lastOffset(): Offset | undefined {
    return this.#cursor.last;
  }

  /** Events dropped as already delivered (overlaps after reconnects; normally 0). */
  get duplicatesDropped(): number {
    return this.#cursor.dropped;
  }

  get active(): boolean {
    return this.#active;
  }

  /** @internal Starts listening and subscribing (the channel calls this once the stream's slot is free). */
  start(): void {
    if (this.#started || !this.#active) return;
    this.#started = true;
    this.#disposers.push(
      this.#connection.onStreamFrame(this.stream, (frame) => this.#onFrame(frame)),
      this.#connection.onOpen(() => this.#subscribe()),
      this.#connection.onStateChange((change) => {
        if (change.state === "closed") this.#end(change.error ? { reason: "error", error: change.error } : { reason: "client_closed" });
      }),
    );
    if (this.#connection.state === "open") this.#subscribe();
    else if (this.#connection.state === "closed") this.#end({ reason: "client_closed" });
  }

  /** Stops delivery; no handler call follows. */
  async unsubscribe(): Promise<void> {
    if (!this.#active) return;
    const wasStarted = this.#started;
    this.#queue = [];
    this.#end({ reason: "unsubscribed" });
    if (wasStarted && this.#connection.state === "open") await this.#sendUnsubscribe();
  }

  #sendUnsubscribe(): Promise<unknown> {
    this.#unsubscribeSent = true;
    return this.#connection.request({ type: "unsubscribe", stream: this.stream }).catch(() => undefined);
  }

  // ---- 1. subscribe from the resume point ---------------------------------------------------

  #subscribe(): void {
    if (!this.#active || this.#paused) return;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const from = this.#cursor.next ?? this.#from;
    this.#connection.request({ type: "subscribe", stream: this.stream, from }).then(
      (reply) => this.#onSubscribed(reply),
      (error: TandemError) => this.#onSubscribeFailed(error),
    );
  }

  #onSubscribed(reply: Frame): void {
    if (!this.#active) {
      // Unsubscribed while this subscribe was on its way: make sure the hub lets go too.
      if (!this.#unsubscribeSent) this.#sendUnsubscribe();
      return;
    }
    this.#retryAttempt = 0;
    this.#everSubscribed = true;
    this.#cursor.startAt(reply.from as Offset);
    this.#hooks.onSubscribed?.();
    if (!this.#readySettled) {
      this.#readySettled = true;
      this.#resolveReady({
        stream: this.stream,
        from: reply.from as Offset,
        tail: reply.tail as Offset,
        contentType: String(reply.contentType ?? "application/json"),
      });
    }
  }

  #onSubscribeFailed(error: TandemError): void {
    if (!this.#active) return;
    if (error.code === ErrorCodes.disconnected || error.code === ErrorCodes.closed) return; // the next welcome resubscribes
    if (error.code === ErrorCodes.timeout) {
      this.#connection.reconnect("subscribe timed out"); // a fresh socket leaves no doubt about server-side state
      return;
    }
    if (error.retryable) {
      this.#retryLater();
      return;
    }
    if (error.code === ErrorCodes.alreadySubscribed) {
      // The hub still has an earlier subscription of ours (an unsubscribe crossed it): replace it.
      void this.#connection.request({ type: "unsubscribe", stream: this.stream }).catch(() => undefined);
      this.#retryLater();
      return;
    }
    this.#end({ reason: "error", error });
  }

  #retryLater(): void {
    if (this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#connection.state === "open") this.#subscribe();
    }, backoffDelay(this.#retryAttempt++, this.#connection.options.backoff));
  }

  // ---- 2. frames ------------------------------------------------------------------------

  #onFrame(frame: Frame): void {
    if (!this.#active) return;
    switch (frame.type) {
      case "events": {
        const events = (frame.events as WireEvent[]).map(decode<T>);
        const fresh = this.#cursor.accept(events, frame.next as Offset | undefined);
        if (fresh.length > 0) {
          this.#queue.push(...fresh);
          if (!this.#paused && this.#queue.length > this.#maxBuffered) this.#pause();
          this.#pump();
        }
        return;
      }
      case "stream.closed":
        if (typeof frame.next === "string") this.#cursor.advanceTo(frame.next);
        this.#end({ reason: "closed", next: this.#cursor.next ?? (frame.next as Offset) });
        return;
      case "stream.deleted":
        this.#end({ reason: "deleted" });
        return;
      case "stream.error":
        this.#retryLater(); // the hub could not read the stream (its database, say): subscribe again
        return;
      default:
        return; // presence frames belong to the channel's presence
    }
  }

  // ---- flow control -------------------------------------------------------------------------

  #pause(): void {
    this.#paused = true;
    if (this.#connection.state === "open") {
      this.#connection.request({ type: "unsubscribe", stream: this.stream }).catch(() => undefined);
    }
  }

  #resumeIfDrained(): void {
    if (this.#paused && this.#queue.length <= this.#maxBuffered / 10) {
      this.#paused = false;
      if (this.#active && this.#connection.state === "open") this.#subscribe();
    }
  }

  // ---- 3. hand events to the handler, one at a time ------------------------------------------

  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    while (this.#queue.length > 0) {
      const event = this.#queue.shift()!;
      this.#resumeIfDrained();
      let result: void | Promise<void> = undefined;
      try {
        result = this.#handler?.(event);
      } catch (error) {
        this.#handlerFailed(error);
      }
      if (result && typeof (result as Promise<void>).then === "function") {
        (result as Promise<void>).then(
          () => this.#resumePump(),
          (error) => {
            this.#handlerFailed(error);
            this.#resumePump();
          },
        );
        return;
      }
    }
    this.#pumping = false;
    this.#settleIfEnded();
  }

  #resumePump(): void {
    this.#pumping = false;
    this.#pump();
  }

  #handlerFailed(error: unknown): void {
    const failure = asError(error);
    if (this.#options.onError) this.#options.onError(failure);
    else this.#connection.reportError(failure);
  }

  // ---- the end ------------------------------------------------------------------------------

  #end(end: SubscriptionEnd | { reason: "error"; error: Error }): void {
    if (this.#ending) return;
    this.#active = false;
    this.#ending = end;
    for (const dispose of this.#disposers) dispose();
    this.#disposers = [];
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    if (!this.#readySettled) {
      this.#readySettled = true;
      this.#rejectReady(end.reason === "error" ? end.error : new TandemError(ErrorCodes.closed, `the subscription ended (${end.reason}) before it started`));
    }
    this.#hooks.onEnded?.();
    this.#settleIfEnded();
  }

  /** Resolves `done` (and calls onClosed / onDeleted / onError) once the queue is delivered. */
  #settleIfEnded(): void {
    const end = this.#ending;
    if (!end || this.#settled || this.#pumping || this.#queue.length > 0) return;
    this.#settled = true;
    try {
      if (end.reason === "closed") this.#options.onClosed?.(end.next);
      else if (end.reason === "deleted") this.#options.onDeleted?.();
      else if (end.reason === "error") {
        // A refused first subscribe is already the rejection of `ready`; later failures are reported.
        if (this.#options.onError || this.#everSubscribed) this.#handlerFailed(end.error);
      }
    } finally {
      this.#resolveDone(end);
    }
  }
}

/** An event as an `events` frame carries it. */
interface WireEvent {
  offset: Offset;
  data: unknown;
  encoding?: string;
  by?: string;
  traceparent?: string;
}

/** Events of non-JSON streams arrive base64-encoded; hand them out as bytes. */
function decode<T>(event: WireEvent): StreamEvent<T> {
  let data = event.data as T;
  if (event.encoding === "base64" && typeof event.data === "string") {
    const binary = atob(event.data);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    data = bytes as unknown as T;
  }
  const decoded: StreamEvent<T> = { offset: event.offset, data };
  if (event.by !== undefined) decoded.by = event.by;
  if (event.traceparent !== undefined) decoded.traceparent = event.traceparent;
  return decoded;
}
