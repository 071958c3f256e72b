/**
 * `connect()` and `TandemClient`: the application's entry point. The client owns one
 * {@link HubSocket} (the WebSocket, kept alive) and the HTTP API, and hands out one
 * {@link StreamHandle} per stream path and producer options.
 */
import { invalidArgument } from "./errors.js";
import { Approvals } from "./approvals.js";
import { HttpApi } from "./http.js";
import { Inbox } from "./inbox.js";
import { Channel } from "./channel.js";
import { HubSocket } from "./hub-socket.js";
import { StreamHandle, type ClientContext } from "./stream.js";
import type { ConnectOptions, ConnectionState, StateChange, StreamOptions, Welcome } from "./types.js";

export { PROTOCOL_VERSION } from "./hub-socket.js";

/**
 * A live connection to a Tandem hub: one WebSocket for subscriptions, appends, cursors and
 * presence, plus the HTTP API for reads and stream creation. Create it with {@link connect}.
 */
export class TandemClient {
  readonly #socket: HubSocket;
  readonly #http: HttpApi;
  readonly #channels = new Map<string, Channel>();
  readonly #handles = new Map<string, StreamHandle>();
  readonly #context: ClientContext;
  /** Approvals: read, list (a manager's inbox), approve, reject, cancel, attach by id. */
  readonly approvals: Approvals;
  /** The streams this participant follows, with unread counts: read once, or watched as they change. */
  readonly inbox: Inbox;

  constructor(options: ConnectOptions) {
    const fetchImpl = options.fetch ?? (globalThis.fetch ? (...args: Parameters<typeof fetch>) => globalThis.fetch(...args) : undefined);
    if (!fetchImpl) throw invalidArgument("no global fetch here: pass connect({ fetch })");
    this.#socket = new HubSocket(options);
    this.#http = new HttpApi(this.#socket.urls.http, fetchImpl, () => this.#socket.token(), options.participant);
    this.approvals = new Approvals(this.#socket, this.#http);
    this.inbox = new Inbox(this.#socket, this.#http);
    this.#context = { socket: this.#socket, http: this.#http, approvals: this.approvals, stream: (path) => this.stream(path) };
  }

  /** `connecting`, `open`, `reconnecting` or `closed`. */
  get state(): ConnectionState {
    return this.#socket.state;
  }

  /** The hub's `welcome` on the current (or last) connection: participant, limits, heartbeat. */
  get welcome(): Welcome | undefined {
    return this.#socket.welcome;
  }

  /** The hub's HTTP base URL. */
  get httpUrl(): string {
    return this.#socket.urls.http;
  }

  /** Calls `listener` on every state change (and on each failed reconnect attempt). Returns an unsubscribe function. */
  onStateChange(listener: (change: StateChange) => void): () => void {
    return this.#socket.onStateChange(listener);
  }

  /** Errors no call is waiting for: error frames without a request, throwing handlers. Default: console.error. */
  onError(listener: (error: Error) => void): () => void {
    return this.#socket.onError(listener);
  }

  /** Resolves when the connection is open; rejects if the client is (or gets) closed. */
  ready(): Promise<void> {
    return this.#socket.ready();
  }

  /**
   * The handle on the stream at `path` (`sessions/42`). The same path and producer options
   * give the same handle (and so the same producer); a different `producerId` gives another.
   */
  stream(path: string, options: StreamOptions = {}): StreamHandle {
    if (typeof path !== "string" || path === "" || path.startsWith("/")) {
      throw invalidArgument(`stream path '${path}' must be a non-empty relative path like 'sessions/42'`);
    }
    const key = JSON.stringify([path, options.producerId ?? null, options.epoch ?? null]);
    let handle = this.#handles.get(key);
    if (!handle) {
      let channel = this.#channels.get(path);
      if (!channel) this.#channels.set(path, (channel = new Channel(this.#socket, path)));
      handle = new StreamHandle(this.#context, channel, path, options);
      this.#handles.set(key, handle);
    }
    return handle;
  }

  /** Round trip to the hub in milliseconds. */
  async ping(): Promise<number> {
    const started = Date.now();
    await this.#socket.request({ type: "ping" });
    return Date.now() - started;
  }

  /** Drops the socket and reconnects at once (after a network change, say); nothing is lost. */
  reconnect(): void {
    this.#socket.reconnect();
  }

  /** Closes the connection for good. Pending calls fail with code `closed`. */
  close(): void {
    this.#socket.close();
  }
}

/**
 * Connects to a hub. Returns at once; calls made before the connection is open wait for it.
 *
 * ```ts
 * const client = connect({ url: "http://127.0.0.1:4437", participant: "alice" });
 * ```
 */
export function connect(options: ConnectOptions): TandemClient {
  return new TandemClient(options);
}
