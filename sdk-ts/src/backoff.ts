/**
 * Reconnect delays: exponential with "equal jitter" — half of each delay is fixed, half is
 * random — so a fleet of clients dropped at once does not reconnect in lockstep, while no
 * client retries in a hot loop. Capped at `maxDelayMs` (10 s by default).
 */
import type { BackoffOptions } from "./types.js";

export const DEFAULT_BACKOFF: Required<BackoffOptions> = {
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  factor: 2,
};

/** The delay before retry number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { initialDelayMs, maxDelayMs, factor } = { ...DEFAULT_BACKOFF, ...options };
  const exponent = Math.max(0, Math.min(attempt, 64));
  const ceiling = Math.min(maxDelayMs, initialDelayMs * Math.pow(factor, exponent));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** A small random delay for reconnects the hub asked for (close codes 4000, 1001, 4003). */
export function resumeDelay(random: () => number = Math.random): number {
  return Math.round(50 + 200 * random());
}
