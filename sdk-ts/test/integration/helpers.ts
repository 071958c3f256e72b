/**
 * What the integration tests share: tokens minted with the test hub's secret, a client
 * factory, and a "network" — a WebSocket wrapper whose sockets a test can kill (a TCP
 * teardown, close code 1006, exactly what a dropped network looks like) or whose incoming
 * frames it can swallow (a reply lost on the way back).
 */
import { createHmac, randomUUID } from "node:crypto";
import { inject } from "vitest";
import WS from "ws";
import { connect, type ConnectOptions, type TandemClient, type WebSocketLike } from "../../src/index.js";

export const hubUrl = (): string => inject("hubUrl");

export function token(subject: string, options: { ttlSeconds?: number; scopes?: unknown[]; roles?: string[] } = {}): string {
  const secret = inject("jwtSecret");
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: subject,
    roles: options.roles ?? ["agent"],
    scopes: options.scopes ?? [{ prefix: "", actions: ["read", "append", "admin"] }],
    iat: now,
    exp: now + (options.ttlSeconds ?? 3600),
  };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode(claims)}`;
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}

/** A unique stream path for one test. */
export function streamPath(name: string): string {
  return `sdk-test/${name}-${randomUUID().slice(0, 8)}`;
}

type Interceptor = (frame: Record<string, unknown>) => "deliver" | "swallow-and-kill";

export interface Network {
  WebSocket: new (url: string) => WebSocketLike;
  /** Kills every open socket of this network (the peer sees a dropped TCP connection). */
  kill(): number;
  /** Sockets opened so far. */
  readonly opened: number;
  /** Every frame the client sent, parsed. */
  readonly sent: Array<Record<string, unknown>>;
  /** Decides about each incoming frame; the first "swallow-and-kill" drops it and kills the socket. */
  intercept(interceptor: Interceptor | undefined): void;
}

export function network(): Network {
  const open = new Set<WS>();
  const sent: Array<Record<string, unknown>> = [];
  let opened = 0;
  let interceptor: Interceptor | undefined;

  class FlakySocket implements WebSocketLike {
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: unknown }) => void) | null = null;
    onclose: ((event: { code: number; reason: string }) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    readonly #ws: WS;

    constructor(url: string) {
      const ws = new WS(url);
      this.#ws = ws;
      opened++;
      ws.onopen = (event) => {
        open.add(ws);
        this.onopen?.(event);
      };
      ws.onmessage = (event) => {
        if (interceptor && typeof event.data === "string") {
          if (interceptor(JSON.parse(event.data)) === "swallow-and-kill") {
            interceptor = undefined;
            ws.terminate();
            return;
          }
        }
        this.onmessage?.({ data: event.data });
      };
      ws.onclose = (event) => {
        open.delete(ws);
        this.onclose?.({ code: event.code, reason: event.reason });
      };
      ws.onerror = (event) => this.onerror?.(event);
    }

    get readyState(): number {
      return this.#ws.readyState;
    }

    send(data: string): void {
      sent.push(JSON.parse(data));
      this.#ws.send(data);
    }

    close(code?: number, reason?: string): void {
      this.#ws.close(code, reason);
    }
  }

  return {
    WebSocket: FlakySocket,
    kill() {
      const sockets = [...open];
      for (const ws of sockets) ws.terminate();
      return sockets.length;
    },
    get opened() {
      return opened;
    },
    sent,
    intercept(next) {
      interceptor = next;
    },
  };
}

const clients: TandemClient[] = [];

/** A client for `subject` (role `agent` unless `roles` says otherwise), closed by closeClients(). */
export function client(subject: string, options: Partial<ConnectOptions> & { roles?: string[]; scopes?: unknown[] } = {}): TandemClient {
  const { roles, scopes, ...rest } = options;
  const c = connect({
    url: hubUrl(),
    token: token(subject, { roles, scopes }),
    WebSocket: WS as unknown as ConnectOptions["WebSocket"],
    backoff: { initialDelayMs: 50, maxDelayMs: 1000 },
    ...rest,
  });
  clients.push(c);
  return c;
}

export function closeClients(): void {
  for (const c of clients.splice(0)) c.close();
}

export async function eventually(check: () => boolean | void, timeoutMs = 20_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (check() !== false) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
