/**
 * Routes live in the URL's hash, so the hub serves one index.html for everything and a reload
 * or a shared link opens the same screen. Stream paths keep their slashes:
 * `#/session/sessions/42`, `#/tree/sessions/42`, `#/replay/sessions/42?at=12`, `#/approvals`.
 */
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { name: "sessions" }
  | { name: "session"; path: string }
  | { name: "approvals"; stream?: string }
  | { name: "tree"; path: string }
  | { name: "replay"; path: string; at?: number }
  | { name: "not-found"; hash: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, "") || "/";
  const [pathPart = "/", query = ""] = raw.split("?", 2);
  const params = new URLSearchParams(query);
  const segments = pathPart.split("/").filter(Boolean).map(safeDecode);
  const [head, ...rest] = segments;
  const stream = rest.join("/");
  switch (head) {
    case undefined:
    case "sessions":
      return { name: "sessions" };
    case "session":
      return stream ? { name: "session", path: stream } : { name: "sessions" };
    case "approvals": {
      const s = params.get("stream");
      return s ? { name: "approvals", stream: s } : { name: "approvals" };
    }
    case "tree":
      return stream ? { name: "tree", path: stream } : { name: "not-found", hash };
    case "replay": {
      if (!stream) return { name: "not-found", hash };
      const at = Number.parseInt(params.get("at") ?? "", 10);
      return Number.isFinite(at) ? { name: "replay", path: stream, at } : { name: "replay", path: stream };
    }
    default:
      return { name: "not-found", hash };
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function encodeStream(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

export const href = {
  sessions: () => "#/",
  session: (path: string) => `#/session/${encodeStream(path)}`,
  approvals: (stream?: string) => (stream ? `#/approvals?stream=${encodeURIComponent(stream)}` : "#/approvals"),
  tree: (path: string) => `#/tree/${encodeStream(path)}`,
  replay: (path: string, at?: number) => `#/replay/${encodeStream(path)}${at === undefined ? "" : `?at=${at}`}`,
};

export function navigate(to: string): void {
  if (location.hash === to) return;
  location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
