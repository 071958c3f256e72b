/**
 * The connection and producer state machines against a scripted in-memory hub: close codes,
 * token refresh, timeouts, and the idempotent producer's sequence numbers across drops.
 */
import { afterEach, describe, expect, it } from "vitest";
import { connect, type TandemClient } from "./connection.js";
import { TandemError } from "./errors.js";
import type { ConnectOptions, ConnectionState, WebSocketLike } from "./types.js";

type Frame = Record<string, any>;

class FakeHub {
  sockets: FakeSocket[] = [];
  /** (producer id, epoch) -> last seq, like the real hub. */
  producers = new Map<string, number>();
  tail = 0;
  appends: Frame[] = [];
  /** Override per test; return true when handled. */
  intercept: (socket: FakeSocket, frame: Frame) => boolean = () => false;

  get current(): FakeSocket {
    return this.sockets[this.sockets.length - 1]!;
  }

  handle(socket: FakeSocket, frame: Frame): void {
    if (this.intercept(socket, frame)) return;
    const reply = (f: Frame) => socket.serverSend({ ...f, re: frame.id });
    switch (frame.type) {
      case "hello":
        reply({ type: "welcome", v: 1, participant: frame.participant ?? "tok", connection: "c-1", heartbeatMs: 15000,
          limits: { maxFrameBytes: 4096, maxSubscriptions: 10, maxMessagesPerSecond: 100000, sendQueueBytes: 1 << 20 } });
        return;
      case "ping":
        reply({ type: "pong" });
        return;
      case "append": {
        this.appends.push(frame);
        const key = `${frame.producer.id}/${frame.producer.epoch}`;
        const last = this.producers.get(key) ?? -1;
        const offset = (n: number) => `${String(n).padStart(16, "0")}_0000000000000000`;
        if (frame.producer.seq <= last) {
          reply({ type: "appended", stream: frame.stream, first: offset(this.tail), next: offset(this.tail), duplicate: true, closed: false });
        } else if (frame.producer.seq !== last + 1) {
          reply({ type: "error", code: "producer_seq_gap", status: 409, message: "gap", producerExpectedSeq: String(last + 1) });
        } else {
          this.producers.set(key, frame.producer.seq);
          const first = this.tail;
          this.tail += frame.events.length;
          reply({ type: "appended", stream: frame.stream, first: offset(first), next: offset(this.tail), duplicate: false, closed: false });
        }
        return;
      }
      default:
        reply({ type: "error", code: "unknown_type", status: 400, message: "?" });
    }
  }
}

let hub: FakeHub;

class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  sent: Frame[] = [];
  /** Replies are lost (the hub processed the frame, the answer never arrives). */
  muted = false;
  readonly url: string;

  constructor(url: string) {
    this.url = url;
    hub.sockets.push(this);
    setTimeout(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.onopen?.({});
    }, 1);
  }

  send(text: string): void {
    if (this.readyState !== 1) throw new Error("not open");
    const frame = JSON.parse(text) as Frame;
    this.sent.push(frame);
    setTimeout(() => this.readyState === 1 && hub.handle(this, frame), 1);
  }

  close(code = 1000, reason = ""): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    setTimeout(() => this.onclose?.({ code, reason }), 1);
  }

  serverSend(frame: Frame): void {
    if (this.readyState === 1 && !this.muted) this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** The hub closes the connection with `code`. */
  serverClose(code: number, reason = ""): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    setTimeout(() => this.onclose?.({ code, reason }), 1);
  }
}

const clients: TandemClient[] = [];
function fakeClient(options: Partial<ConnectOptions> = {}): TandemClient {
  hub ??= new FakeHub();
  const client = connect({
    url: "http://hub.test:4437",
    participant: "alice",
    WebSocket: FakeSocket,
    backoff: { initialDelayMs: 10, maxDelayMs: 40 },
    fetch: (() => Promise.reject(new Error("no HTTP in unit tests"))) as typeof fetch,
    ...options,
  });
  clients.push(client);
  return client;
}

async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  hub = new FakeHub();
});
hub = new FakeHub();

describe("connection", () => {
  it("says hello with the protocol version, participant and kind, and opens on welcome", async () => {
    const client = fakeClient({ kind: "agent" });
    const states: ConnectionState[] = [];
    client.onStateChange((c) => states.push(c.state));
    expect(client.state).toBe("connecting");
    await client.ready();
    expect(hub.current.url).toBe("ws://hub.test:4437/v1/ws");
    expect(hub.current.sent[0]).toMatchObject({ type: "hello", v: 1, participant: "alice", kind: "agent" });
    expect(client.welcome?.participant).toBe("alice");
    client.close();
    expect(states).toEqual(["open", "closed"]);
  });

  it("needs a participant or a token", () => {
    expect(() => connect({ url: "http://x", WebSocket: FakeSocket })).toThrow(TandemError);
  });

  it("reconnects at once after 4000, 1001 and 4003, and with backoff after a network drop", async () => {
    const client = fakeClient();
    await client.ready();
    for (const code of [4000, 1001, 4003, 1006]) {
      const before = hub.sockets.length;
      hub.current.serverClose(code);
      await until(() => client.state === "reconnecting", `reconnecting after ${code}`);
      await until(() => client.state === "open" && hub.sockets.length === before + 1, `open after ${code}`);
    }
  });

  it("gives up on 4002 with unsupported_version", async () => {
    const client = fakeClient();
    await client.ready();
    let last: { state: ConnectionState; error?: Error } | undefined;
    client.onStateChange((c) => (last = c));
    hub.current.serverClose(4002, "unsupported protocol version");
    await until(() => client.state === "closed", "closed");
    expect(last?.error).toMatchObject({ code: "unsupported_version" });
    await expect(client.ready()).rejects.toMatchObject({ code: "unsupported_version" });
  });

  it("on 4001 calls getToken again and reconnects; without getToken it gives up", async () => {
    let calls = 0;
    const refreshing = fakeClient({ participant: undefined, getToken: () => `token-${++calls}` });
    await refreshing.ready();
    expect(hub.current.sent[0]!.token).toBe("token-1");
    hub.current.serverClose(4001, "token expired");
    await until(() => refreshing.state === "open" && calls === 2, "reconnected with a new token");
    expect(hub.current.sent[0]!.token).toBe("token-2");

    const fixed = fakeClient({ participant: undefined, token: "static" });
    await fixed.ready();
    hub.current.serverClose(4001, "token expired");
    await until(() => fixed.state === "closed", "closed");
    await expect(fixed.ready()).rejects.toMatchObject({ code: "unauthorized", status: 401 });
  });

  it("gives up when the hub refuses the hello", async () => {
    hub.intercept = (socket, frame) => {
      if (frame.type !== "hello") return false;
      socket.serverSend({ type: "error", re: frame.id, code: "invalid_frame", status: 400, message: "participant must be 1 to 128 characters" });
      return true;
    };
    const client = fakeClient();
    await expect(client.ready()).rejects.toMatchObject({ code: "invalid_frame", status: 400 });
    expect(client.state).toBe("closed");
  });

  it("fails a request with no reply with timeout, and refuses oversized frames before sending", async () => {
    hub.intercept = (_socket, frame) => frame.type === "ping";
    const client = fakeClient({ requestTimeoutMs: 50 });
    await client.ready();
    await expect(client.ping()).rejects.toMatchObject({ code: "timeout" });
    hub.intercept = () => false;
    const big = client.stream("s").append({ blob: "x".repeat(5000) });
    await expect(big).rejects.toMatchObject({ code: "frame_too_large", status: 413 });
  });

  it("reconnects when nothing is heard from the hub", async () => {
    hub.intercept = (_socket, frame) => frame.type === "ping"; // pings vanish
    const client = fakeClient({ pingIntervalMs: 50 });
    await client.ready();
    const first = hub.current;
    await until(() => hub.current !== first, "a new socket", 4000);
  });

  it("closes for good on close(); calls made afterwards fail with closed", async () => {
    const client = fakeClient();
    await client.ready();
    client.close();
    expect(client.state).toBe("closed");
    await expect(client.stream("s").append({ a: 1 })).rejects.toMatchObject({ code: "closed" });
    await expect(client.ready()).rejects.toMatchObject({ code: "closed" });
  });
});

describe("idempotent producer", () => {
  it("numbers batches 0, 1, 2 with a stable producer id and epoch", async () => {
    const client = fakeClient();
    const stream = client.stream("s", { producerId: "agent-7", epoch: 3 });
    await Promise.all([stream.append({ a: 1 }), stream.append([{ b: 1 }, { b: 2 }]), stream.append({ c: 1 })]);
    expect(hub.appends.map((f) => f.producer)).toEqual([0, 1, 2].map((seq) => ({ id: "agent-7", epoch: 3, seq })));
    expect(client.stream("s").producerId).toMatch(/^p-/);
    expect(client.stream("s")).toBe(client.stream("s")); // one handle, one producer per path and options
    expect(client.stream("s", { producerId: "other" }).producerId).toBe("other");
    expect(client.stream("t").producerId).not.toBe(client.stream("s").producerId);
  });

  it("resends a batch whose reply was lost with the SAME seq after the reconnect", async () => {
    const client = fakeClient();
    const stream = client.stream("s", { producerId: "p" });
    await stream.append({ first: true });
    let dropped = false;
    hub.intercept = (socket, frame) => {
      if (frame.type !== "append" || dropped) return false;
      dropped = true;
      hub.intercept = () => false;
      socket.muted = true;
      hub.handle(socket, frame); // stored ...
      socket.serverClose(1006); // ... but the reply is lost with the socket
      return true;
    };
    const retried = stream.append({ second: true });
    const third = stream.append({ third: true });
    expect(await retried).toMatchObject({ duplicate: true });
    expect(await third).toMatchObject({ duplicate: false });
    const seqs = hub.appends.map((f) => f.producer.seq);
    expect(seqs.filter((s) => s === 1).length).toBeGreaterThanOrEqual(2); // seq 1 sent twice
    expect(hub.tail).toBe(3); // but stored once
  });

  it("queues appends while disconnected and sends them in order once open", async () => {
    const client = fakeClient({ backoff: { initialDelayMs: 100, maxDelayMs: 100 } });
    const stream = client.stream("s", { producerId: "q" });
    await client.ready();
    hub.current.serverClose(1006);
    await until(() => client.state === "reconnecting", "reconnecting");
    const results = await Promise.all([1, 2, 3].map((n) => stream.append({ n })));
    expect(results.map((r) => r.duplicate)).toEqual([false, false, false]);
    expect(hub.appends.map((f) => f.events[0].n)).toEqual([1, 2, 3]);
  });

  it("fails a refused batch and lets the next one take its seq", async () => {
    const client = fakeClient();
    const stream = client.stream("s", { producerId: "r" });
    hub.intercept = (socket, frame) => {
      if (frame.type !== "append" || !frame.events[0]?.bad) return false;
      socket.serverSend({ type: "error", re: frame.id, code: "content_type_mismatch", status: 409, message: "no" });
      return true;
    };
    const bad = stream.append({ bad: true });
    const good = stream.append({ good: true });
    await expect(bad).rejects.toMatchObject({ code: "content_type_mismatch", status: 409 });
    expect(await good).toMatchObject({ duplicate: false, first: "0000000000000000_0000000000000000" });
    const goodFrames = hub.appends.filter((f) => f.events[0]?.good);
    expect(goodFrames[goodFrames.length - 1]!.producer.seq).toBe(0);
    expect(await stream.append({ next: true })).toMatchObject({ first: "0000000000000001_0000000000000000" });
  });

  it("retries after a retryable refusal (503) with the same seq", async () => {
    const client = fakeClient();
    const stream = client.stream("s", { producerId: "u" });
    let refusals = 0;
    hub.intercept = (socket, frame) => {
      if (frame.type !== "append" || refusals >= 2) return false;
      refusals++;
      socket.serverSend({ type: "error", re: frame.id, code: "unavailable", status: 503, message: "db down" });
      return true;
    };
    expect(await stream.append({ x: 1 })).toMatchObject({ duplicate: false });
    const sent = hub.sockets.flatMap((s) => s.sent).filter((f) => f.type === "append");
    expect(sent.map((f) => f.producer.seq)).toEqual([0, 0, 0]);
  });
});
