import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF, resumeDelay } from "./backoff.js";

describe("backoffDelay", () => {
  it("doubles from 250 ms with equal jitter: between half and all of the ceiling", () => {
    const ceilings = [250, 500, 1000, 2000, 4000, 8000];
    ceilings.forEach((ceiling, attempt) => {
      expect(backoffDelay(attempt, {}, () => 0)).toBe(ceiling / 2);
      expect(backoffDelay(attempt, {}, () => 0.999999)).toBe(ceiling);
    });
  });

  it("is capped at 10 s however many attempts failed", () => {
    expect(DEFAULT_BACKOFF.maxDelayMs).toBe(10_000);
    for (const attempt of [6, 7, 10, 50, 1000, Number.MAX_SAFE_INTEGER]) {
      expect(backoffDelay(attempt, {}, () => 1)).toBe(10_000);
      expect(backoffDelay(attempt, {}, () => 0)).toBe(5_000);
    }
  });

  it("spreads clients: random jitter gives different delays", () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });

  it("takes its options", () => {
    expect(backoffDelay(0, { initialDelayMs: 100 }, () => 1)).toBe(100);
    expect(backoffDelay(3, { initialDelayMs: 100, factor: 3 }, () => 1)).toBe(2700);
    expect(backoffDelay(10, { maxDelayMs: 1234 }, () => 1)).toBe(1234);
    expect(backoffDelay(-3, {}, () => 1)).toBe(250);
  });

  it("resumes quickly when the hub asked for it", () => {
    expect(resumeDelay(() => 0)).toBe(50);
    expect(resumeDelay(() => 1)).toBe(250);
  });
});
