import { afterEach, describe, expect, it, vi } from "vitest";
import { followChanges, MIN_INTERVAL_MS } from "./follow.js";
import { HttpApi } from "./http.js";

afterEach(() => vi.useRealTimers());

/** A hub whose list changes before every call: each answer is a 200 with a new ETag. */
function changingHub(): { http: HttpApi; calls: Array<{ at: number; ifNoneMatch: string | null }> } {
  const calls: Array<{ at: number; ifNoneMatch: string | null }> = [];
  const fake = async (_url: string, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    calls.push({ at: Date.now(), ifNoneMatch: headers.get("If-None-Match") });
    return new Response(JSON.stringify({ n: calls.length }), {
      status: 200,
      headers: { "Content-Type": "application/json", ETag: `"v${calls.length}"` },
    });
  };
  return { http: new HttpApi("http://hub.test", fake as typeof fetch, async () => undefined), calls };
}

describe("followChanges", () => {
  it("sends back the last ETag, and starts calls at least a second apart however often the list changes", async () => {
    vi.useFakeTimers();
    const { http, calls } = changingHub();
    const signal = new AbortController().signal;
    const bodies = followChanges<{ n: number }>(http, "http://hub.test/v1/inbox", { what: "the inbox", pollSeconds: 30, signal, backoff: undefined });

    expect((await bodies.next()).value).toEqual({ n: 1 });
    const second = bodies.next();
    await vi.advanceTimersByTimeAsync(MIN_INTERVAL_MS - 1);
    expect(calls).toHaveLength(1); // the list changed at once, but the next call waits
    await vi.advanceTimersByTimeAsync(1);
    expect((await second).value).toEqual({ n: 2 });
    expect(calls[1]!.ifNoneMatch).toBe('"v1"');
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(MIN_INTERVAL_MS);
  });
});
