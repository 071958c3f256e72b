/**
 * Who is signed in: the hub's URL and a token (JWT), kept in localStorage so a reload stays
 * signed in. The token's claims are read (not verified: the hub verifies) to show who this is
 * and which screens apply (approvals for managers and admins).
 */

export interface Claims {
  sub: string;
  roles: string[];
  exp?: number;
}

export interface Auth {
  hub: string;
  token: string;
  claims: Claims;
}

const TOKEN_KEY = "tandem.token";
const HUB_KEY = "tandem.hub";

/** Reads a JWT's payload. Throws when it is not a JWT. */
export function decodeClaims(token: string): Claims {
  const parts = token.trim().split(".");
  if (parts.length !== 3 || !parts[1]) throw new Error("this is not a JWT (it should be three dot-separated parts)");
  let payload: Record<string, unknown>;
  try {
    const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    payload = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    throw new Error("the token's payload is not readable JSON");
  }
  const sub = typeof payload.sub === "string" ? payload.sub : "";
  if (!sub) throw new Error("the token has no subject (sub)");
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string").map((r) => r.toLowerCase()) : [];
  const claims: Claims = { sub, roles };
  if (typeof payload.exp === "number") claims.exp = payload.exp;
  return claims;
}

export function isExpired(claims: Claims, now = Date.now()): boolean {
  return claims.exp !== undefined && claims.exp * 1000 <= now;
}

/** May this identity decide approvals (the default approvers are managers and admins)? */
export function canApprove(claims: Claims): boolean {
  return claims.roles.includes("manager") || claims.roles.includes("admin");
}

export function participantKind(claims: Claims): "human" | "agent" {
  return claims.roles.includes("agent") && !claims.roles.includes("human") ? "agent" : "human";
}

/**
 * The hub to talk to: `?hub=` on the page's URL (remembered), else the remembered one, else
 * the origin that served this page (the hub serves the client at `/`).
 */
export function initialHub(): string {
  const fromQuery = new URLSearchParams(location.search).get("hub");
  if (fromQuery) {
    const hub = normalizeHub(fromQuery);
    safeSet(HUB_KEY, hub);
    return hub;
  }
  return safeGet(HUB_KEY) ?? defaultHub();
}

export function defaultHub(): string {
  // The page's directory: a hub behind a proxy at /tandem/ serves the client at /tandem/.
  const path = location.pathname.replace(/[^/]*$/, "").replace(/\/+$/, "");
  return `${location.origin}${path}`;
}

export function normalizeHub(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, "");
  const parsed = new URL(trimmed);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("the hub's URL starts with http:// or https://");
  return trimmed;
}

export function loadAuth(): Auth | null {
  const token = safeGet(TOKEN_KEY);
  if (!token) return null;
  try {
    const claims = decodeClaims(token);
    if (isExpired(claims)) return null;
    return { hub: initialHub(), token, claims };
  } catch {
    return null;
  }
}

export function saveAuth(auth: Auth): void {
  safeSet(TOKEN_KEY, auth.token);
  if (auth.hub === defaultHub()) safeRemove(HUB_KEY);
  else safeSet(HUB_KEY, auth.hub);
}

export function clearAuth(): void {
  safeRemove(TOKEN_KEY);
}

function safeGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function safeSet(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // private mode: the sign-in lasts for this page only
  }
}

function safeRemove(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // nothing stored
  }
}
