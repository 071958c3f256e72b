import { afterEach, describe, expect, it } from "vitest";
import type { ConnectionState, StreamEvent } from "../../src/index.js";
import { client, closeClients, eventually, network, sleep, streamPath } from "./helpers.js";

afterEach(() => closeClients());

describe("reconnect and resume", () => {
  it("delivers an exact, duplicate-free sequence while its socket is killed 20 times", async () => {
    const TOTAL = 2000;
    const KILLS = 20;
    const path = streamPath("drops");
    const readerNet = network();
    const writerNet = network();
    const reader = client("reader", { WebSocket: readerNet.WebSocket });
    const writer = client("writer", { WebSocket: writerNet.WebSocket });
    const states: ConnectionState[] = [];
    reader.onStateChange((change) => states.push(change.state));
    await writer.stream(path).create();

    const seen: number[] = [];
    const offsets: string[] = [];
    const sub = reader.stream(path).subscribe({ from: "beginning" }, (event: StreamEvent<{ i: number }>) => {
      seen.push(event.data.i);
      offsets.push(event.offset);
    });
    await sub.ready;

    // The writer appends batches of 1 to 5 events, without waiting for each reply; its own
    // socket is killed a few times too, so its retries must land exactly once as well.
    const out = writer.stream(path);
    const appends: Promise<unknown>[] = [];
    let i = 0;
    const writing = (async () => {
      while (i < TOTAL) {
        const size = Math.min(TOTAL - i, 1 + (i % 5));
        appends.push(out.append(Array.from({ length: size }, (_, k) => ({ i: i + k }))));
        i += size;
        await sleep(i % 10 < 5 ? 1 : 0);
      }
    })();

    // Kill the reader's socket each time it has received another 1/21 of the stream, so
    // every kill lands mid-stream; kill the writer's socket now and then too.
    let kills = 0;
    let writerKills = 0;
    const reconnects = () => states.filter((s) => s === "reconnecting").length;
    while (kills < KILLS) {
      const threshold = Math.floor(((kills + 1) * TOTAL) / (KILLS + 1));
      await eventually(() => seen.length >= threshold && reader.state === "open", 30_000, `${threshold} events`);
      const before = reconnects();
      if (readerNet.kill() > 0) {
        kills++;
        // the client has noticed before the next kill, so no kill hits a socket already dying
        await eventually(() => reconnects() > before, 30_000, `reconnect after kill ${kills}`);
      }
      if (kills % 7 === 3 && writer.state === "open" && writerNet.kill() > 0) writerKills++;
      await sleep(Math.random() * 30);
    }
    await writing;
    await Promise.all(appends);
    await eventually(() => seen.length >= TOTAL, 60_000, `${TOTAL} events (have ${seen.length})`);
    await sleep(200); // anything after the last event would be a duplicate

    expect(kills).toBe(KILLS);
    expect(writerKills).toBeGreaterThan(0);
    expect(reconnects()).toBeGreaterThanOrEqual(KILLS);
    expect(seen.length).toBe(TOTAL);
    expect(seen).toEqual(Array.from({ length: TOTAL }, (_, k) => k));
    expect(new Set(offsets).size).toBe(TOTAL);
    expect(sub.duplicatesDropped).toBeGreaterThanOrEqual(0);

    // and the stream itself holds every event exactly once
    const stored = await writer.stream(path).read();
    expect(stored.events.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: TOTAL }, (_, k) => k));
  });

  it("lands an append once when its reply is lost and it is retried after the reconnect", async () => {
    const path = streamPath("idempotent");
    const net = network();
    const agent = client("agent", { WebSocket: net.WebSocket });
    const stream = agent.stream(path, { producerId: "agent-7" });
    await stream.create();
    await stream.append({ before: true });

    // The hub commits the next append, but its reply never reaches the client: the socket dies.
    net.intercept((frame) => (frame.type === "appended" ? "swallow-and-kill" : "deliver"));
    const result = await stream.append({ once: true });
    expect(result.duplicate).toBe(true); // the retry found the first attempt already stored
    expect(net.opened).toBe(2);

    const after = await stream.append({ after: true });
    expect(after.duplicate).toBe(false);
    const stored = (await stream.read()).events.map((e) => e.data);
    expect(stored).toEqual([{ before: true }, { once: true }, { after: true }]);
  });

  it("queues appends made while disconnected and sends them, in order, after the reconnect", async () => {
    const path = streamPath("offline");
    const net = network();
    const agent = client("agent", { WebSocket: net.WebSocket, backoff: { initialDelayMs: 300, maxDelayMs: 300 } });
    const stream = agent.stream(path);
    await stream.create();
    await agent.ready();
    net.kill();
    await eventually(() => agent.state === "reconnecting", 5_000, "reconnecting");
    const pending = Array.from({ length: 10 }, (_, i) => stream.append({ i }));
    const results = await Promise.all(pending);
    expect(results.map((r) => r.duplicate)).toEqual(Array(10).fill(false));
    expect((await stream.read()).events.map((e) => e.data)).toEqual(Array.from({ length: 10 }, (_, i) => ({ i })));
  });

  it("resumes a subscription from 'now' without losing what arrived while it was offline", async () => {
    const path = streamPath("now-resume");
    const net = network();
    const reader = client("reader", { WebSocket: net.WebSocket, backoff: { initialDelayMs: 400, maxDelayMs: 400 } });
    const writer = client("writer");
    await writer.stream(path).create();
    await writer.stream(path).append({ before: true });
    const seen: unknown[] = [];
    const sub = reader.stream(path).subscribe({ from: "now" }, (event) => {
      seen.push(event.data);
    });
    await sub.ready;
    net.kill();
    await eventually(() => reader.state === "reconnecting", 5_000, "reconnecting");
    await writer.stream(path).append({ whileOffline: true });
    await writer.stream(path).append({ afterwards: true });
    await eventually(() => seen.length === 2, 10_000, "two events");
    expect(seen).toEqual([{ whileOffline: true }, { afterwards: true }]);
  });

  it("pauses a subscription whose handler falls behind and resumes it from next", async () => {
    const path = streamPath("slow-reader");
    const net = network();
    const writer = client("writer");
    const reader = client("reader", { WebSocket: net.WebSocket });
    await writer.stream(path).create();
    for (let batch = 0; batch < 10; batch++) {
      await writer.stream(path).append(Array.from({ length: 100 }, (_, k) => ({ i: batch * 100 + k })));
    }
    const seen: number[] = [];
    reader.stream(path).subscribe({ from: "beginning", maxBuffered: 100 }, async (event: StreamEvent<{ i: number }>) => {
      if (event.data.i % 50 === 0) await sleep(5);
      seen.push(event.data.i);
    });
    await eventually(() => seen.length >= 1000, 30_000, "1000 events");
    await sleep(200);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, k) => k));
    const frames = net.sent.filter((f) => f.stream === path).map((f) => f.type);
    expect(frames.filter((t) => t === "unsubscribe").length).toBeGreaterThan(0);
    expect(frames.filter((t) => t === "subscribe").length).toBeGreaterThan(1);
  });
});
