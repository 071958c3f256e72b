/**
 * The app's one live connection: an SDK client (one WebSocket for every subscription, append,
 * ack and presence) created at sign-in and closed at sign-out, and its state for the
 * connection indicator. The browser's online/offline events feed the indicator too, and a
 * return online reconnects at once instead of waiting for the next backoff step.
 */
import { connect, type ConnectionState, type TandemClient } from "@tandem/sdk";
import { participantKind, type Auth } from "./auth.js";

export type Connectivity = ConnectionState | "offline";

type Listener = () => void;

export class Hub {
  readonly client: TandemClient;
  readonly auth: Auth;
  #state: Connectivity;
  #lastError: string | undefined;
  #reconnects = 0;
  #listeners = new Set<Listener>();
  #errorListeners = new Set<(message: string) => void>();
  #disposers: Array<() => void> = [];

  constructor(auth: Auth) {
    this.auth = auth;
    this.client = connect({ url: auth.hub, token: auth.token, kind: participantKind(auth.claims) });
    this.#state = navigator.onLine === false ? "offline" : this.client.state;
    this.#disposers.push(
      this.client.onStateChange((change) => {
        if (change.state === "reconnecting" && this.#state === "open") this.#reconnects++;
        this.#lastError = change.error?.message ?? (change.code && change.code !== 1000 ? `closed with code ${change.code}` : undefined);
        this.#set(navigator.onLine === false && change.state !== "open" ? "offline" : change.state);
      }),
      // Errors no call waits for (a handler that threw, an unrequested error frame): shown, not logged.
      this.client.onError((error) => {
        for (const listener of this.#errorListeners) listener(error.message);
      }),
    );
    const offline = () => this.#set("offline");
    const online = () => {
      this.#set(this.client.state);
      if (this.client.state !== "open" && this.client.state !== "closed") this.client.reconnect();
    };
    window.addEventListener("offline", offline);
    window.addEventListener("online", online);
    this.#disposers.push(() => window.removeEventListener("offline", offline), () => window.removeEventListener("online", online));
  }

  get state(): Connectivity {
    return this.#state;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** How many times the connection dropped and came back (or is coming back). */
  get reconnects(): number {
    return this.#reconnects;
  }

  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onError(listener: (message: string) => void): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  close(): void {
    for (const dispose of this.#disposers) dispose();
    this.#disposers = [];
    this.client.close();
  }

  #set(state: Connectivity): void {
    if (state === this.#state) {
      for (const listener of this.#listeners) listener();
      return;
    }
    this.#state = state;
    for (const listener of this.#listeners) listener();
  }
}
