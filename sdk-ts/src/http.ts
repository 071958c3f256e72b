/**
 * The hub's HTTP API as the SDK uses it: the Durable Streams protocol under
 * `/v1/stream/{path}` (PUT create, GET catch-up reads, HEAD, DELETE) and the participant's
 * cursor under `/v1/cursors/{path}`, plus `json()` for the JSON API (approvals, policies, spawn,
 * trees). Every failure becomes a {@link TandemError} built from the hub's
 * `{"error": code, "message": ...}` body.
 *
 * Catch-up reads of JSON streams return a JSON array of records; the records of one
 * response are consecutive, so the offset of each is counted back from `Stream-Next-Offset`.
 */
import { ErrorCodes, invalidArgument, TandemError } from "./errors.js";
import { FIRST_OFFSET, isOffset, offsetPlus } from "./offsets.js";
import { encodePath } from "./urls.js";
import type { CreateOptions, CreateResult, From, Offset, ReadOptions, ReadResult, StreamEvent, StreamInfo } from "./types.js";

export class HttpApi {
  readonly base: string;
  readonly #fetch: typeof fetch;
  readonly #token: () => Promise<string | undefined>;
  readonly #participant: string | undefined;

  constructor(base: string, fetchImpl: typeof fetch, token: () => Promise<string | undefined>, participant?: string) {
    this.base = base;
    this.#fetch = fetchImpl;
    this.#token = token;
    this.#participant = participant;
  }

  streamUrl(path: string): string {
    return `${this.base}/v1/stream/${encodePath(path)}`;
  }

  async create(path: string, options: CreateOptions = {}): Promise<CreateResult> {
    const headers: Record<string, string> = { "Content-Type": options.contentType ?? "application/json" };
    if (options.ttlSeconds !== undefined) headers["Stream-TTL"] = String(options.ttlSeconds);
    if (options.expiresAt !== undefined) headers["Stream-Expires-At"] = options.expiresAt;
    const response = await this.call("PUT", this.streamUrl(path), { headers });
    await response.body?.cancel();
    return { created: response.status === 201, next: response.headers.get("Stream-Next-Offset") ?? FIRST_OFFSET };
  }

  async head(path: string): Promise<StreamInfo> {
    const response = await this.call("HEAD", this.streamUrl(path));
    return {
      contentType: response.headers.get("Content-Type") ?? "application/octet-stream",
      next: response.headers.get("Stream-Next-Offset") ?? FIRST_OFFSET,
      closed: response.headers.get("Stream-Closed") === "true",
    };
  }

  async delete(path: string): Promise<void> {
    const response = await this.call("DELETE", this.streamUrl(path));
    await response.body?.cancel();
  }

  /** This participant's acknowledged offset on `path`, or null when it has none. */
  async cursor(path: string): Promise<Offset | null> {
    const query = this.#participant ? `?participant=${encodeURIComponent(this.#participant)}` : "";
    const response = await this.call("GET", `${this.base}/v1/cursors/${encodePath(path)}${query}`);
    const body = (await response.json()) as { cursor?: Offset | null };
    return body.cursor ?? null;
  }

  /** Catch-up reads from `from` until the tail (or `limit` events). */
  async read<T = unknown>(path: string, options: ReadOptions = {}): Promise<ReadResult<T>> {
    const limit = options.limit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw invalidArgument("limit must be a positive integer");
    const events: StreamEvent<T>[] = [];
    let last: ReadResult<T> = { events, next: FIRST_OFFSET, upToDate: true, closed: false };
    for await (const page of this.pages<T>(path, options.from ?? "beginning")) {
      events.push(...page.events);
      last = page;
      if (limit !== undefined && events.length >= limit) {
        if (events.length > limit) {
          const rest = events.splice(limit);
          return { events, next: rest[0]!.offset, upToDate: false, closed: false };
        }
        return { events, next: page.next, upToDate: page.upToDate, closed: page.closed };
      }
    }
    return { events, next: last.next, upToDate: last.upToDate, closed: last.closed };
  }

  /** The catch-up read page by page, from `from` until the tail: stop iterating to stop reading. */
  async *pages<T = unknown>(path: string, from: From, signal?: AbortSignal): AsyncGenerator<ReadResult<T>> {
    let offset = await this.#startOffset(path, from);
    for (;;) {
      const response = await this.call("GET", `${this.streamUrl(path)}?offset=${encodeURIComponent(offset)}`, signal ? { signal } : {});
      const next = response.headers.get("Stream-Next-Offset") ?? offset;
      const upToDate = response.headers.get("Stream-Up-To-Date") === "true";
      const closed = response.headers.get("Stream-Closed") === "true";
      const events = await pageEvents<T>(response, offset, next);
      yield { events, next, upToDate, closed };
      if (upToDate || events.length === 0) return;
      offset = next;
    }
  }

  async #startOffset(path: string, from: From): Promise<string> {
    if (from === "beginning" || from === "-1") return "-1";
    if (from === "now") return "now";
    if (from === "cursor") return (await this.cursor(path)) ?? "-1";
    if (!isOffset(from)) throw invalidArgument(`from must be beginning, now, cursor or an offset, not '${from}'`);
    return from;
  }

  /** A JSON call to the hub's API (`/v1/...`): sends `body` as JSON, returns the parsed answer. */
  async json<T>(method: string, apiPath: string, options: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<T> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const response = await this.call(method, `${this.base}${apiPath}`, {
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw abortError(options.signal);
      throw new TandemError(ErrorCodes.network, `${method} ${apiPath} failed while reading the answer: ${(error as Error).message}`);
    }
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new TandemError(ErrorCodes.protocol, `${method} ${apiPath} answered ${response.status} with a body that is not JSON`, response.status);
    }
  }

  /**
   * One HTTP call with the client's token; a non-2xx answer throws the hub's error, except a
   * 304 to an `If-None-Match` the caller sent, which is its answer.
   */
  async call(method: string, url: string, options: { headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {}): Promise<Response> {
    const headers = { ...options.headers };
    const token = await this.#token();
    if (token) headers.Authorization = `Bearer ${token}`;
    let response: Response;
    try {
      const init: RequestInit = { method, headers, cache: "no-store" };
      if (options.body !== undefined) init.body = options.body;
      if (options.signal) init.signal = options.signal;
      response = await this.#fetch(url, init);
    } catch (error) {
      if (options.signal?.aborted) throw abortError(options.signal);
      throw new TandemError(ErrorCodes.network, `${method} ${url} failed: ${(error as Error).message}`);
    }
    const notModified = response.status === 304 && headers["If-None-Match"] !== undefined;
    if (!response.ok && !notModified) throw await TandemError.fromResponse(response);
    return response;
  }
}

/** The error an aborted call rejects with: the signal's reason when it is a TandemError, else `aborted`. */
export function abortError(signal: AbortSignal): TandemError {
  const reason: unknown = signal.reason;
  if (reason instanceof TandemError) return reason;
  return new TandemError(ErrorCodes.aborted, reason instanceof Error ? reason.message : "the call was aborted");
}

/** The events of one catch-up response. */
async function pageEvents<T>(response: Response, requested: string, next: Offset): Promise<StreamEvent<T>[]> {
  if (response.status === 204) return [];
  const contentType = (response.headers.get("Content-Type") ?? "").toLowerCase();
  if (contentType.startsWith("application/json")) {
    const records = (await response.json()) as unknown;
    if (!Array.isArray(records)) throw new TandemError(ErrorCodes.protocol, "a JSON stream read did not return an array");
    const first = offsetPlus(next, -records.length);
    return records.map((data, i) => ({ offset: offsetPlus(first, i), data: data as T }));
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length === 0) return [];
  // Where the bytes begin: the hub says (from -1 that is the first record retention kept).
  const first = response.headers.get("Tandem-First-Offset");
  const offset = first !== null && isOffset(first) ? first : requested === "-1" ? FIRST_OFFSET : isOffset(requested) ? requested : next;
  return [{ offset, data: bytes as unknown as T }];
}
