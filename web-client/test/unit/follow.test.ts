import { afterEach, describe, expect, it, vi } from "vitest";
import { followGet } from "../../src/api/http.js";

afterEach(() => vi.unstubAllGlobals());

/** Records what followGet asks the hub and answers with `response`. */
function hub(response: () => Response): Array<{ url: string; ifNoneMatch: string | null }> {
  const calls: Array<{ url: string; ifNoneMatch: string | null }> = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    calls.push({ url, ifNoneMatch: new Headers(init.headers).get("If-None-Match") });
    return response();
  });
  return calls;
}

const access = { hub: "http://hub.test", token: "t" } as Parameters<typeof followGet>[0];

describe("followGet", () => {
  it("asks at once without an ETag, and returns the answer with its ETag", async () => {
    const calls = hub(() => new Response(JSON.stringify({ n: 1 }), { status: 200, headers: { ETag: '"v1"' } }));
    expect(await followGet(access, "/v1/inbox?limit=100", null)).toEqual({ body: { n: 1 }, etag: '"v1"' });
    expect(calls).toEqual([{ url: "http://hub.test/v1/inbox?limit=100", ifNoneMatch: null }]);
  });

  it("waits on the hub with the ETag it has, and says 'unchanged' (null) on a 304", async () => {
    const calls = hub(() => new Response(null, { status: 304, headers: { ETag: '"v1"' } }));
    expect(await followGet(access, "/v1/tree/a/b", '"v1"', { wait: "10s" })).toBeNull();
    expect(await followGet(access, "/v1/inbox?limit=100", '"v1"')).toBeNull();
    expect(calls).toEqual([
      { url: "http://hub.test/v1/tree/a/b?wait=10s", ifNoneMatch: '"v1"' },
      { url: "http://hub.test/v1/inbox?limit=100&wait=25s", ifNoneMatch: '"v1"' },
    ]);
  });
});
