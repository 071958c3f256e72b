/**
 * The hub's JSON API over fetch, for the calls the app makes outside the SDK's live
 * connection. Every failure is an {@link ApiError} built from the hub's
 * `{"error": code, "message": ...}` body, so screens can show the hub's own words.
 */

export interface HubAccess {
  hub: string;
  token: string;
}

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
  }
}

/** `a/b c` → `a/b%20c`: each path segment encoded, slashes kept. */
export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * One call; resolves with the raw response when it is 2xx (or 304 to an `If-None-Match` it
 * sent), throws {@link ApiError} otherwise.
 */
export async function call(access: HubAccess | { hub: string; token?: string }, method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (access.token) headers.Authorization = `Bearer ${access.token}`;
  const init: RequestInit = { method, headers, cache: "no-store" };
  if (options.body !== undefined) {
    headers["Content-Type"] ??= "application/json";
    init.body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  }
  if (options.signal) init.signal = options.signal;
  let response: Response;
  try {
    response = await fetch(`${access.hub}${path}`, init);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError("network", `could not reach the hub at ${access.hub}`, 0);
  }
  // A 304 answers a conditional request the caller made on purpose: it is news, not an error.
  const notModified = response.status === 304 && headers["If-None-Match"] !== undefined;
  if (!response.ok && !notModified) throw await errorFrom(response);
  return response;
}

/**
 * A conditional long-poll (GET `path`): without an `etag`, the answer now; with one, the
 * answer as soon as it is no longer the one `etag` names, or null when `wait` (default 25s)
 * passes without a change. Resolves with the parsed answer and its `ETag`.
 */
export async function followGet<T>(
  access: HubAccess,
  path: string,
  etag: string | null,
  options: { wait?: string; signal?: AbortSignal } = {},
): Promise<{ body: T; etag: string | null } | null> {
  const headers: Record<string, string> = {};
  if (etag) {
    path += `${path.includes("?") ? "&" : "?"}wait=${options.wait ?? "25s"}`;
    headers["If-None-Match"] = etag;
  }
  const response = await call(access, "GET", path, options.signal ? { headers, signal: options.signal } : { headers });
  if (response.status === 304) return null;
  return { body: (await response.json()) as T, etag: response.headers.get("ETag") };
}

/** A JSON call: sends `body` as JSON, resolves with the parsed answer (undefined when empty). */
export async function json<T>(access: HubAccess | { hub: string; token?: string }, method: string, path: string, options: CallOptions = {}): Promise<T> {
  const response = await call(access, method, path, options);
  const text = await response.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError("protocol_error", `${method} ${path} answered with something that is not JSON`, response.status);
  }
}

async function errorFrom(response: Response): Promise<ApiError> {
  let code = `http_${response.status}`;
  let message = `${response.status} ${response.statusText}`.trim();
  try {
    const body = (await response.json()) as { error?: unknown; message?: unknown };
    if (typeof body.error === "string") code = body.error;
    if (typeof body.message === "string") message = body.message;
  } catch {
    // not a JSON error body
  }
  return new ApiError(code, message, response.status);
}

/** What to show for any error: the hub's message, with its code. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.status ? `${error.message} (${error.code})` : error.message;
  if (error && typeof error === "object" && "code" in error && "message" in error) {
    return `${String((error as { message: unknown }).message)} (${String((error as { code: unknown }).code)})`;
  }
  return error instanceof Error ? error.message : String(error);
}
