/**
 * The reader's side of the run lifecycle: folds a run's events, in stream order, into its
 * state, and says what does not add up (`problems`) instead of throwing — a reader shows a
 * broken run, it does not crash on one. The central check: the final packet's text must
 * equal the concatenation of the run's `text.delta` events.
 */
import type { RunEvent, RunEventType, RunProblem, RunState, StepState, StreamEvent } from "./types.js";

const RUN_EVENT_TYPES: ReadonlySet<string> = new Set<RunEventType>([
  "run.started",
  "plan.created",
  "step.started",
  "step.completed",
  "step.failed",
  "text.delta",
  "run.completed",
  "run.failed",
]);

/** True for the data of a run lifecycle event. */
export function isRunEvent(data: unknown): data is RunEvent {
  if (data === null || typeof data !== "object") return false;
  const { type, runId } = data as { type?: unknown; runId?: unknown };
  return typeof type === "string" && RUN_EVENT_TYPES.has(type) && typeof runId === "string";
}

export interface MaterializeOptions {
  /** The run to fold. Default: the run of the first run event found. */
  runId?: string;
}

/**
 * Folds events into a run's state. Takes stream events (`{offset, data}`, as delivered by
 * `subscribe` or `read`) or bare event data; events of other runs and other types are skipped.
 */
export function materialize(events: Iterable<StreamEvent | RunEvent | unknown>, options: MaterializeOptions = {}): RunState {
  const state: RunState = {
    runId: options.runId,
    status: "unknown",
    plan: null,
    steps: [],
    text: "",
    final: null,
    error: null,
    problems: [],
  };
  const steps = new Map<string, StepState>();
  const problem = (code: RunProblem["code"], message: string, offset?: string) =>
    state.problems.push(offset === undefined ? { code, message } : { code, message, offset });
  let lastOffset: string | undefined;
  let started = false;
  let ended = false;
  let reportedMissingStart = false;

  for (const item of events) {
    const { offset, data } = unwrap(item);
    if (!isRunEvent(data)) continue;
    if (state.runId === undefined) state.runId = data.runId;
    if (data.runId !== state.runId) continue;
    if (offset !== undefined) {
      if (lastOffset !== undefined && !(offset > lastOffset)) {
        problem("offset_not_increasing", `event at ${offset} does not come after ${lastOffset}; skipped`, offset);
        continue;
      }
      lastOffset = offset;
    }
    const restart = data.type === "run.started" && state.status === "failed";
    if (ended && !restart) {
      problem("event_after_end", `${data.type} after the run ${state.status}; ignored`, offset);
      continue;
    }
    if (!started && data.type !== "run.started" && !reportedMissingStart) {
      reportedMissingStart = true;
      problem("missing_run_started", `${data.type} before run.started`, offset);
    }
    switch (data.type) {
      case "run.started":
        if (started && !restart) problem("duplicate_run_started", "run.started appears twice", offset);
        started = true;
        ended = false;
        state.status = "running";
        state.error = null;
        break;
      case "plan.created":
        state.plan = data.plan;
        for (const planned of data.plan?.steps ?? []) {
          if (!steps.has(planned.name)) steps.set(planned.name, { name: planned.name, key: planned.name, status: "pending", attempts: 0 });
        }
        break;
      case "step.started": {
        const step = stepFor(steps, data.key, data.step);
        step.status = step.status === "completed" ? step.status : "running";
        step.attempts++;
        delete step.error;
        break;
      }
      case "step.completed": {
        const step = stepFor(steps, data.key, data.step);
        if (step.status === "completed") {
          problem("step_completed_twice", `step ${data.key} completed again; the first result stands`, offset);
          break;
        }
        if (step.attempts === 0) problem("step_completed_without_start", `step ${data.key} completed without step.started`, offset);
        step.status = "completed";
        step.result = data.result;
        break;
      }
      case "step.failed": {
        const step = stepFor(steps, data.key, data.step);
        if (step.status !== "completed") {
          step.status = "failed";
          step.error = data.error;
        }
        break;
      }
      case "text.delta":
        state.text += data.text;
        break;
      case "run.completed":
        ended = true;
        state.status = "completed";
        state.final = data.final ?? null;
        reconcile(state, problem, offset);
        for (const step of steps.values()) {
          if (step.status === "running") problem("step_unfinished", `step ${step.key} was still running when the run completed`, offset);
        }
        break;
      case "run.failed":
        ended = true;
        state.status = "failed";
        state.error = data.error;
        break;
    }
  }
  state.steps = [...steps.values()];
  return state;
}

/** The final packet's text against the streamed deltas. */
function reconcile(state: RunState, problem: (code: RunProblem["code"], message: string, offset?: string) => void, offset?: string): void {
  const finalText = state.final?.text;
  if (typeof finalText !== "string") {
    problem("final_text_mismatch", "run.completed carries no final text", offset);
    return;
  }
  if (finalText === state.text) return;
  let at = 0;
  while (at < finalText.length && at < state.text.length && finalText[at] === state.text[at]) at++;
  problem(
    "final_text_mismatch",
    `the final text (${finalText.length} chars) differs from the ${state.text.length} chars streamed as text.delta, first at index ${at}`,
    offset,
  );
}

function stepFor(steps: Map<string, StepState>, key: string | undefined, name: string): StepState {
  const k = key ?? name;
  let step = steps.get(k);
  if (!step) steps.set(k, (step = { name, key: k, status: "pending", attempts: 0 }));
  return step;
}

function unwrap(item: unknown): { offset?: string; data: unknown } {
  if (item !== null && typeof item === "object" && "data" in item && typeof (item as StreamEvent).offset === "string") {
    return { offset: (item as StreamEvent).offset, data: (item as StreamEvent).data };
  }
  return { data: item };
}
