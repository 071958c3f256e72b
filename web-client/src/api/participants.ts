/**
 * The participant's side of the hub over HTTP: development tokens, the inbox, cursors and
 * creating a session stream (docs/websocket.md "Inbox", "Cursors"; docs/security.md).
 */
import { call, encodePath, followGet, json, type HubAccess } from "./http.js";

export interface DevToken {
  name: string;
  subject: string;
  roles: string[];
  token: string;
}

/** The hub's development tokens (dev mode only, to this machine); [] when it serves none. */
export async function devTokens(hub: string): Promise<DevToken[]> {
  try {
    const answer = await json<{ tokens?: DevToken[] }>({ hub }, "GET", "/v1/dev/tokens");
    return Array.isArray(answer?.tokens) ? answer.tokens : [];
  } catch {
    return [];
  }
}

export interface InboxEntry {
  stream: string;
  tail: string;
  cursor: string | null;
  unread: number;
  lastActivity: string | null;
  closed: boolean;
}

export interface Inbox {
  participant: string;
  streams: InboxEntry[];
}

export function inbox(access: HubAccess, limit = 100): Promise<Inbox> {
  return json<Inbox>(access, "GET", `/v1/inbox?limit=${limit}`);
}

/**
 * The inbox, as soon as it is no longer the one `etag` names (an event on a followed stream,
 * a cursor moved from any device), or null when `wait` passes without a change. Without an
 * `etag` it answers at once.
 */
export async function inboxChange(
  access: HubAccess,
  etag: string | null,
  options: { wait?: string; limit?: number; signal?: AbortSignal } = {},
): Promise<{ inbox: Inbox; etag: string | null } | null> {
  const answer = await followGet<Inbox>(access, `/v1/inbox?limit=${options.limit ?? 100}`, etag, options);
  return answer && { inbox: answer.body, etag: answer.etag };
}

export interface CursorInfo {
  stream: string;
  cursor: string | null;
  tail: string;
}

export function cursor(access: HubAccess, stream: string): Promise<CursorInfo> {
  return json<CursorInfo>(access, "GET", `/v1/cursors/${encodePath(stream)}`);
}

/** Creates a JSON session stream; resolves true when it was created, false when it existed. */
export async function createSession(access: HubAccess, stream: string): Promise<boolean> {
  const response = await call(access, "PUT", `/v1/stream/${encodePath(stream)}`, { headers: { "Content-Type": "application/json" } });
  await response.body?.cancel();
  return response.status === 201;
}
