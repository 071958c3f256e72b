import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Pacer } from "./pacer.js";

describe("Pacer", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("sends a burst of half a second's worth, then 80% of the limit, in order", () => {
    const sent: string[] = [];
    const pacer = new Pacer(100, (f) => sent.push(f), 1); // the hello already used a token
    for (let i = 0; i < 200; i++) pacer.send(String(i));
    expect(sent.length).toBe(49);
    vi.advanceTimersByTime(1000);
    expect(sent.length).toBeGreaterThanOrEqual(49 + 79);
    expect(sent.length).toBeLessThanOrEqual(49 + 81);
    vi.advanceTimersByTime(5000);
    expect(sent).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
  });

  it("never exceeds the hub's own bucket (limit tokens, refilled at the limit)", () => {
    const times: number[] = [];
    const pacer = new Pacer(50, () => times.push(Date.now()));
    for (let i = 0; i < 300; i++) pacer.send("x");
    vi.advanceTimersByTime(10_000);
    expect(times.length).toBe(300);
    // replay the hub's token bucket over the send times: no frame may find it empty
    let tokens = 50;
    let last = times[0]!;
    for (const t of times) {
      tokens = Math.min(50, tokens + ((t - last) / 1000) * 50);
      last = t;
      expect(tokens).toBeGreaterThanOrEqual(1);
      tokens -= 1;
    }
  });

  it("drops what is queued when stopped", () => {
    const sent: string[] = [];
    const pacer = new Pacer(2, (f) => sent.push(f));
    pacer.send("a");
    pacer.send("b");
    expect(pacer.queued).toBe(1);
    pacer.stop();
    vi.advanceTimersByTime(5000);
    expect(sent).toEqual(["a"]);
  });
});
