/**
 * Following a hub list as it changes: a loop of conditional long-polls (`If-None-Match` with
 * the list's `ETag`, and `wait`), answered with the new list when it changes and `304` when
 * the wait ends without a change. Used by `approvals.watchPending()` and `inbox.watch()`.
 */
import { backoffDelay } from "./backoff.js";
import { ErrorCodes, invalidArgument, TandemError } from "./errors.js";
import { abortError, type HttpApi } from "./http.js";
import type { HubSocket } from "./hub-socket.js";
import type { BackoffOptions } from "./types.js";

/** The shortest time between the starts of two calls. */
export const MIN_INTERVAL_MS = 1000;

export interface FollowOptions {
  /** What is followed, for error messages ("the approvals list"). */
  what: string;
  /** How long each long-poll waits on the hub, in seconds. */
  pollSeconds: number;
  signal: AbortSignal;
  backoff: BackoffOptions | undefined;
}

/**
 * Yields the body at `url` now, then each time it changes, until `signal` aborts (the
 * iteration throws `aborted` or `closed`). Calls start at least a second apart. Network
 * failures and 5xx are retried with the backoff; a hub that gives no `ETag` cannot be waited
 * on and is asked again after it.
 */
export async function* followChanges<B>(http: HttpApi, url: string, options: FollowOptions): AsyncGenerator<B, void, undefined> {
  const { signal } = options;
  const separator = url.includes("?") ? "&" : "?";
  let etag: string | null = null;
  let failures = 0;
  let lastCall = -Infinity;
  for (;;) {
    if (signal.aborted) throw abortError(signal);
    // Calls start at least MIN_INTERVAL_MS apart: a list that changes all the time (an inbox
    // with a busy stream) is fetched once a second, not once per change.
    const early = lastCall + MIN_INTERVAL_MS - Date.now();
    if (early > 0) await sleep(early, signal);
    lastCall = Date.now();
    let changed: { body: B } | null;
    try {
      const response: Response = etag === null
        ? await http.call("GET", url, { signal })
        : await http.call("GET", `${url}${separator}wait=${options.pollSeconds}s`, { headers: { "If-None-Match": etag }, signal });
      failures = 0;
      if (response.status === 304) {
        changed = null;
      } else {
        const body = (await response.json().catch((error: Error) => {
          throw new TandemError(ErrorCodes.network, `reading ${options.what} failed: ${error.message}`);
        })) as B;
        changed = { body };
        etag = response.headers.get("ETag");
      }
    } catch (error) {
      if (signal.aborted) throw abortError(signal);
      if (!(error instanceof TandemError) || !error.retryable) throw error;
      await sleep(backoffDelay(failures++, options.backoff), signal);
      continue;
    }
    if (changed !== null) yield changed.body;
    if (etag === null) await sleep(backoffDelay(0, options.backoff), signal);
  }
}

/**
 * A signal that aborts (code `closed`) once the client that owns `socket` is closed for good;
 * `dispose` stops listening.
 */
export function closedSignal(socket: HubSocket): { signal: AbortSignal; dispose: () => void } {
  const closed = new AbortController();
  const dispose = socket.onStateChange((change) => {
    if (change.state === "closed") closed.abort(new TandemError(ErrorCodes.closed, "the client was closed"));
  });
  return { signal: closed.signal, dispose };
}

/** The long-poll wait of a watch: `pollSeconds` (1–300), 30 by default. */
export function pollSeconds(value: number | undefined): number {
  const seconds = value ?? 30;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 300) throw invalidArgument("pollSeconds is a whole number from 1 to 300");
  return seconds;
}

/** One signal that aborts when any of `signals` does; `dispose` unhooks it. */
export function linkSignals(...signals: Array<AbortSignal | undefined>): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const unhook: Array<() => void> = [];
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    const onAbort = () => controller.abort(s.reason);
    s.addEventListener("abort", onAbort, { once: true });
    unhook.push(() => s.removeEventListener("abort", onAbort));
  }
  return { signal: controller.signal, dispose: () => unhook.forEach((f) => f()) };
}

/** Resolves after `ms`, or rejects with `aborted` when `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
