import { afterEach, describe, expect, it } from "vitest";
import { TandemError, type Approval, type Policy, type StreamHandle, type TandemClient } from "../../src/index.js";
import { client, closeClients, network, streamPath } from "./helpers.js";

afterEach(() => closeClients());

const MANAGER = { roles: ["manager"], scopes: [{ prefix: "", actions: ["read", "append", "approve"] }] };
const ADMIN = { roles: ["admin"], scopes: [{ prefix: "", actions: ["read", "append", "approve", "admin"] }] };

const refund = (amount: number) => ({ type: "tool.call", tool: "payments.refund", args: { amount } });

function refundPolicy(gate: Record<string, unknown> = {}): Policy {
  return {
    gates: [{
      name: "refunds-over-100",
      match: { type: "tool.call", where: [{ field: "tool", eq: "payments.refund" }, { field: "args.amount", gt: 100 }] },
      approvers: { roles: ["manager"] },
      ...gate,
    }],
  };
}

/** A fresh stream with the refund policy, set by an admin. */
async function gatedStream(name: string, gate: Record<string, unknown> = {}): Promise<string> {
  const path = streamPath(name);
  const admin = client("root-admin", ADMIN).stream(path);
  await admin.create();
  await admin.setPolicy(refundPolicy(gate));
  return path;
}

async function types(stream: StreamHandle): Promise<string[]> {
  const { events } = await stream.read();
  return events.map((e) => (e.data as { type: string }).type);
}

describe("requestApproval and decision()", () => {
  it("re-attaches by key after a restart and resolves with the manager's grant and the released event", async () => {
    const path = await gatedStream("reattach");
    const first: TandemClient = client("agent-7");
    const handle = await first.stream(path).requestApproval(refund(250), { idempotencyKey: "refund-order-17" });
    expect(handle.gated).toBe(true);
    expect(handle.id).toMatch(/^apr_/);
    expect(handle.approval!.state).toBe("pending");
    expect(handle.approval!.requester).toBe("agent-7");
    expect(handle.approval!.proposed).toEqual(refund(250));
    first.close(); // the agent's process goes down

    const manager = client("mia", MANAGER);
    const inbox = await manager.approvals.listPending({ stream: path });
    expect(inbox.map((a) => a.id)).toEqual([handle.id]);
    const approved = await manager.approvals.approve(handle.id!);
    expect(approved.changed).toBe(true);
    expect(approved.approval.state).toBe("approved");
    expect((await manager.approvals.approve(handle.id!)).changed).toBe(false); // pressing twice is harmless

    // A brand-new process, same agent, same key: the same approval, already decided.
    const second = client("agent-7");
    const again = await second.stream(path).requestApproval(refund(250), { idempotencyKey: "refund-order-17" });
    expect(again.id).toBe(handle.id);
    const outcome = await again.decision();
    expect(outcome.outcome).toBe("granted");
    if (outcome.outcome !== "granted") return;
    expect(outcome.edited).toBe(false);
    expect(outcome.approval.decision?.by).toBe("mia");
    expect(outcome.event.data).toEqual({ ...refund(250), approvalId: handle.id });

    const { events } = await second.stream(path).read();
    expect(events.map((e) => (e.data as { type: string }).type)).toEqual(["approval.requested", "approval.granted", "tool.call"]);
    expect(outcome.event).toEqual(events[2]);
    expect(await second.approvals.listPending({ stream: path })).toEqual([]);
  });

  it("finds the same approval when the reply is lost and the request is sent again", async () => {
    const path = await gatedStream("lost-reply");
    const net = network();
    const agent = client("agent-18", { WebSocket: net.WebSocket });
    net.intercept((frame) => (frame.type === "approval.requested" ? "swallow-and-kill" : "deliver"));
    const handle = await agent.stream(path).requestApproval(refund(410), { idempotencyKey: "k-lost" });
    expect(net.opened).toBe(2);
    expect(net.sent.filter((f) => f.type === "append")).toHaveLength(2);
    expect((await client("mia", MANAGER).approvals.listPending({ stream: path })).map((a) => a.id)).toEqual([handle.id]);
    expect(await types(agent.stream(path))).toEqual(["approval.requested"]);
  });

  it("waits while nobody has decided, and wakes on the decision", async () => {
    const path = await gatedStream("wait");
    const agent = client("agent-8");
    const handle = await agent.stream(path).requestApproval(refund(500), { idempotencyKey: "k-wait" });
    let settled = false;
    const decision = handle.decision({ pollSeconds: 2 }).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 2500)); // at least one long-poll comes back pending
    expect(settled).toBe(false);
    await client("max", MANAGER).approvals.approve(handle.id!);
    const outcome = await decision;
    expect(outcome.outcome).toBe("granted");
    if (outcome.outcome === "granted") expect(outcome.event.data.approvalId).toBe(handle.id);
    expect(await handle.decision()).toBe(outcome); // settled once, remembered
  });

  it("resolves rejected with who rejected and why", async () => {
    const path = await gatedStream("reject");
    const agent = client("agent-9");
    const handle = await agent.stream(path).requestApproval(refund(300), { idempotencyKey: "k-reject" });
    const decision = handle.decision();
    await client("mia", MANAGER).approvals.reject(handle.id!, "refund exceeds the order total");
    const outcome = await decision;
    expect(outcome).toMatchObject({ outcome: "rejected", by: "mia", reason: "refund exceeds the order total" });
    expect(await types(agent.stream(path))).toEqual(["approval.requested", "approval.rejected"]);
  });

  it("resolves expired when nobody decides in time", async () => {
    const path = await gatedStream("expiry", { expiresAfter: "1s" });
    const agent = client("agent-10");
    const handle = await agent.stream(path).requestApproval(refund(120), { idempotencyKey: "k-expire" });
    expect(handle.approval!.gate.expiresAfter).toBe("PT1S");
    const outcome = await handle.decision();
    expect(outcome.outcome).toBe("expired");
    expect(outcome.approval!.decision).toMatchObject({ outcome: "expired", by: null, reason: "expired" });
    expect(await types(agent.stream(path))).toEqual(["approval.requested", "approval.expired"]);
  });

  it("resolves granted, with the released event, when the deadline approves (onExpiry: approve)", async () => {
    const path = await gatedStream("expiry-approve", { expiresAfter: "1s", onExpiry: "approve" });
    const agent = client("agent-16");
    const handle = await agent.stream(path).requestApproval(refund(130), { idempotencyKey: "k-expire-approve" });
    const outcome = await handle.decision();
    expect(outcome.outcome).toBe("granted");
    if (outcome.outcome !== "granted") return;
    expect(outcome.approval.decision).toMatchObject({ by: null, reason: "expired" });
    expect(outcome.event).toEqual({ offset: "0000000000000002_0000000000000000", data: { ...refund(130), approvalId: handle.id } });
    expect(await types(agent.stream(path))).toEqual(["approval.requested", "approval.expired", "tool.call"]);
  });

  it("stops waiting with code closed when the client is closed", async () => {
    const path = await gatedStream("closing");
    const agent = client("agent-17");
    const handle = await agent.stream(path).requestApproval(refund(640), { idempotencyKey: "k-close" });
    const waiting = handle.decision();
    setTimeout(() => agent.close(), 100);
    await expect(waiting).rejects.toMatchObject({ code: "closed" });
  });

  it("resolves canceled when the requester withdraws", async () => {
    const path = await gatedStream("cancel");
    const agent = client("agent-11");
    const handle = await agent.stream(path).requestApproval(refund(999), { idempotencyKey: "k-cancel" });
    const change = await handle.cancel("customer withdrew the request");
    expect(change.approval.state).toBe("canceled");
    expect(await handle.decision()).toMatchObject({ outcome: "canceled", by: "agent-11", reason: "customer withdrew the request" });
  });

  it("says not-gated when no gate holds the event, and stores it once however often it is requested", async () => {
    const path = await gatedStream("not-gated");
    const agent = client("agent-12");
    const handle = await agent.stream(path).requestApproval(refund(50), { idempotencyKey: "k-small" });
    expect(handle.gated).toBe(false);
    expect(handle.id).toBeNull();
    expect(await handle.decision()).toEqual({
      outcome: "not-gated",
      approval: null,
      offset: "0000000000000000_0000000000000000",
      event: { offset: "0000000000000000_0000000000000000", data: refund(50) },
    });
    const repeat = await client("agent-12").stream(path).requestApproval(refund(50), { idempotencyKey: "k-small" });
    expect(await repeat.decision()).toMatchObject({ outcome: "not-gated", offset: null, event: null });
    expect((await agent.stream(path).read()).events.map((e) => e.data)).toEqual([refund(50)]);
    await expect(handle.get()).rejects.toMatchObject({ code: "not_gated" });
  });

  it("re-attaches by id, and aborts a wait through its signal", async () => {
    const path = await gatedStream("attach");
    const agent = client("agent-13");
    const handle = await agent.stream(path).requestApproval(refund(700), { idempotencyKey: "k-attach" });
    const controller = new AbortController();
    const waiting = handle.decision({ signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: "aborted" });

    await client("mia", MANAGER).approvals.approve(handle.id!);
    const attached = await client("agent-13").approvals.attach(handle.id!);
    expect(attached.stream).toBe(path);
    const outcome = await attached.decision();
    expect(outcome.outcome).toBe("granted");
    if (outcome.outcome === "granted") expect(outcome.event.offset).toBe("0000000000000002_0000000000000000");
  });
});

describe("approvals for managers", () => {
  it("lists pending approvals to whoever may decide them, and refuses the rest", async () => {
    const path = await gatedStream("inbox");
    const agent = client("agent-14");
    const manager = client("mia", MANAGER);
    const one = await agent.stream(path).requestApproval(refund(150), { idempotencyKey: "k-1" });
    const two = await agent.stream(path).requestApproval(refund(250), { idempotencyKey: "k-2" });

    const inbox = await manager.approvals.listPending({ stream: path });
    expect(inbox.map((a) => a.id)).toEqual([two.id, one.id]); // newest first
    expect(inbox[0]!.proposed).toEqual(refund(250));
    expect(inbox[0]!.ageSeconds).toBeGreaterThanOrEqual(0);

    expect(await agent.approvals.listPending({ stream: path })).toEqual([]); // not an approver
    const mine = await agent.approvals.listPending({ stream: path, decidable: false });
    expect(mine.map((a) => a.id).sort()).toEqual([one.id, two.id].sort());

    const refused = await agent.approvals.approve(one.id!).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TandemError);
    expect((refused as TandemError).status).toBe(403);

    await manager.approvals.reject(one.id!, "no");
    expect((await manager.approvals.get(one.id!)).state).toBe("rejected");
    expect((await manager.approvals.listPending({ stream: path })).map((a) => a.id)).toEqual([two.id]);
    expect((await manager.approvals.list({ stream: path, state: "rejected" })).map((a) => a.id)).toEqual([one.id]);
  });

  it("approves an edited event when the gate allows edits", async () => {
    const path = await gatedStream("edit", { allowEdit: true });
    const agent = client("agent-15");
    const handle = await agent.stream(path).requestApproval(refund(250), { idempotencyKey: "k-edit" });
    const manager = client("mia", MANAGER);
    await manager.approvals.approve(handle.id!, { edit: refund(100) });
    const outcome = await handle.decision();
    expect(outcome).toMatchObject({ outcome: "granted", edited: true });
    if (outcome.outcome === "granted") expect(outcome.event.data).toEqual({ ...refund(100), approvalId: handle.id });
  });

  it("gets 404 for an unknown approval", async () => {
    const error = await client("mia", MANAGER).approvals.get("apr_doesnotexist").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "not_found", status: 404 });
  });
});

describe("watchPending", () => {
  it("gives the manager's list now, then again on each request and decision, until aborted", async () => {
    const path = await gatedStream("watch");
    const manager = client("mia", MANAGER);
    const agent = client("agent-31");
    const stop = new AbortController();
    const lists = manager.approvals.watchPending({ stream: path, signal: stop.signal, pollSeconds: 60 })[Symbol.asyncIterator]();
    expect((await lists.next()).value).toEqual([]);

    const afterRequest = lists.next(); // waits on the hub until the list changes
    const handle = await agent.stream(path).requestApproval(refund(300), { idempotencyKey: "k-watch" });
    expect(((await afterRequest).value as Approval[]).map((a) => a.id)).toEqual([handle.id]);

    const afterDecision = lists.next();
    await manager.approvals.reject(handle.id!, "over the order total");
    expect((await afterDecision).value).toEqual([]);

    const stopped = lists.next();
    stop.abort();
    await expect(stopped).rejects.toMatchObject({ code: "aborted" });
  });

  it("refuses a pollSeconds out of range", async () => {
    const watch = client("mia", MANAGER).approvals.watchPending({ pollSeconds: 0 })[Symbol.asyncIterator]();
    await expect(watch.next()).rejects.toMatchObject({ code: "invalid_argument" });
  });
});
