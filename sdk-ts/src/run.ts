/**
 * The run lifecycle on a stream, written by an agent: `run.started`, `plan.created`,
 * `step.started`/`step.completed`, `text.delta`, `run.completed` with the final answer
 * packet — every event carrying the run's `runId`, appended in order through the stream
 * handle's idempotent producer.
 *
 * Durable steps: `run.step(name, fn)` records the step's JSON result in the stream. A run
 * started again with the same `runId` (a new process after a crash) reads the stream's
 * history first; its completed steps return their recorded results without calling `fn`,
 * and text it streams again is matched against the recorded deltas instead of appended twice.
 * A step that crashed mid-way (started, never completed) runs again: steps are at least once,
 * their recorded results exactly once.
 */
import { asError, ErrorCodes, TandemError } from "./errors.js";
import { isRunEvent, materialize } from "./materialize.js";
import { randomId, type StreamHandle } from "./stream.js";
import type { AppendResult, FinalPacket, Plan, PlanStepInput, RunErrorInfo, RunEvent, RunState, StartRunOptions } from "./types.js";

/** Starts a new run, or resumes `options.runId` after reading the stream's history. */
export async function startRun(stream: StreamHandle, options: StartRunOptions = {}): Promise<Run> {
  const runId = options.runId ?? randomId("run-");
  let history: RunEvent[] = [];
  if (options.runId !== undefined) {
    const { events } = await stream.read();
    history = events.map((e) => e.data).filter((d): d is RunEvent => isRunEvent(d) && d.runId === runId);
  }
  const run = new Run(stream, runId, history);
  await run._begin(options.plan);
  return run;
}

export class Run {
  readonly runId: string;
  readonly stream: StreamHandle;
  /** True when this run continues one found in the stream's history. */
  readonly resumed: boolean;
  #events: RunEvent[];
  #recorded = new Map<string, unknown>();
  #occurrences = new Map<string, number>();
  #replayText: string;
  #replayAt = 0;
  #streamed: string;
  #historyState: RunState;

  /** Not constructed directly: use `stream.startRun()`. */
  constructor(stream: StreamHandle, runId: string, history: RunEvent[]) {
    this.stream = stream;
    this.runId = runId;
    this.resumed = history.length > 0;
    this.#events = [...history];
    this.#historyState = materialize(history, { runId });
    for (const step of this.#historyState.steps) {
      if (step.status === "completed") this.#recorded.set(step.key, step.result);
    }
    this.#replayText = this.#historyState.text;
    this.#streamed = this.#historyState.text;
  }

  /** The run as its own events say, materialized (history plus what this process appended). */
  get state(): RunState {
    return materialize(this.#events, { runId: this.runId });
  }

  /** @internal */
  async _begin(plan: PlanStepInput[] | undefined): Promise<void> {
    const status = this.#historyState.status;
    if (status === "unknown" || status === "failed") {
      await this.#emit({ type: "run.started", runId: this.runId, at: now() });
    }
    if (plan !== undefined && this.#historyState.plan === null) await this.plan(plan);
  }

  /** Appends `plan.created`. */
  plan(steps: PlanStepInput[]): Promise<AppendResult> {
    const plan: Plan = { steps: steps.map((s) => (typeof s === "string" ? { name: s } : { ...s })) };
    return this.#emit({ type: "plan.created", runId: this.runId, plan });
  }

  /**
   * Runs `fn` as a durable step: records `step.started`, then `step.completed` with its result
   * (which must be JSON), and returns the result as recorded. On a resumed run a completed
   * step returns its recorded result and `fn` is not called. The n-th call with the same
   * name in a run is step `name#n`.
   */
  async step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    const count = (this.#occurrences.get(name) ?? 0) + 1;
    this.#occurrences.set(name, count);
    const key = count === 1 ? name : `${name}#${count}`;
    if (this.#recorded.has(key)) return this.#recorded.get(key) as T;
    if (this.#historyState.status === "completed") {
      throw new TandemError("run_completed", `run ${this.runId} already completed; step ${key} has no recorded result`, 409);
    }
    await this.#emit({ type: "step.started", runId: this.runId, step: name, key, at: now() });
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      const failure = asError(error);
      await this.#emit({ type: "step.failed", runId: this.runId, step: name, key, error: errorInfo(failure), at: now() });
      throw error;
    }
    const recorded = result === undefined ? undefined : (JSON.parse(JSON.stringify(result)) as T);
    await this.#emit({ type: "step.completed", runId: this.runId, step: name, key, result: recorded, at: now() });
    this.#recorded.set(key, recorded);
    return recorded as T;
  }

  /**
   * Streams a piece of the answer as `text.delta`. On a resumed run, text that matches what
   * was already streamed is not appended again. Appends stay in call order without awaiting.
   */
  text(delta: string): Promise<AppendResult | undefined> {
    if (typeof delta !== "string") return Promise.reject(new TandemError(ErrorCodes.invalidArgument, "text needs a string"));
    if (delta === "") return Promise.resolve(undefined);
    if (this.#replayAt < this.#replayText.length) {
      if (this.#replayText.startsWith(delta, this.#replayAt)) {
        this.#replayAt += delta.length;
        return Promise.resolve(undefined);
      }
      this.#replayAt = this.#replayText.length; // diverged: from here on everything is new
    }
    this.#streamed += delta;
    return this.#emit({ type: "text.delta", runId: this.runId, text: delta });
  }

  /**
   * Ends the run with its final answer packet. `text` defaults to everything streamed with
   * `text()`. On a run already completed, returns the recorded packet and appends nothing.
   */
  async complete(final: Partial<FinalPacket> = {}): Promise<FinalPacket> {
    if (this.#historyState.status === "completed" && this.#historyState.final) return this.#historyState.final;
    const packet: FinalPacket = { ...final, text: final.text ?? this.#streamed };
    await this.#emit({ type: "run.completed", runId: this.runId, final: packet, at: now() });
    return packet;
  }

  /** Ends the run as failed. */
  async fail(error: unknown): Promise<void> {
    if (this.#historyState.status === "completed") return;
    await this.#emit({ type: "run.failed", runId: this.runId, error: errorInfo(asError(error)), at: now() });
  }

  #emit(event: RunEvent): Promise<AppendResult> {
    this.#events.push(event);
    return this.stream.append(event);
  }
}

function errorInfo(error: Error): RunErrorInfo {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? { message: error.message, code } : { message: error.message };
}

function now(): string {
  return new Date().toISOString();
}
