import { describe, expect, it } from "vitest";
import { materialize } from "@tandem/sdk";
import { Timeline, type ApprovalItem, type MessageItem, type RunItem } from "../../src/model/timeline.js";
import { parseRoute, href } from "../../src/router.js";

const off = (n: number) => `${String(n).padStart(16, "0")}_0000000000000000`;
const events = (...data: unknown[]) => data.map((d, i) => ({ offset: off(i), data: d }));

describe("Timeline", () => {
  it("shows each event once, whatever order the copies arrive in", () => {
    const t = new Timeline();
    const [a, b, c] = events({ type: "message", text: "a" }, { type: "message", text: "b" }, { type: "message", text: "c" });
    expect(t.add(a!)).toBe(true);
    expect(t.add(b!)).toBe(true);
    expect(t.add(b!)).toBe(false); // a resubscription's overlap
    expect(t.add(a!)).toBe(false);
    expect(t.add(c!)).toBe(true);
    expect(t.items.map((i) => (i.kind === "message" ? i.text : ""))).toEqual(["a", "b", "c"]);
    expect(t.count).toBe(3);
    expect(t.duplicates).toBe(2);
    expect(t.lastOffset).toBe(off(2));
  });

  it("keeps who the hub saw append a message beside who the message says it is from", () => {
    const t = new Timeline();
    t.add({ offset: off(0), data: { type: "message", text: "refund it", from: "mia" }, by: "dev-agent" });
    t.add({ offset: off(1), data: { type: "message", text: "from history", from: "alice" } });
    const [live, history] = t.items as MessageItem[];
    expect([live!.from, live!.by]).toEqual(["mia", "dev-agent"]);
    expect([history!.from, history!.by]).toEqual(["alice", undefined]);
  });

  it("groups a run's events into one card, which the SDK materializes", () => {
    const t = new Timeline();
    t.addAll(
      events(
        { type: "message", text: "go", from: "alice" },
        { type: "run.started", runId: "r1", at: "2026-01-01T00:00:00Z" },
        { type: "plan.created", runId: "r1", plan: { steps: [{ name: "one" }, { name: "two" }] } },
        { type: "step.started", runId: "r1", step: "one", key: "one", at: "x" },
        { type: "text.delta", runId: "r1", text: "Hel" },
        { type: "message", text: "meanwhile" },
        { type: "text.delta", runId: "r1", text: "lo" },
        { type: "step.completed", runId: "r1", step: "one", key: "one", result: 1, at: "x" },
      ),
    );
    expect(t.items.map((i) => i.kind)).toEqual(["message", "run", "message"]);
    const run = t.items[1] as RunItem;
    expect(run.events).toHaveLength(6);
    const state = materialize(run.events, { runId: run.runId });
    expect(state.text).toBe("Hello");
    expect(state.steps.map((s) => [s.name, s.status])).toEqual([
      ["one", "completed"],
      ["two", "pending"],
    ]);
  });

  it("follows an approval from request to decision; the first decision wins", () => {
    const t = new Timeline();
    const proposed = { type: "tool.call", tool: "payments.refund", args: { amount: 250 } };
    t.addAll(
      events(
        { type: "approval.requested", approvalId: "a1", requester: "bot", gate: "g", quorum: 2, expiresAt: "2030-01-01T00:00:00Z", allowEdit: true, proposed },
        { type: "approval.vote", approvalId: "a1", by: "mia", votes: 1, quorum: 2 },
        { type: "approval.granted", approvalId: "a1", by: "max", at: "2030-01-01T00:00:00Z", edited: false, approvers: ["mia", "max"], released: proposed },
        { ...proposed, approvalId: "a1" },
        { type: "approval.rejected", approvalId: "a1", by: "late", reason: "no" },
        { type: "approval.requested", approvalId: "a2", requester: "bot", proposed },
        { type: "approval.expired", approvalId: "a2", outcome: "rejected" },
      ),
    );
    const [a1, tool, a2] = t.items;
    expect(a1!.kind).toBe("approval");
    expect(tool!.kind).toBe("tool");
    const first = a1 as ApprovalItem;
    expect(first.state).toBe("approved");
    expect(first.decidedBy).toBe("max");
    expect(first.votes).toBe(2);
    expect(first.allowEdit).toBe(true);
    expect((a2 as ApprovalItem).state).toBe("expired");
    expect((a2 as ApprovalItem).decidedBy).toBeNull();
    expect(t.pendingApprovals).toEqual([]);
  });

  it("knows spawned children, its parent and when it was canceled", () => {
    const t = new Timeline();
    t.addAll(
      events(
        { type: "stream.created", parent: "s/1", name: "kid", spawner: "bot" },
        { type: "stream.spawned", child: "s/1/agents/kid/agents/g", name: "g", purpose: "p" },
        { type: "stream.canceled", by: "mia", reason: "enough", origin: "s/1" },
        "a plain string",
      ),
    );
    expect(t.parent).toBe("s/1");
    expect(t.items.map((i) => i.kind)).toEqual(["created", "spawned", "notice", "other"]);
    expect(t.status).toBe("canceled");
  });
});

describe("routes", () => {
  it("round-trips stream paths through the hash", () => {
    expect(parseRoute(href.session("a/b c/d"))).toEqual({ name: "session", path: "a/b c/d" });
    expect(parseRoute(href.tree("x/agents/y"))).toEqual({ name: "tree", path: "x/agents/y" });
    expect(parseRoute(href.replay("x/y", 12))).toEqual({ name: "replay", path: "x/y", at: 12 });
    expect(parseRoute(href.approvals("team/a"))).toEqual({ name: "approvals", stream: "team/a" });
    expect(parseRoute("")).toEqual({ name: "sessions" });
    expect(parseRoute("#/nowhere").name).toBe("not-found");
  });
});
