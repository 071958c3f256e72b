/**
 * Approvals, spawn trees, cancel and forks over HTTP (docs/governance.md). A thin module of
 * the app's own, so the screens work with any SDK version: the SDK's `client.approvals` and
 * `StreamHandle.tree()/cancel()/fork()` call the same endpoints.
 */
import { call, encodePath, followGet, json, type HubAccess } from "./http.js";

export type ApprovalState = "pending" | "approved" | "rejected" | "expired" | "canceled";

export interface ApprovalGate {
  name: string;
  quorum?: number;
  allowEdit?: boolean;
  expiresAfter?: string;
  onExpiry?: string;
  approvers?: { roles?: string[]; subjects?: string[] };
  [key: string]: unknown;
}

export interface Approval {
  id: string;
  stream: string;
  requester: string;
  state: ApprovalState;
  createdAt: string;
  expiresAt: string;
  ageSeconds: number;
  proposed: unknown;
  gate: ApprovalGate;
  votes: { by: string; at: string; event?: unknown }[];
  decision?: { outcome: string; by: string | null; at: string; edited: boolean; reason?: string; released?: unknown };
}

export interface ApprovalChange {
  changed: boolean;
  approval: Approval;
}

export interface PendingQuery {
  stream?: string;
  /** false: every pending approval the caller may read, not only those it may decide. */
  decidable?: boolean;
  limit?: number;
}

/** A pending list and the hub's tag for it. */
export interface PendingList {
  approvals: Approval[];
  etag: string | null;
}

/**
 * `GET /v1/approvals?state=pending`, what this participant may decide now, newest first, as a
 * long-poll: without `etag`, the list now; with the `etag` of the list you have, waits up to
 * `wait` for it to change (a new request, a vote, a decision) and resolves with the new list,
 * or with null when the wait ended without a change.
 */
export async function pendingApprovalsChange(
  access: HubAccess,
  query: PendingQuery,
  etag: string | null,
  options: { wait?: string; signal?: AbortSignal } = {},
): Promise<PendingList | null> {
  const answer = await followGet<{ approvals?: Approval[] }>(access, `/v1/approvals?${pendingParams(query)}`, etag, options);
  return answer && { approvals: answer.body.approvals ?? [], etag: answer.etag };
}

function pendingParams(query: PendingQuery): URLSearchParams {
  const params = new URLSearchParams({ state: "pending" });
  if (query.stream) params.set("stream", query.stream);
  if (query.decidable === false) params.set("decidable", "false");
  params.set("limit", String(query.limit ?? 100));
  return params;
}

export function getApproval(access: HubAccess, id: string): Promise<Approval> {
  return json<Approval>(access, "GET", `/v1/approvals/${encodeURIComponent(id)}`);
}

/** One vote to approve; `edit` approves a changed event (gates with allowEdit). */
export function approve(access: HubAccess, id: string, edit?: unknown): Promise<ApprovalChange> {
  return json<ApprovalChange>(access, "POST", `/v1/approvals/${encodeURIComponent(id)}/approve`, { body: edit === undefined ? {} : { event: edit } });
}

export function reject(access: HubAccess, id: string, reason: string): Promise<ApprovalChange> {
  return json<ApprovalChange>(access, "POST", `/v1/approvals/${encodeURIComponent(id)}/reject`, { body: { reason } });
}

export type TreeState = "open" | "live" | "closed" | "canceled" | "closing" | "canceling";

export interface ForkInfo {
  stream: string;
  offset: string;
  closed: boolean;
  tail: string;
}

export interface TreeNode {
  stream: string;
  state: TreeState;
  closed: boolean;
  createdAt?: string;
  tail: string;
  pendingApprovals: number;
  spawner?: string;
  purpose?: string;
  metadata?: unknown;
  children: TreeNode[];
  forks: ForkInfo[];
  total?: number;
}

/**
 * The subtree of `stream`, as soon as it is no longer the one `etag` names (a node spawned,
 * appended to, closed or canceled; an approval changed), or null when `wait` passes without a
 * change. Without an `etag` it answers at once.
 */
export async function treeChange(
  access: HubAccess,
  stream: string,
  etag: string | null,
  options: { wait?: string; signal?: AbortSignal } = {},
): Promise<{ root: TreeNode; etag: string | null } | null> {
  const answer = await followGet<TreeNode>(access, `/v1/tree/${encodePath(stream)}`, etag, options);
  return answer && { root: answer.body, etag: answer.etag };
}

/** Cancels the stream and its descendants, leaf first; resolves with the canceled paths. */
export async function cancelTree(access: HubAccess, stream: string, reason?: string): Promise<string[]> {
  const answer = await json<{ canceled?: string[] }>(access, "POST", `/v1/tree/${encodePath(stream)}/cancel`, {
    body: reason ? { reason } : {},
  });
  return answer?.canceled ?? [];
}

/** Spawns `{parent}/agents/{name}`. */
export function spawn(access: HubAccess, parent: string, name: string, purpose?: string): Promise<{ stream: string; created: boolean }> {
  const body: Record<string, unknown> = { name };
  if (purpose) body.purpose = purpose;
  return json(access, "POST", `/v1/spawn/${encodePath(parent)}`, { body });
}

/**
 * Forks `source` at `offset` into `{source}/forks/{name}`: the fork reads the source's events
 * before `offset`, then its own (`PUT` with `Stream-Forked-From` and `Stream-Fork-Offset`).
 * `offset` undefined forks at the tail.
 */
export async function fork(access: HubAccess, source: string, name: string, offset?: string): Promise<string> {
  const path = `${source}/forks/${name}`;
  const headers: Record<string, string> = { "Content-Type": "application/json", "Stream-Forked-From": `/${source}` };
  if (offset) headers["Stream-Fork-Offset"] = offset;
  const response = await call(access, "PUT", `/v1/stream/${encodePath(path)}`, { headers });
  await response.body?.cancel();
  return path;
}
