import { afterEach, describe, expect, it } from "vitest";
import { materialize } from "../../src/index.js";
import { client, closeClients, eventually, streamPath } from "./helpers.js";

afterEach(() => closeClients());

describe("runs", () => {
  it("emits the lifecycle in order and materializes it back", async () => {
    const agent = client("agent-run", { kind: "agent" });
    const stream = agent.stream(streamPath("run"));
    await stream.create();
    const run = await stream.startRun({ plan: ["fetch-prices", { name: "summarize", description: "one line" }] });
    const prices = await run.step("fetch-prices", async () => ({ EUR: 1.08 }));
    expect(prices).toEqual({ EUR: 1.08 });
    await run.step("summarize", () => "cheap");
    run.text("The euro ");
    run.text("is at ");
    run.text("1.08.");
    const final = await run.complete({ data: { sources: 1 } });
    expect(final).toEqual({ text: "The euro is at 1.08.", data: { sources: 1 } });

    const { events } = await stream.read();
    expect(events.map((e) => (e.data as { type: string }).type)).toEqual([
      "run.started",
      "plan.created",
      "step.started",
      "step.completed",
      "step.started",
      "step.completed",
      "text.delta",
      "text.delta",
      "text.delta",
      "run.completed",
    ]);
    expect(events.every((e) => (e.data as { runId: string }).runId === run.runId)).toBe(true);
    const state = materialize(events);
    expect(state).toMatchObject({
      runId: run.runId,
      status: "completed",
      text: "The euro is at 1.08.",
      final: { text: "The euro is at 1.08." },
      problems: [],
    });
    expect(state.steps.map((s) => [s.name, s.status, s.result])).toEqual([
      ["fetch-prices", "completed", { EUR: 1.08 }],
      ["summarize", "completed", "cheap"],
    ]);
    expect(run.state.status).toBe("completed");
  });

  it("skips completed durable steps when the same run is resumed after a crash", async () => {
    const path = streamPath("durable");
    const runId = "run-durable-1";
    const calls = { fetch: 0, analyze: 0 };

    // First process: fetch-prices completes, then it "crashes" inside analyze.
    const first = client("agent-a", { kind: "agent" });
    await first.stream(path).create();
    const run1 = await first.stream(path).startRun({ runId, plan: ["fetch-prices", "analyze"] });
    expect(run1.resumed).toBe(false);
    await run1.step("fetch-prices", () => {
      calls.fetch++;
      return { EUR: 1.08, USD: 1 };
    });
    await run1.text("Prices: ");
    const crashed = run1.step("analyze", () => {
      calls.analyze++;
      return new Promise<never>(() => {}); // never finishes: the process dies here
    });
    void crashed;
    await eventually(() => calls.analyze === 1, 10_000, "analyze started"); // step.started is stored
    first.close();

    // Second process: reads the history, resumes the run.
    const second = client("agent-b", { kind: "agent" });
    const run2 = await second.stream(path).startRun({ runId, plan: ["fetch-prices", "analyze"] });
    expect(run2.resumed).toBe(true);
    const prices = await run2.step("fetch-prices", () => {
      calls.fetch++;
      return { EUR: 0, USD: 0 };
    });
    expect(prices).toEqual({ EUR: 1.08, USD: 1 }); // the recorded result, not a new one
    const analysis = await run2.step("analyze", () => {
      calls.analyze++;
      return "stable";
    });
    expect(analysis).toBe("stable");
    await run2.text("Prices: "); // already streamed before the crash: not appended again
    await run2.text("stable.");
    const final = await run2.complete();
    expect(final.text).toBe("Prices: stable.");
    expect(calls).toEqual({ fetch: 1, analyze: 2 });

    const { events } = await second.stream(path).read();
    const types = events.map((e) => (e.data as { type: string }).type);
    expect(types.filter((t) => t === "run.started")).toHaveLength(1);
    expect(types.filter((t) => t === "plan.created")).toHaveLength(1);
    const state = materialize(events, { runId });
    expect(state.problems).toEqual([]);
    expect(state.status).toBe("completed");
    expect(state.text).toBe("Prices: stable.");
    expect(state.steps).toEqual([
      expect.objectContaining({ name: "fetch-prices", status: "completed", attempts: 1, result: { EUR: 1.08, USD: 1 } }),
      expect.objectContaining({ name: "analyze", status: "completed", attempts: 2, result: "stable" }),
    ]);

    // A third start of the completed run replays everything and appends nothing.
    const third = client("agent-c", { kind: "agent" });
    const run3 = await third.stream(path).startRun({ runId });
    expect(await run3.step("fetch-prices", () => ({ wrong: true }))).toEqual({ EUR: 1.08, USD: 1 });
    expect(await run3.complete()).toEqual({ text: "Prices: stable." });
    expect((await third.stream(path).read()).events).toHaveLength(events.length);
  });
});
