import WS from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { connect, TandemError, type ConnectOptions, type TandemClient, type TreeNode } from "../../src/index.js";
import { client, closeClients, hubUrl, streamPath } from "./helpers.js";

afterEach(() => closeClients());

const MANAGER = { roles: ["manager"], scopes: [{ prefix: "", actions: ["read", "append", "approve"] }] };

/** A client holding only `token` (a child agent's). */
function withToken(token: string): TandemClient {
  return client("unused", { token, WebSocket: WS as unknown as ConnectOptions["WebSocket"] });
}

describe("spawn", () => {
  it("spawns a child whose minted token reaches the child and not the parent", async () => {
    const planner = client("planner");
    const root = planner.stream(streamPath("spawn"));
    await root.create();
    const spawned = await root.spawn("researcher", {
      purpose: "find prior art",
      metadata: { model: "m-1" },
      token: { ttlSeconds: 600, actions: ["read", "append"] },
    });
    expect(spawned.created).toBe(true);
    expect(spawned.stream.path).toBe(`${root.path}/agents/researcher`);
    expect(spawned.stream).toBe(planner.stream(`${root.path}/agents/researcher`));
    expect(typeof spawned.token).toBe("string");

    const { events } = await spawned.stream.read();
    expect(events[0]!.data).toMatchObject({ type: "stream.created", parent: root.path, spawner: "planner", purpose: "find prior art" });
    expect((await root.read()).events.map((e) => e.data)).toContainEqual(
      expect.objectContaining({ type: "stream.spawned", child: spawned.stream.path, metadata: { model: "m-1" } }),
    );

    const child = withToken(spawned.token!);
    const own = await child.stream(spawned.stream.path).append({ type: "note", text: "found it" });
    expect(own.duplicate).toBe(false);
    expect(child.welcome?.participant).toBe(`agent:${spawned.stream.path}`);

    const refused = await child.stream(root.path).append({ type: "note", text: "sneaky" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TandemError);
    expect((refused as TandemError).status).toBe(403);
    await expect(child.stream(root.path).read()).rejects.toMatchObject({ status: 403 });

    const again = await root.spawn("researcher");
    expect(again.created).toBe(false);
    expect(again.stream).toBe(spawned.stream);
    expect(again.token).toBeUndefined();
  });

  it("shows the child in the tree", async () => {
    const planner = client("planner");
    const root = planner.stream(streamPath("tree"));
    await root.create();
    const { stream: child } = await root.spawn("writer", { purpose: "draft", metadata: { model: "m-2" } });
    const unnamed = await root.spawn();
    expect(unnamed.stream.path).toMatch(new RegExp(`^${root.path}/agents/.+`));

    const tree = await root.tree();
    expect(tree.stream).toBe(root.path);
    expect(tree.state).toBe("open");
    expect(tree.children.map((c) => c.stream).sort()).toEqual([child.path, unnamed.stream.path].sort());
    expect(tree.children.find((c) => c.stream === child.path)).toMatchObject({
      state: "open",
      spawner: "planner",
      purpose: "draft",
      metadata: { model: "m-2" },
      pendingApprovals: 0,
      children: [],
      forks: [],
    });
  });

  it("watches the tree: now, then on each spawn and cancel, until aborted", async () => {
    const planner = client("planner");
    const root = planner.stream(streamPath("watch-tree"));
    await root.create();
    const stop = new AbortController();
    const trees = root.watchTree({ signal: stop.signal, pollSeconds: 60 })[Symbol.asyncIterator]();
    expect(((await trees.next()).value as TreeNode).children).toEqual([]);

    const afterSpawn = trees.next(); // waits on the hub until the tree changes
    const { stream: child } = await root.spawn("helper");
    expect(((await afterSpawn).value as TreeNode).children.map((c) => c.stream)).toEqual([child.path]);

    await child.cancel();
    let state: string | undefined;
    for (let answers = 0; state !== "canceled" && answers < 5; answers++) {
      state = ((await trees.next()).value as TreeNode).children[0]?.state;
    }
    expect(state).toBe("canceled");

    const stopped = trees.next();
    stop.abort();
    await expect(stopped).rejects.toMatchObject({ code: "aborted" });
  });

  it("refuses a spawn past the policy's limits", async () => {
    const planner = client("planner");
    const root = planner.stream(streamPath("limits"));
    await root.create();
    await root.setPolicy({ spawn: { maxChildren: 1 } });
    await root.spawn("one");
    await expect(root.spawn("two")).rejects.toMatchObject({ code: "spawn_limit_exceeded", status: 409 });
  });
});

describe("fork", () => {
  it("reads the source's first events, then its own", async () => {
    const alice = client("alice");
    const source = alice.stream(streamPath("fork-source"));
    await source.create();
    await source.append([1, 2, 3, 4, 5].map((step) => ({ type: "step", step })));
    const fork = await source.fork("0000000000000003_0000000000000000", "what-if");
    expect(fork.path).toBe(`${source.path}/forks/what-if`);
    await fork.append({ type: "step", step: "3b" });
    await source.append({ type: "step", step: 6 }); // after the fork point: never in the fork

    const { events } = await fork.read();
    expect(events.map((e) => (e.data as { step: unknown }).step)).toEqual([1, 2, 3, "3b"]);
    expect(events.map((e) => e.offset)).toEqual([0, 1, 2, 3].map((n) => `000000000000000${n}_0000000000000000`));

    expect(await source.fork("0000000000000003_0000000000000000", "what-if")).toBe(fork); // idempotent
    const tree = await source.tree();
    expect(tree.forks).toEqual([expect.objectContaining({ stream: fork.path, offset: "0000000000000003_0000000000000000", closed: false })]);
    await expect(source.fork("not-an-offset" as string)).rejects.toMatchObject({ code: "invalid_argument" });
  });
});

describe("cancel", () => {
  it("cancels the subtree leaf first: children closed, their pending approvals canceled", async () => {
    const planner = client("planner");
    const root = planner.stream(streamPath("cancel"));
    await root.create();
    await root.setPolicy({
      gates: [{ name: "deploys", match: { type: "deploy" }, approvers: { roles: ["manager"] } }],
    });
    const { stream: child } = await root.spawn("builder");
    const { stream: grandchild } = await child.spawn("tester");

    // The root's gate holds the grandchild's deploy (inherited policy).
    const held = await grandchild.requestApproval({ type: "deploy", env: "prod" }, { idempotencyKey: "deploy-1" });
    expect(held.gated).toBe(true);
    expect((await grandchild.getPolicy()).gates?.map((g) => g.name)).toEqual(["deploys"]);
    expect((await client("mia", MANAGER).approvals.listPending({ stream: root.path })).map((a) => a.id)).toEqual([held.id]);

    const canceled = await child.cancel();
    expect(canceled.sort()).toEqual([child.path, grandchild.path].sort());
    expect(await held.decision()).toMatchObject({ outcome: "canceled" });

    expect((await child.head()).closed).toBe(true);
    expect((await grandchild.head()).closed).toBe(true);
    const last = (await grandchild.read()).events.at(-1)!;
    expect(last.data).toMatchObject({ type: "stream.canceled" });
    await expect(child.append({ type: "late" })).rejects.toMatchObject({ code: "stream_closed" });

    const tree = await root.tree();
    expect(tree.state).toBe("open");
    expect(tree.children[0]).toMatchObject({ stream: child.path, state: "canceled", closed: true });
    expect(tree.children[0]!.children[0]).toMatchObject({ stream: grandchild.path, state: "canceled" });
  });
});

describe("policies", () => {
  it("sets a policy, reads it back with defaults, and refuses a bad one", async () => {
    const admin = client("admin-1");
    const stream = admin.stream(streamPath("policy"));
    await stream.create();
    const stored = await stream.setPolicy({ gates: [{ name: "big", match: { type: "tool.call" } }] });
    expect(stored.gates![0]).toMatchObject({ name: "big", quorum: 1, allowEdit: false, onExpiry: "reject", expiresAfter: "PT24H" });
    expect(await stream.getPolicy()).toEqual(stored);

    const error = await stream.setPolicy({ gates: [{ name: "bad", match: { type: "x" }, quorum: 0 }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TandemError);
    expect(error).toMatchObject({ code: "invalid_policy", status: 400 });
    expect((error as Error).message).toContain("gates[0].quorum");

    const { stream: child } = await stream.spawn("kid");
    const widening = await child.setPolicy({ gates: [{ name: "big", match: { type: "tool.call" }, allowEdit: true }] }).catch((e: unknown) => e);
    expect(widening).toMatchObject({ code: "policy_widens_inherited", status: 400 });
  });
});

it("connects a child agent with nothing but its token", async () => {
  // The README's flow: the token is all a spawned agent needs.
  const root = client("planner").stream(streamPath("child-connect"));
  await root.create();
  const { stream, token } = await root.spawn("solo", { token: true });
  const child = connect({ url: hubUrl(), token: token!, WebSocket: WS as unknown as ConnectOptions["WebSocket"] });
  try {
    await child.stream(stream.path).append({ hello: "parent" });
    expect((await child.stream(stream.path).read()).events.at(-1)!.data).toEqual({ hello: "parent" });
  } finally {
    child.close();
  }
});
