/**
 * One WebSocket to the hub, kept alive: `hello`/`welcome`, numbered requests answered by
 * promises, routing of stream frames to their listeners, app-level pings, and reconnects
 * with jittered exponential backoff. Close codes decide what happens next (docs/websocket.md):
 * 4000, 1001 and 4003 reconnect at once and resume; 4001 gets a new token first; 4002 and a
 * refused `hello` are fatal; anything else (a network drop) backs off.
 *
 * Invariant: every request is settled exactly once — by its reply, by `timeout`, or with
 * `disconnected` when its socket goes — and listeners registered with `onOpen` run after
 * every `welcome`, before any queued request is sent, so subscriptions resume first.
 */
import { backoffDelay, resumeDelay } from "./backoff.js";
import { asError, ErrorCodes, invalidArgument, TandemError } from "./errors.js";
import { Pacer } from "./pacer.js";
import { hubUrls } from "./urls.js";
import type {
  ConnectOptions,
  ConnectionState,
  StateChange,
  WebSocketConstructor,
  WebSocketLike,
  Welcome,
} from "./types.js";

export const PROTOCOL_VERSION = 1;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_PING_MS = 15_000;
const RESUME_CODES = new Set([4000, 1001, 4003]);

/** A frame as the hub sends it. */
export type Frame = Record<string, unknown> & { type: string };

interface Pending {
  resolve: (frame: Frame) => void;
  reject: (error: TandemError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface RequestOptions {
  /** Resend after a reconnect when the socket drops before the reply (idempotent frames only). */
  retry?: boolean;
}

/** The socket machinery behind a `TandemClient`. Internal. */
export class HubSocket {
  readonly urls: { http: string; ws: string };
  readonly options: ConnectOptions;
  #WebSocket: WebSocketConstructor;
  #state: ConnectionState = "connecting";
  #socket: WebSocketLike | undefined;
  #pacer: Pacer | undefined;
  #welcome: Welcome | undefined;
  #helloId = -1;
  #nextId = 1;
  #attempt = 0;
  #generation = 0;
  #closing = false;
  #fatal: Error | undefined;
  #lastHeard = 0;
  #pending = new Map<number, Pending>();
  #streamListeners = new Map<string, Set<(frame: Frame) => void>>();
  #openHooks = new Set<() => void>();
  #stateListeners = new Set<(change: StateChange) => void>();
  #errorListeners = new Set<(error: Error) => void>();
  #openWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;

  constructor(options: ConnectOptions) {
    if (!options || typeof options.url !== "string") throw invalidArgument("connect needs { url }");
    if (!options.token && !options.getToken && !options.participant) {
      throw invalidArgument("connect needs a participant (hub without authentication) or a token / getToken");
    }
    if (options.kind !== undefined && options.kind !== "human" && options.kind !== "agent") {
      throw invalidArgument("kind must be 'human' or 'agent'");
    }
    const ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!ctor) {
      throw invalidArgument("no global WebSocket here (Node 20): pass one, e.g. connect({ url, WebSocket }) with the 'ws' package");
    }
    this.options = options;
    this.urls = hubUrls(options.url);
    this.#WebSocket = ctor;
    void this.#open();
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get welcome(): Welcome | undefined {
    return this.#welcome;
  }

  /** Resolves when the connection is open (now or after the next `welcome`); rejects once it is closed. */
  ready(): Promise<void> {
    if (this.#state === "open") return Promise.resolve();
    if (this.#state === "closed") return Promise.reject(this.#closedError());
    return new Promise((resolve, reject) => this.#openWaiters.push({ resolve, reject }));
  }

  /** Sends `frame` with a fresh id and resolves with the reply; an `error` reply rejects. */
  async request(frame: Record<string, unknown>, options: RequestOptions = {}): Promise<Frame> {
    for (;;) {
      await this.ready();
      try {
        return await this.#requestOnce(frame);
      } catch (error) {
        if (options.retry && error instanceof TandemError && error.code === ErrorCodes.disconnected) continue;
        throw error;
      }
    }
  }

  /** Sends a frame that needs no reply; false when not open. */
  post(frame: Record<string, unknown>): boolean {
    if (this.#state !== "open" || !this.#pacer) return false;
    this.#pacer.send(JSON.stringify(frame));
    return true;
  }

  /** Frames that carry `stream: path` (events, presence, stream.closed, ...). */
  onStreamFrame(path: string, listener: (frame: Frame) => void): () => void {
    let set = this.#streamListeners.get(path);
    if (!set) this.#streamListeners.set(path, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0 && this.#streamListeners.get(path) === set) this.#streamListeners.delete(path);
    };
  }

  /** Runs after every `welcome`, before queued requests go out. */
  onOpen(hook: () => void): () => void {
    this.#openHooks.add(hook);
    return () => this.#openHooks.delete(hook);
  }

  onStateChange(listener: (change: StateChange) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Errors no request is waiting for (error frames without `re`, failing callbacks). */
  onError(listener: (error: Error) => void): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  reportError(error: Error): void {
    if (this.#errorListeners.size === 0) {
      console.error("tandem:", error);
      return;
    }
    for (const listener of this.#errorListeners) {
      try {
        listener(error);
      } catch {
        // a failing error listener has nowhere left to report to
      }
    }
  }

  /** The token for this (re)connect or HTTP call. */
  async token(): Promise<string | undefined> {
    return this.options.getToken ? await this.options.getToken() : this.options.token;
  }

  /** Drops the socket and reconnects at once; subscriptions resume from their last offset. */
  reconnect(reason = "reconnect requested"): void {
    if (this.#state === "closed") throw this.#closedError();
    this.#drop(new TandemError(ErrorCodes.disconnected, reason), true);
  }

  /** Closes for good: pending requests fail with `closed`, nothing reconnects. */
  close(): void {
    if (this.#state === "closed") return;
    this.#closing = true;
    const socket = this.#socket;
    this.#detach(new TandemError(ErrorCodes.closed, "the client was closed"));
    try {
      socket?.close(1000, "client closed");
    } catch {
      // already closing
    }
    this.#setState({ state: "closed" });
  }

  // ---- one socket: open, hello, frames, close ---------------------------------------------

  async #open(): Promise<void> {
    const generation = ++this.#generation;
    let token: string | undefined;
    try {
      token = await this.token();
    } catch (error) {
      if (generation === this.#generation && !this.#closing) {
        this.#scheduleReconnect({ state: "reconnecting", error: asError(error) }, false);
      }
      return;
    }
    if (generation !== this.#generation || this.#closing) return;
    let socket: WebSocketLike;
    try {
      socket = new this.#WebSocket(this.urls.ws);
    } catch (error) {
      this.#fail(new TandemError(ErrorCodes.closed, `cannot open ${this.urls.ws}: ${asError(error).message}`));
      return;
    }
    this.#socket = socket;
    this.#helloId = this.#nextId++;
    const hello = {
      type: "hello",
      v: PROTOCOL_VERSION,
      id: this.#helloId,
      participant: this.options.participant,
      kind: this.options.kind ?? "human",
      token,
    };
    socket.onopen = () => {
      this.#lastHeard = Date.now();
      this.#write(socket, JSON.stringify(hello));
    };
    socket.onmessage = (event) => this.#onMessage(socket, event.data);
    socket.onclose = (event) => this.#onClose(socket, event.code, event.reason);
    socket.onerror = () => {
      // a close event follows; it decides what to do
    };
  }

  #onMessage(socket: WebSocketLike, data: unknown): void {
    if (socket !== this.#socket) return;
    this.#lastHeard = Date.now();
    let frame: Frame;
    try {
      frame = JSON.parse(typeof data === "string" ? data : String(data)) as Frame;
    } catch {
      this.reportError(new TandemError(ErrorCodes.protocol, "the hub sent a frame that is not JSON"));
      return;
    }
    if (frame === null || typeof frame !== "object" || typeof frame.type !== "string") return;
    const re = frame.re;
    if (re === this.#helloId && this.#state !== "open") {
      this.#onHelloReply(socket, frame);
      return;
    }
    if (typeof re === "number" && this.#pending.has(re)) {
      const pending = this.#pending.get(re)!;
      this.#pending.delete(re);
      clearTimeout(pending.timer);
      if (frame.type === "error") pending.reject(TandemError.fromFrame(frame));
      else pending.resolve(frame);
      return;
    }
    if (typeof frame.stream === "string") {
      const listeners = this.#streamListeners.get(frame.stream);
      if (listeners) {
        for (const listener of [...listeners]) listener(frame);
        return;
      }
    }
    if (frame.type === "error") this.reportError(TandemError.fromFrame(frame));
  }

  #onHelloReply(socket: WebSocketLike, frame: Frame): void {
    if (frame.type === "welcome") {
      this.#onWelcome(frame as unknown as Welcome);
      return;
    }
    const error = frame.type === "error" ? TandemError.fromFrame(frame) : new TandemError(ErrorCodes.protocol, `expected welcome, got ${frame.type}`);
    if (error.code === "unsupported_version") return; // the hub closes with 4002 next
    if ((error.status === 401 || error.status === 403) && this.options.getToken) {
      this.#drop(error, false);
      return;
    }
    try {
      socket.close(1000, "hello refused");
    } catch {
      // already closing
    }
    this.#fail(error);
  }

  #onWelcome(welcome: Welcome): void {
    this.#welcome = welcome;
    this.#attempt = 0;
    const socket = this.#socket!;
    this.#pacer = new Pacer(welcome.limits?.maxMessagesPerSecond ?? 500, (text) => this.#write(socket, text), 1);
    this.#startPings(this.options.pingIntervalMs ?? welcome.heartbeatMs ?? DEFAULT_PING_MS);
    this.#setState({ state: "open" });
    for (const hook of [...this.#openHooks]) {
      try {
        hook();
      } catch (error) {
        this.reportError(asError(error));
      }
    }
    const waiters = this.#openWaiters;
    this.#openWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  #onClose(socket: WebSocketLike, code: number, reason: string): void {
    if (socket !== this.#socket) return;
    const why = new TandemError(ErrorCodes.disconnected, `the connection closed (${code}${reason ? ` ${reason}` : ""})`, 0, { code });
    this.#detach(why);
    if (this.#closing) {
      this.#setState({ state: "closed", code, reason });
      return;
    }
    if (code === 4002) {
      this.#fail(new TandemError("unsupported_version", reason || "the hub does not speak this protocol version: upgrade the SDK", 400), code);
      return;
    }
    if (code === 1000) {
      this.#closing = true;
      this.#setState({ state: "closed", code, reason });
      this.#rejectWaiters(this.#closedError());
      return;
    }
    if (code === 4001 && !this.options.getToken) {
      this.#fail(new TandemError(ErrorCodes.unauthorized, reason || "authentication failed or the token expired; pass getToken to refresh it", 401), code);
      return;
    }
    const resume = RESUME_CODES.has(code) && this.#attempt === 0;
    this.#scheduleReconnect({ state: "reconnecting", code, reason, error: why }, resume);
  }

  // ---- requests -----------------------------------------------------------------------------

  #requestOnce(frame: Record<string, unknown>): Promise<Frame> {
    return new Promise((resolve, reject) => {
      if (this.#state !== "open" || !this.#pacer) {
        reject(new TandemError(ErrorCodes.disconnected, "not connected"));
        return;
      }
      const id = this.#nextId++;
      const text = JSON.stringify({ ...frame, id });
      const max = this.#welcome?.limits?.maxFrameBytes;
      if (max !== undefined && text.length > max) {
        reject(new TandemError(ErrorCodes.frameTooLarge, `the frame is ${text.length} characters; the hub takes at most ${max}`, 413));
        return;
      }
      const timeoutMs = this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new TandemError(ErrorCodes.timeout, `no reply to ${String(frame.type)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.#pacer.send(text);
    });
  }

  #write(socket: WebSocketLike, text: string): void {
    if (socket !== this.#socket) return;
    try {
      socket.send(text);
    } catch {
      // the socket is closing; its close event settles what is pending
    }
  }

  // ---- liveness -----------------------------------------------------------------------------

  #startPings(intervalMs: number): void {
    this.#stopPings();
    const every = Math.max(50, intervalMs);
    this.#pingTimer = setInterval(() => {
      const silent = Date.now() - this.#lastHeard;
      if (silent > 2 * every + 1000) {
        this.#drop(new TandemError(ErrorCodes.disconnected, `nothing heard from the hub for ${silent} ms`), false);
        return;
      }
      this.post({ type: "ping" });
    }, every);
    (this.#pingTimer as { unref?: () => void }).unref?.();
  }

  #stopPings(): void {
    if (this.#pingTimer !== undefined) clearInterval(this.#pingTimer);
    this.#pingTimer = undefined;
  }

  // ---- state ------------------------------------------------------------------------------

  /** Abandons the current socket and reconnects: almost at once to resume, or after a backoff. */
  #drop(error: TandemError, resume: boolean): void {
    const socket = this.#socket;
    this.#detach(error);
    try {
      socket?.close(1000, "reconnecting");
    } catch {
      // already closing
    }
    this.#scheduleReconnect({ state: "reconnecting", error }, resume);
  }

  #scheduleReconnect(change: StateChange, resume: boolean): void {
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    this.#generation++; // an #open() still waiting for a token is abandoned
    const delay = resume ? resumeDelay() : backoffDelay(this.#attempt++, this.options.backoff);
    this.#setState(change);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#open();
    }, delay);
  }

  /** Forgets the socket: handlers off, timers off, pending requests rejected with `error`. */
  #detach(error: TandemError): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) {
      socket.onopen = null;
      socket.onmessage = null;
      socket.onclose = null;
      socket.onerror = () => {};
    }
    this.#stopPings();
    this.#pacer?.stop();
    this.#pacer = undefined;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }

  #fail(error: Error, code?: number): void {
    this.#closing = true;
    this.#fatal = error;
    const socket = this.#socket;
    this.#detach(new TandemError(ErrorCodes.closed, error.message));
    try {
      socket?.close(1000, "giving up");
    } catch {
      // already closing
    }
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    this.#setState({ state: "closed", code, error });
    this.#rejectWaiters(error);
  }

  #rejectWaiters(error: Error): void {
    const waiters = this.#openWaiters;
    this.#openWaiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  #closedError(): Error {
    return this.#fatal ?? new TandemError(ErrorCodes.closed, "the client is closed");
  }

  #setState(change: StateChange): void {
    const changed = change.state !== this.#state;
    this.#state = change.state;
    if (change.state === "closed") {
      if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = undefined;
      this.#rejectWaiters(this.#closedError());
    }
    if (!changed && change.state !== "reconnecting") return;
    for (const listener of [...this.#stateListeners]) {
      try {
        listener(change);
      } catch (error) {
        this.reportError(asError(error));
      }
    }
  }
}
