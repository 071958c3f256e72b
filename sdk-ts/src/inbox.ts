/**
 * The participant's inbox (docs/websocket.md "Inbox"): the streams it follows, with unread
 * counts, most recent activity first; read once, or followed as it changes.
 */
import { invalidArgument } from "./errors.js";
import { closedSignal, followChanges, linkSignals, pollSeconds } from "./follow.js";
import type { HttpApi } from "./http.js";
import type { HubSocket } from "./hub-socket.js";
import type { InboxEntry, InboxOptions, WatchInboxOptions } from "./types.js";

/** `client.inbox`. */
export class Inbox {
  readonly #socket: HubSocket;
  readonly #http: HttpApi;
  readonly #closed: AbortSignal;

  /** Not constructed directly: use `client.inbox`. */
  constructor(socket: HubSocket, http: HttpApi) {
    this.#socket = socket;
    this.#http = http;
    this.#closed = closedSignal(socket).signal; // for the client's lifetime
  }

  /** The streams this participant follows, most recent activity first (`GET /v1/inbox`). */
  async get(options: InboxOptions = {}): Promise<InboxEntry[]> {
    const body = await this.#http.json<{ streams: InboxEntry[] }>("GET", `/v1/inbox?${inboxQuery(options)}`);
    return body.streams;
  }

  /**
   * The inbox now, then again each time it changes: an event on a followed stream, a cursor
   * moved (from any device), a stream newly followed. An async iterable:
   * `for await (const streams of client.inbox.watch()) show(streams)`.
   *
   * Long-polls with the inbox's `ETag`; network failures and 5xx are retried with the
   * client's backoff. `break` ends it; so do `signal` and closing the client, by throwing
   * `aborted` / `closed`.
   */
  async *watch(options: WatchInboxOptions = {}): AsyncGenerator<InboxEntry[], void, undefined> {
    const seconds = pollSeconds(options.pollSeconds);
    const query = inboxQuery(options);
    const { signal, dispose } = linkSignals(this.#closed, options.signal);
    try {
      const inboxes = followChanges<{ streams: InboxEntry[] }>(this.#http, `${this.#http.base}/v1/inbox?${query}`,
        { what: "the inbox", pollSeconds: seconds, signal, backoff: this.#socket.options.backoff });
      for await (const body of inboxes) yield body.streams;
    } finally {
      dispose();
    }
  }
}

function inboxQuery(options: InboxOptions): URLSearchParams {
  const query = new URLSearchParams();
  if (options.limit !== undefined) {
    if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 500) throw invalidArgument("limit is a whole number from 1 to 500");
    query.set("limit", String(options.limit));
  }
  return query;
}
