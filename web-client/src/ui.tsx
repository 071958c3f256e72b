/** Small shared pieces: times, badges, JSON, following the hub, focus on navigation. */
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

/** Re-renders every `ms` so relative times stay current. */
export function useNow(ms = 5000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

/**
 * Follows something the hub long-polls: calls `follow` again as soon as it resolves (each call
 * waits for news, e.g. `pendingApprovalsChange`; calls start at least a second apart), `retryMs`
 * later when it throws. Only while
 * the page is visible: hiding it aborts the call in flight (a background tab holds none of the
 * browser's few connections to the hub), showing it starts one. Changing `deps` or leaving
 * aborts too. Returns a function that restarts the call at once.
 */
export function useFollow(follow: (signal: AbortSignal) => Promise<void>, retryMs: number, deps: unknown[] = []): () => void {
  const followRef = useRef(follow);
  followRef.current = follow;
  const trigger = useRef<() => void>(() => {});
  useEffect(() => {
    let stopped = false;
    let inFlight: AbortController | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      inFlight?.abort();
      inFlight = undefined;
    };
    const run = async () => {
      stop();
      if (stopped || document.visibilityState !== "visible") return;
      const mine = new AbortController();
      inFlight = mine;
      const started = Date.now();
      let failed = false;
      try {
        await followRef.current(mine.signal);
      } catch {
        failed = true;
      }
      if (inFlight !== mine) return; // stopped, hidden or restarted meanwhile
      inFlight = undefined;
      // Calls start at least a second apart, so a hub that answers at once (no ETag to wait on,
      // or a burst of changes) is asked once a second, not in a tight loop.
      timer = setTimeout(() => void run(), failed ? retryMs : Math.max(0, 1000 - (Date.now() - started)));
    };
    const onVisibility = () => (document.visibilityState === "visible" ? void run() : stop());
    trigger.current = () => void run();
    document.addEventListener("visibilitychange", onVisibility);
    void run();
    return () => {
      stopped = true;
      stop();
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [retryMs, ...deps]);
  return useCallback(() => trigger.current(), []);
}

/** "just now", "3 min ago", "in 2 h". */
export function relative(iso: string | undefined | null, now = Date.now()): string {
  if (!iso) return "";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "";
  const seconds = Math.round((at - now) / 1000);
  const abs = Math.abs(seconds);
  let text: string;
  if (abs < 10) return "just now";
  if (abs < 60) text = `${abs} s`;
  else if (abs < 3600) text = `${Math.round(abs / 60)} min`;
  else if (abs < 86400) text = `${Math.round(abs / 3600)} h`;
  else text = `${Math.round(abs / 86400)} d`;
  return seconds < 0 ? `${text} ago` : `in ${text}`;
}

/** Seconds as "45 s", "12 min", "3 h". */
export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

export function absolute(iso: string | undefined | null): string {
  if (!iso) return "";
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? "" : at.toLocaleString();
}

export function Time({ iso, now }: { iso: string | undefined | null; now?: number }) {
  if (!iso) return null;
  return (
    <time dateTime={iso} title={absolute(iso)}>
      {relative(iso, now)}
    </time>
  );
}

export type Tone = "neutral" | "info" | "ok" | "warn" | "danger" | "accent";

export function Badge({ tone = "neutral", children, label }: { tone?: Tone; children: ComponentChildren; label?: string }) {
  return (
    <span class={`badge badge-${tone}`} aria-label={label}>
      {children}
    </span>
  );
}

const STATE_TONES: Record<string, Tone> = {
  pending: "warn",
  approved: "ok",
  rejected: "danger",
  expired: "neutral",
  canceled: "neutral",
  open: "ok",
  live: "ok",
  closed: "neutral",
  canceling: "warn",
  closing: "warn",
  running: "info",
  completed: "ok",
  failed: "danger",
  unknown: "neutral",
};

export function StateBadge({ state, prefix }: { state: string; prefix?: string }) {
  return (
    <span class={`badge badge-${STATE_TONES[state] ?? "neutral"}`} data-state={state}>
      {prefix ? `${prefix} ` : ""}
      {state}
    </span>
  );
}

export function Json({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre class="json" aria-label={label}>
      <code>{pretty(value)}</code>
    </pre>
  );
}

export function pretty(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** One line about a proposed event: `tool.call payments.refund {"amount":250}`. */
export function summarize(event: unknown): string {
  if (event === null || typeof event !== "object") return JSON.stringify(event);
  const e = event as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof e.type === "string") parts.push(e.type);
  if (typeof e.tool === "string") parts.push(e.tool);
  if (e.args !== undefined) parts.push(compact(e.args));
  else {
    const { type: _t, tool: _tool, approvalId: _a, ...rest } = e;
    if (Object.keys(rest).length) parts.push(compact(rest));
  }
  return parts.join(" ");
}

export function compact(value: unknown, max = 120): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

let screensShown = 0;

/**
 * Moves focus to the screen's heading when the user goes to another screen (not on the first
 * load), so keyboard and screen reader users start at the top of what changed.
 */
export function useFocusHeading() {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (screensShown++ > 0) ref.current?.focus();
  }, []);
  return ref;
}

export function ErrorText({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <span class="spinner-wrap" role="status">
      <span class="spinner" aria-hidden="true" />
      <span>{label}</span>
    </span>
  );
}

/** The last segment of a stream path. */
export function leaf(path: string): string {
  return path.split("/").pop() ?? path;
}
