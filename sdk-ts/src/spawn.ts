/**
 * Spawn trees, forks and policies over HTTP (docs/governance.md): spawn a child stream
 * (`POST /v1/spawn/{parent}`, optionally minting the child agent's token), read the subtree
 * (`GET /v1/tree/{stream}`), cancel it leaf first (`POST /v1/tree/{stream}/cancel`), fork a
 * stream at an offset (`PUT /v1/stream/{path}/forks/{name}` with `Stream-Forked-From` and
 * `Stream-Fork-Offset`), and set or read a stream's policy (`/v1/policies/{stream}`).
 * `StreamHandle` exposes these as `spawn`, `tree`, `cancel`, `fork`, `setPolicy`, `getPolicy`.
 */
import { invalidArgument } from "./errors.js";
import { isOffset } from "./offsets.js";
import { encodePath } from "./urls.js";
import type { HttpApi } from "./http.js";
import type { Offset, Policy, SpawnOptions, TreeNode } from "./types.js";

/** The hub's answer to a spawn. */
export interface Spawned {
  stream: string;
  parent: string;
  created: boolean;
  tail: Offset;
  token?: string;
}

/** Spawns (or finds again: spawning is idempotent by name) the child `{parent}/agents/{name}`. */
export function spawnChild(http: HttpApi, parent: string, name: string | undefined, options: SpawnOptions = {}): Promise<Spawned> {
  if (name !== undefined) checkSegment("a child's name", name);
  const body: Record<string, unknown> = {};
  if (name !== undefined) body.name = name;
  if (options.purpose !== undefined) body.purpose = options.purpose;
  if (options.metadata !== undefined) body.metadata = options.metadata;
  if (options.token === true) body.token = true;
  else if (options.token) {
    const token: Record<string, unknown> = {};
    if (options.token.ttlSeconds !== undefined) token.ttlSeconds = options.token.ttlSeconds;
    if (options.token.actions !== undefined) token.actions = options.token.actions;
    body.token = token;
  }
  return http.json<Spawned>("POST", `/v1/spawn/${encodePath(parent)}`, { body });
}

/** The stream and its spawned subtree, with each node's forks. */
export function tree(http: HttpApi, path: string): Promise<TreeNode> {
  return http.json<TreeNode>("GET", `/v1/tree/${encodePath(path)}`);
}

/** Cancels the stream and all its descendants, leaf first; resolves with the canceled paths. */
export async function cancelTree(http: HttpApi, path: string): Promise<string[]> {
  const answer = await http.json<{ stream: string; canceled: string[] }>("POST", `/v1/tree/${encodePath(path)}/cancel`);
  return answer.canceled;
}

/**
 * Creates `{source}/forks/{name}`: a stream holding `source`'s events before `at` (or all of
 * them, `at: "now"`), then its own. Idempotent for the same source and offset.
 */
export async function createFork(http: HttpApi, source: string, at: Offset | "now", name: string): Promise<{ path: string; created: boolean }> {
  checkSegment("a fork's name", name);
  if (at !== "now" && !isOffset(at)) throw invalidArgument(`fork needs an offset (or "now"), not '${String(at)}'`);
  const path = `${source}/forks/${name}`;
  const headers: Record<string, string> = { "Stream-Forked-From": `/${source}` };
  if (at !== "now") headers["Stream-Fork-Offset"] = at;
  const response = await http.call("PUT", http.streamUrl(path), { headers });
  await response.body?.cancel();
  return { path, created: response.status === 201 };
}

/** Sets the stream's own policy; resolves with it as the hub stored it (defaults filled in). */
export async function setPolicy(http: HttpApi, path: string, policy: Policy): Promise<Policy> {
  if (policy === null || typeof policy !== "object" || Array.isArray(policy)) throw invalidArgument("a policy is a JSON object");
  const answer = await http.json<{ stream: string; policy: Policy }>("PUT", `/v1/policies/${encodePath(path)}`, { body: policy });
  return answer.policy;
}

/** The stream's effective policy: its ancestors' narrowed by its own. */
export async function getPolicy(http: HttpApi, path: string): Promise<Policy> {
  const answer = await http.json<{ stream: string; policy: Policy }>("GET", `/v1/policies/${encodePath(path)}`);
  return answer.policy;
}

function checkSegment(what: string, name: string): void {
  if (typeof name !== "string" || name === "" || name.includes("/")) throw invalidArgument(`${what} is one non-empty path segment, not '${String(name)}'`);
}
