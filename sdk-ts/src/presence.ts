/**
 * Presence on one stream: this participant's own state (join, update, leave — re-sent after
 * every reconnect, since the hub forgets a connection's presence when it drops) and the set
 * of who is present, kept from the hub's snapshot and diffs.
 *
 * The hub sends presence only to subscribers of the stream, so observing presence needs a
 * subscription; the channel opens a quiet one (from `now`) when there is none.
 */
import { asError } from "./errors.js";
import type { HubSocket, Frame } from "./hub-socket.js";
import type { PresenceMember, PresenceObserver } from "./types.js";

/** After `subscribed`, how long to wait for a snapshot before taking "nobody is here". */
const SNAPSHOT_WAIT_MS = 150;

export interface PresenceHooks {
  /** The first observer arrived: make sure the stream is subscribed. */
  watch(): void;
  /** The last observer left. */
  unwatch(): void;
}

export class Presence {
  readonly stream: string;
  readonly #connection: HubSocket;
  readonly #hooks: PresenceHooks;
  #state: Record<string, unknown> | undefined;
  #members = new Map<string, PresenceMember>();
  #observers = new Set<PresenceObserver>();
  #snapshotTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(connection: HubSocket, stream: string, hooks: PresenceHooks) {
    this.#connection = connection;
    this.stream = stream;
    this.#hooks = hooks;
    connection.onStreamFrame(stream, (frame) => {
      if (frame.type === "presence") this.#onFrame(frame);
    });
    connection.onOpen(() => {
      if (this.#state !== undefined) this.#send(this.#state);
    });
  }

  /** Who is present now, as last heard. */
  get current(): PresenceMember[] {
    return [...this.#members.values()];
  }

  /** This participant's own state, when joined. */
  get state(): Record<string, unknown> | undefined {
    return this.#state;
  }

  /** Joins the stream's presence with `state` (kept across reconnects). */
  async join(state: Record<string, unknown> = {}): Promise<void> {
    this.#state = state;
    await this.#connection.request({ type: "presence", stream: this.stream, state }, { retry: true });
  }

  /** Replaces this participant's state (joins if not yet present). */
  update(state: Record<string, unknown>): Promise<void> {
    return this.join(state);
  }

  /** Leaves the stream's presence. */
  async leave(): Promise<void> {
    if (this.#state === undefined) return;
    this.#state = undefined;
    if (this.#connection.state !== "open") return; // the hub already forgot this connection's presence
    await this.#connection.request({ type: "presence.leave", stream: this.stream });
  }

  /** Calls `observer` with the full set now and on every change. Returns a function that stops it. */
  onPresence(observer: PresenceObserver): () => void {
    this.#observers.add(observer);
    if (this.#observers.size === 1) this.#hooks.watch();
    this.#notifyOne(observer);
    return () => {
      if (this.#observers.delete(observer) && this.#observers.size === 0) this.#hooks.unwatch();
    };
  }

  /** @internal */
  get observed(): boolean {
    return this.#observers.size > 0;
  }

  /** @internal The stream was (re)subscribed: a snapshot follows, or nobody is present. */
  expectSnapshot(): void {
    if (this.#snapshotTimer !== undefined) clearTimeout(this.#snapshotTimer);
    this.#snapshotTimer = setTimeout(() => {
      this.#snapshotTimer = undefined;
      if (this.#members.size > 0) {
        this.#members.clear();
        this.#notify();
      }
    }, SNAPSHOT_WAIT_MS);
  }

  #send(state: Record<string, unknown>): void {
    this.#connection.request({ type: "presence", stream: this.stream, state }).catch((error) => {
      if (error?.code !== "disconnected") this.#connection.reportError(asError(error));
    });
  }

  #onFrame(frame: Frame): void {
    if (Array.isArray(frame.present)) {
      if (this.#snapshotTimer !== undefined) clearTimeout(this.#snapshotTimer);
      this.#snapshotTimer = undefined;
      this.#members.clear();
      for (const member of frame.present as PresenceMember[]) this.#members.set(member.participant, member);
    }
    for (const member of [...((frame.joined as PresenceMember[]) ?? []), ...((frame.updated as PresenceMember[]) ?? [])]) {
      this.#members.set(member.participant, member);
    }
    for (const participant of (frame.left as string[]) ?? []) this.#members.delete(participant);
    this.#notify();
  }

  #notify(): void {
    for (const observer of [...this.#observers]) this.#notifyOne(observer);
  }

  #notifyOne(observer: PresenceObserver): void {
    try {
      observer(this.current);
    } catch (error) {
      this.#connection.reportError(asError(error));
    }
  }
}
