/**
 * The hub's two addresses from the one the user gives: the HTTP base (for the Durable
 * Streams API) and the WebSocket endpoint `/v1/ws`. Either may be given; a path prefix
 * (a hub behind a proxy at `/tandem`) is kept.
 */
import { invalidArgument } from "./errors.js";

export const WS_PATH = "/v1/ws";

export interface HubUrls {
  http: string;
  ws: string;
}

export function hubUrls(url: string): HubUrls {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidArgument(`url '${url}' is not an absolute URL (for example http://127.0.0.1:4437)`);
  }
  const secure = parsed.protocol === "https:" || parsed.protocol === "wss:";
  if (!["http:", "https:", "ws:", "wss:"].includes(parsed.protocol)) {
    throw invalidArgument(`url '${url}' must be http(s) or ws(s)`);
  }
  let base = parsed.pathname.replace(/\/+$/, "");
  if (base.endsWith(WS_PATH)) base = base.slice(0, -WS_PATH.length);
  const host = parsed.host;
  return {
    http: `${secure ? "https" : "http"}://${host}${base}`,
    ws: `${secure ? "wss" : "ws"}://${host}${base}${WS_PATH}`,
  };
}

/** `/v1/stream/a/b` for the stream `a/b`: each segment percent-encoded, slashes kept. */
export function encodePath(path: string): string {
  if (!path || path.startsWith("/")) throw invalidArgument(`stream path '${path}' must be non-empty and relative`);
  return path.split("/").map(encodeURIComponent).join("/");
}
