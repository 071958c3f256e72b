import { afterEach, describe, expect, it } from "vitest";
import { TandemError, type PresenceMember, type StreamEvent } from "../../src/index.js";
import { client, closeClients, eventually, hubUrl, network, streamPath, token } from "./helpers.js";

afterEach(() => closeClients());

describe("subscribe and append over WebSocket", () => {
  it("round-trips events in order with their offsets", async () => {
    const alice = client("alice");
    const stream = alice.stream(streamPath("roundtrip"));
    expect(await stream.create()).toEqual({ created: true, next: "0000000000000000_0000000000000000" });
    const seen: StreamEvent[] = [];
    const sub = stream.subscribe({ from: "beginning" }, (event) => {
      seen.push(event);
    });
    const info = await sub.ready;
    expect(info.from).toBe("0000000000000000_0000000000000000");
    expect(info.contentType).toBe("application/json");

    const one = await stream.append({ type: "message", text: "hi" });
    expect(one).toEqual({ first: "0000000000000000_0000000000000000", next: "0000000000000001_0000000000000000", duplicate: false, closed: false });
    const two = await stream.append([{ n: 1 }, { n: 2 }]);
    expect(two.first).toBe("0000000000000001_0000000000000000");
    expect(two.next).toBe("0000000000000003_0000000000000000");

    await eventually(() => seen.length === 3, 10_000, "three events");
    // `by` is the hub's word for who appended: alice's token subject, not anything in the data
    expect(seen).toEqual([
      { offset: "0000000000000000_0000000000000000", data: { type: "message", text: "hi" }, by: "alice" },
      { offset: "0000000000000001_0000000000000000", data: { n: 1 }, by: "alice" },
      { offset: "0000000000000002_0000000000000000", data: { n: 2 }, by: "alice" },
    ]);
    expect(sub.next).toBe("0000000000000003_0000000000000000");
  });

  it("delivers appends from another participant, and only new ones from 'now'", async () => {
    const path = streamPath("now");
    const alice = client("alice");
    const bob = client("bob");
    await alice.stream(path).create();
    await alice.stream(path).append([{ old: 1 }, { old: 2 }]);
    const seen: unknown[] = [];
    const sub = bob.stream(path).subscribe({ from: "now" }, (event) => {
      seen.push(event.data);
    });
    await sub.ready;
    await alice.stream(path).append({ fresh: true });
    await eventually(() => seen.length === 1, 10_000, "the fresh event");
    expect(seen).toEqual([{ fresh: true }]);
  });

  it("awaits an async handler before handing it the next event", async () => {
    const path = streamPath("async-handler");
    const alice = client("alice");
    const stream = alice.stream(path);
    await stream.create();
    let inside = 0;
    let maxInside = 0;
    const seen: number[] = [];
    stream.subscribe(async (event: StreamEvent<{ i: number }>) => {
      inside++;
      maxInside = Math.max(maxInside, inside);
      await new Promise((r) => setTimeout(r, 2));
      seen.push(event.data.i);
      inside--;
    });
    await stream.append(Array.from({ length: 20 }, (_, i) => ({ i })));
    await eventually(() => seen.length === 20, 10_000, "20 events");
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(maxInside).toBe(1);
  });

  it("ends the subscription when the stream is closed", async () => {
    const alice = client("alice");
    const stream = alice.stream(streamPath("closing"));
    await stream.create();
    let closedAt: string | undefined;
    const sub = stream.subscribe({ onClosed: (next) => (closedAt = next) }, () => {});
    await stream.append({ last: true });
    const closed = await stream.close();
    expect(closed.closed).toBe(true);
    expect(await sub.done).toEqual({ reason: "closed", next: "0000000000000001_0000000000000000" });
    expect(closedAt).toBe("0000000000000001_0000000000000000");

    const refused = await stream.append({ late: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TandemError);
    expect(refused).toMatchObject({ code: "stream_closed", status: 409 });
    // the producer closed the gap the refused batch left: the handle keeps working
    expect((await stream.head()).closed).toBe(true);
  });

  it("refuses a subscription to a missing stream with the hub's error", async () => {
    const alice = client("alice");
    const sub = alice.stream(streamPath("missing")).subscribe(() => {});
    const error = await sub.ready.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TandemError);
    expect(error).toMatchObject({ code: "not_found", status: 404 });
    expect(await sub.done).toMatchObject({ reason: "error" });
  });

  it("allows one subscription per stream and client", async () => {
    const alice = client("alice");
    const path = streamPath("twice");
    await alice.stream(path).create();
    const first = alice.stream(path).subscribe(() => {});
    expect(() => alice.stream(path).subscribe(() => {})).toThrow(expect.objectContaining({ code: "already_subscribed" }));
    await first.unsubscribe();
    const again = alice.stream(path).subscribe(() => {});
    await again.ready;
  });
});

describe("cursors", () => {
  it("resumes from the acknowledged offset with from: 'cursor'", async () => {
    const path = streamPath("cursor");
    const first = client("carol");
    const stream = first.stream(path);
    await stream.create();
    await stream.append([{ i: 0 }, { i: 1 }, { i: 2 }]);
    const seen: StreamEvent[] = [];
    stream.subscribe({ from: "cursor" }, (event) => {
      seen.push(event);
    });
    await eventually(() => seen.length === 3);
    expect(await stream.ack(seen[1]!)).toBe("0000000000000002_0000000000000000");
    // cursors only move forward
    expect(await stream.ack("0000000000000001_0000000000000000")).toBe("0000000000000002_0000000000000000");
    first.close();

    const second = client("carol");
    const resumed: unknown[] = [];
    second.stream(path).subscribe({ from: "cursor" }, (event) => {
      resumed.push(event.data);
    });
    await eventually(() => resumed.length === 1);
    expect(resumed).toEqual([{ i: 2 }]);
    expect((await second.stream(path).read({ from: "cursor" })).events.map((e) => e.data)).toEqual([{ i: 2 }]);
  });
});

describe("presence", () => {
  it("shows who is present, with their state, as they join, update and leave", async () => {
    const path = streamPath("presence");
    const alice = client("alice", { kind: "human" });
    const bot = client("bot-1", { kind: "agent" });
    await alice.stream(path).create();
    let present: PresenceMember[] = [];
    alice.stream(path).presence.onPresence((members) => (present = members));

    await bot.stream(path).presence.join({ step: "thinking" });
    await eventually(() => present.length === 1, 10_000, "bot present");
    expect(present).toEqual([{ participant: "bot-1", kind: "agent", state: { step: "thinking" } }]);

    await bot.stream(path).presence.update({ step: "writing" });
    await eventually(() => present[0]?.state.step === "writing", 10_000, "bot updated");

    await bot.stream(path).presence.leave();
    await eventually(() => present.length === 0, 10_000, "bot left");
  });

  it("rejoins after a reconnect", async () => {
    const path = streamPath("presence-rejoin");
    const net = network();
    const alice = client("alice");
    const bot = client("bot-2", { kind: "agent", WebSocket: net.WebSocket });
    await alice.stream(path).create();
    let present: PresenceMember[] = [];
    alice.stream(path).presence.onPresence((members) => (present = members));
    await bot.stream(path).presence.join({ busy: true });
    await eventually(() => present.length === 1, 10_000, "bot present");
    net.kill();
    await eventually(() => present.length === 0, 10_000, "bot gone with its socket");
    await eventually(() => present.length === 1, 10_000, "bot back after reconnect");
    expect(present[0]).toMatchObject({ participant: "bot-2", state: { busy: true } });
  });
});

describe("HTTP", () => {
  it("reads stored events with offsets, from an offset, and with a limit", async () => {
    const alice = client("alice");
    const stream = alice.stream(streamPath("read"));
    await stream.create({ contentType: "application/json" });
    await stream.append(Array.from({ length: 5 }, (_, i) => ({ i })));

    const all = await stream.read();
    expect(all.upToDate).toBe(true);
    expect(all.next).toBe("0000000000000005_0000000000000000");
    expect(all.events.map((e) => e.offset)).toEqual([0, 1, 2, 3, 4].map((i) => `000000000000000${i}_0000000000000000`));
    expect(all.events.map((e) => e.data)).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));

    const tail = await stream.read({ from: "0000000000000003_0000000000000000" });
    expect(tail.events.map((e) => e.data)).toEqual([{ i: 3 }, { i: 4 }]);

    const page = await stream.read({ limit: 2 });
    expect(page.events.map((e) => e.data)).toEqual([{ i: 0 }, { i: 1 }]);
    expect(page.next).toBe("0000000000000002_0000000000000000");
    expect(page.upToDate).toBe(false);

    const now = await stream.read({ from: "now" });
    expect(now.events).toEqual([]);
    expect(now.next).toBe("0000000000000005_0000000000000000");
  });

  it("creates idempotently and reports the stream with HEAD", async () => {
    const alice = client("alice");
    const stream = alice.stream(streamPath("create"));
    expect((await stream.create()).created).toBe(true);
    expect((await stream.create()).created).toBe(false);
    expect(await stream.head()).toEqual({ contentType: "application/json", next: "0000000000000000_0000000000000000", closed: false });
  });

  it("turns the hub's error body into a TandemError", async () => {
    const alice = client("alice");
    const error = await alice.stream(streamPath("nothing")).read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TandemError);
    expect(error).toMatchObject({ code: "not_found", status: 404 });
    expect((error as TandemError).message).toMatch(/no stream/);
  });

  it("deletes a stream and tells its subscribers", async () => {
    const alice = client("alice");
    const stream = alice.stream(streamPath("delete"));
    await stream.create();
    const sub = stream.subscribe(() => {});
    await sub.ready;
    await stream.delete();
    expect(await sub.done).toEqual({ reason: "deleted" });
  });
});

describe("authentication", () => {
  it("gives up with the hub's error when the token is refused and there is no getToken", async () => {
    const mallory = client("mallory", { token: "not-a-jwt" });
    const error = await mallory.ready().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TandemError);
    expect(error).toMatchObject({ code: "invalid_token", status: 401 });
    expect(mallory.state).toBe("closed");
  });

  it("asks getToken for a token on every connect", async () => {
    let calls = 0;
    const net = network();
    const dave = client("dave", {
      token: undefined,
      WebSocket: net.WebSocket,
      getToken: () => {
        calls++;
        return calls === 1 ? "expired-or-bad" : token("dave");
      },
    });
    await dave.ready();
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(dave.welcome?.participant).toBe("dave");
    const before = calls;
    net.kill();
    await eventually(() => dave.state === "open" && calls > before, 10_000, "reconnect with a fresh token");
  });

  it("refuses what the token's scopes do not allow", async () => {
    const path = streamPath("scoped");
    await client("alice").stream(path).create();
    const reader = client("reader", { token: token("reader", { scopes: [{ prefix: "sdk-test/", actions: ["read"] }] }) });
    const error = await reader.stream(path).append({ nope: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "forbidden", status: 403 });
    expect(hubUrl()).toMatch(/^http/);
  });
});
