import { describe, expect, it } from "vitest";
import { isRunEvent, materialize } from "./materialize.js";
import type { RunEvent, StreamEvent } from "./types.js";

const at = "2026-11-23T08:00:00.000Z";
const o = (n: number) => `${String(n).padStart(16, "0")}_0000000000000000`;
const asStream = (events: RunEvent[]): StreamEvent[] => events.map((data, i) => ({ offset: o(i), data }));

function goodRun(runId = "r1"): RunEvent[] {
  return [
    { type: "run.started", runId, at },
    { type: "plan.created", runId, plan: { steps: [{ name: "fetch" }, { name: "write" }] } },
    { type: "step.started", runId, step: "fetch", key: "fetch", at },
    { type: "step.completed", runId, step: "fetch", key: "fetch", result: { n: 3 }, at },
    { type: "step.started", runId, step: "write", key: "write", at },
    { type: "text.delta", runId, text: "Three " },
    { type: "text.delta", runId, text: "items." },
    { type: "step.completed", runId, step: "write", key: "write", at },
    { type: "run.completed", runId, final: { text: "Three items.", data: { n: 3 } }, at },
  ];
}

describe("materialize", () => {
  it("folds a run into its state and finds nothing wrong when the final text reconciles", () => {
    const state = materialize(asStream(goodRun()));
    expect(state).toEqual({
      runId: "r1",
      status: "completed",
      plan: { steps: [{ name: "fetch" }, { name: "write" }] },
      steps: [
        { name: "fetch", key: "fetch", status: "completed", attempts: 1, result: { n: 3 } },
        { name: "write", key: "write", status: "completed", attempts: 1, result: undefined },
      ],
      text: "Three items.",
      final: { text: "Three items.", data: { n: 3 } },
      error: null,
      problems: [],
    });
  });

  it("reports a final packet whose text does not match the streamed deltas", () => {
    const events = goodRun();
    events[events.length - 1] = { type: "run.completed", runId: "r1", final: { text: "Three itens." }, at };
    const state = materialize(asStream(events));
    expect(state.status).toBe("completed");
    expect(state.problems).toEqual([
      {
        code: "final_text_mismatch",
        message: "the final text (12 chars) differs from the 12 chars streamed as text.delta, first at index 9",
        offset: o(8),
      },
    ]);
  });

  it("reports a lost delta (the final text is longer than what was streamed)", () => {
    const events = goodRun().filter((e) => !(e.type === "text.delta" && e.text === "items."));
    const state = materialize(events);
    expect(state.text).toBe("Three ");
    expect(state.problems.map((p) => p.code)).toEqual(["final_text_mismatch"]);
  });

  it("reports a final packet without text", () => {
    const events = goodRun();
    events[events.length - 1] = { type: "run.completed", runId: "r1", final: undefined as never, at };
    expect(materialize(events).problems.map((p) => p.code)).toEqual(["final_text_mismatch"]);
  });

  it("shows a run in progress, with planned steps pending", () => {
    const state = materialize(goodRun().slice(0, 5));
    expect(state.status).toBe("running");
    expect(state.final).toBeNull();
    expect(state.steps.map((s) => [s.key, s.status])).toEqual([
      ["fetch", "completed"],
      ["write", "running"],
    ]);
    expect(state.problems).toEqual([]);
  });

  it("keeps only the chosen run and skips other events", () => {
    const mixed: unknown[] = [
      { type: "message", text: "not a run event" },
      ...goodRun("a"),
      { type: "run.started", runId: "b", at },
      { type: "text.delta", runId: "b", text: "other" },
    ];
    expect(materialize(mixed).runId).toBe("a");
    const b = materialize(mixed, { runId: "b" });
    expect(b).toMatchObject({ runId: "b", status: "running", text: "other", problems: [] });
  });

  it("counts a step started again after a crash, and a failed step", () => {
    const runId = "r2";
    const state = materialize([
      { type: "run.started", runId, at },
      { type: "step.started", runId, step: "call", key: "call", at },
      { type: "step.started", runId, step: "call", key: "call", at },
      { type: "step.completed", runId, step: "call", key: "call", result: 1, at },
      { type: "step.started", runId, step: "call", key: "call#2", at },
      { type: "step.failed", runId, step: "call", key: "call#2", error: { message: "boom" }, at },
      { type: "run.failed", runId, error: { message: "boom" }, at },
    ]);
    expect(state.status).toBe("failed");
    expect(state.error).toEqual({ message: "boom" });
    expect(state.steps).toEqual([
      { name: "call", key: "call", status: "completed", attempts: 2, result: 1 },
      { name: "call", key: "call#2", status: "failed", attempts: 1, error: { message: "boom" } },
    ]);
  });

  it("reports events that break the lifecycle", () => {
    const runId = "r3";
    const state = materialize([
      { offset: o(0), data: { type: "text.delta", runId, text: "early" } },
      { offset: o(1), data: { type: "run.started", runId, at } },
      { offset: o(1), data: { type: "text.delta", runId, text: "dup" } },
      { offset: o(2), data: { type: "step.completed", runId, step: "x", key: "x", result: 1, at } },
      { offset: o(3), data: { type: "step.started", runId, step: "y", key: "y", at } },
      { offset: o(4), data: { type: "run.completed", runId, final: { text: "early" }, at } },
      { offset: o(5), data: { type: "text.delta", runId, text: "late" } },
    ]);
    expect(state.problems.map((p) => p.code)).toEqual([
      "missing_run_started",
      "offset_not_increasing",
      "step_completed_without_start",
      "step_unfinished",
      "event_after_end",
    ]);
    expect(state.text).toBe("early");
  });

  it("treats run.started after run.failed as a retry, not a problem", () => {
    const runId = "r4";
    const state = materialize([
      { type: "run.started", runId, at },
      { type: "run.failed", runId, error: { message: "x" }, at },
      { type: "run.started", runId, at },
      { type: "run.completed", runId, final: { text: "" }, at },
    ]);
    expect(state).toMatchObject({ status: "completed", error: null, problems: [] });
  });

  it("recognises run events", () => {
    expect(isRunEvent({ type: "run.started", runId: "x", at })).toBe(true);
    expect(isRunEvent({ type: "run.started" })).toBe(false);
    expect(isRunEvent({ type: "message", runId: "x" })).toBe(false);
    expect(isRunEvent(null)).toBe(false);
  });
});
