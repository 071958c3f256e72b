import { describe, expect, it } from "vitest";
import { Approvals } from "./approvals.js";
import { TandemError } from "./errors.js";
import { HttpApi } from "./http.js";
import type { HubSocket } from "./hub-socket.js";
import type { Offset } from "./types.js";

const o = (n: number): Offset => `${String(n).padStart(16, "0")}_0000000000000000`;

/** An HttpApi over an in-memory JSON stream served in pages of two events. */
function fakeHub(events: unknown[]): { http: HttpApi; reads: string[] } {
  const reads: string[] = [];
  const fetchImpl = (async (input: string | URL) => {
    const url = new URL(String(input));
    const requested = url.searchParams.get("offset")!;
    reads.push(requested);
    const start = requested === "-1" ? 0 : Number(requested.slice(0, 16));
    const page = events.slice(start, start + 2);
    const next = start + page.length;
    return new Response(JSON.stringify(page), {
      status: 200,
      headers: {
        "Content-Type": "application/json",
        "Stream-Next-Offset": o(next),
        "Stream-Up-To-Date": String(next >= events.length),
      },
    });
  }) as typeof fetch;
  return { http: new HttpApi("http://hub.test", fetchImpl, async () => undefined), reads };
}

const socket = { onStateChange: () => () => {}, options: {} } as unknown as HubSocket;

const requested = (id: string) => ({ type: "approval.requested", approvalId: id });
const granted = (id: string) => ({ type: "approval.granted", approvalId: id });
const release = (id: string, n = 1) => ({ type: "tool.call", n, approvalId: id });

describe("Approvals.released: finding the released event", () => {
  it("finds the event right after approval.granted, reading forward from the hint", async () => {
    const { http, reads } = fakeHub([{ x: 1 }, { x: 2 }, requested("a"), { x: 3 }, granted("a"), release("a")]);
    const event = await new Approvals(socket, http).released("s", "a", o(2));
    expect(event).toEqual({ offset: o(5), data: release("a") });
    expect(reads[0]).toBe(o(2)); // nothing before the hint was read
  });

  it("ignores other approvals' releases and events that only carry the id", async () => {
    const { http } = fakeHub([
      requested("a"), requested("b"), granted("b"), release("b"), { type: "note", approvalId: "a" }, granted("a"), release("a", 2),
    ]);
    expect((await new Approvals(socket, http).released("s", "a", null)).data).toEqual(release("a", 2));
  });

  it("looks before the hint when the decision came first (a re-attach), also across the hint", async () => {
    const { http } = fakeHub([requested("a"), { x: 1 }, granted("a"), release("a"), { x: 2 }]);
    expect((await new Approvals(socket, http).released("s", "a", o(3))).offset).toBe(o(3));
    expect((await new Approvals(socket, http).released("s", "a", o(5))).offset).toBe(o(3));
  });

  it("takes the event after an approving expiry", async () => {
    const { http } = fakeHub([
      requested("a"),
      { type: "approval.expired", approvalId: "a", outcome: "approved" },
      release("a"),
    ]);
    expect((await new Approvals(socket, http).released("s", "a", o(0))).offset).toBe(o(2));
  });

  it("waits for a release that is not stored yet, and gives up after releaseTimeoutMs", async () => {
    const events: unknown[] = [requested("a"), granted("a")];
    const { http } = fakeHub(events);
    const approvals = new Approvals(socket, http);
    setTimeout(() => events.push(release("a")), 150);
    expect((await approvals.released("s", "a", o(0))).offset).toBe(o(2));

    const missing = await approvals.released("s", "b", o(0), { releaseTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(TandemError);
    expect(missing).toMatchObject({ code: "release_missing" });
  });

  it("stops when its signal aborts", async () => {
    const { http } = fakeHub([requested("a")]);
    const controller = new AbortController();
    const waiting = new Approvals(socket, http).released("s", "a", null, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(waiting).rejects.toMatchObject({ code: "aborted" });
  });
});
