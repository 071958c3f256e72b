/**
 * The hub's HTTP API as the SDK uses it: the Durable Streams protocol under
 * `/v1/stream/{path}` (PUT create, GET catch-up reads, HEAD, DELETE) and the participant's
 * cursor under `/v1/cursors/{path}`. Every failure becomes a {@link TandemError} built from the
 * hub's `{"error": code, "message": ...}` body.
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
    const response = await this.#call("PUT", this.streamUrl(path), headers);
    await response.body?.cancel();
    return { created: response.status === 201, next: response.headers.get("Stream-Next-Offset") ?? FIRST_OFFSET };
  }

  async head(path: string): Promise<StreamInfo> {
    const response = await this.#call("HEAD", this.streamUrl(path));
    return {
      contentType: response.headers.get("Content-Type") ?? "application/octet-stream",
      next: response.headers.get("Stream-Next-Offset") ?? FIRST_OFFSET,
      closed: response.headers.get("Stream-Closed") === "true",
    };
  }

  async delete(path: string): Promise<void> {
    const response = await this.#call("DELETE", this.streamUrl(path));
    await response.body?.cancel();
  }

  /** This participant's acknowledged offset on `path`, or null when it has none. */
  async cursor(path: string): Promise<Offset | null> {
    const query = this.#participant ? `?participant=${encodeURIComponent(this.#participant)}` : "";
    const response = await this.#call("GET", `${this.base}/v1/cursors/${encodePath(path)}${query}`);
    const body = (await response.json()) as { cursor?: Offset | null };
    return body.cursor ?? null;
  }

  /** Catch-up reads from `from` until the tail (or `limit` events). */
  async read<T = unknown>(path: string, options: ReadOptions = {}): Promise<ReadResult<T>> {
    const limit = options.limit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw invalidArgument("limit must be a positive integer");
    let offset = await this.#startOffset(path, options.from ?? "beginning");
    const events: StreamEvent<T>[] = [];
    for (;;) {
      const response = await this.#call("GET", `${this.streamUrl(path)}?offset=${encodeURIComponent(offset)}`);
      const next = response.headers.get("Stream-Next-Offset") ?? offset;
      const upToDate = response.headers.get("Stream-Up-To-Date") === "true";
      const closed = response.headers.get("Stream-Closed") === "true";
      const page = await pageEvents<T>(response, offset, next);
      events.push(...page);
      if (limit !== undefined && events.length >= limit) {
        if (events.length > limit) {
          const rest = events.splice(limit);
          return { events, next: rest[0]!.offset, upToDate: false, closed: false };
        }
        return { events, next, upToDate, closed };
      }
      if (upToDate || page.length === 0) return { events, next, upToDate, closed };
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

  async #call(method: string, url: string, headers: Record<string, string> = {}): Promise<Response> {
    const token = await this.#token();
    if (token) headers.Authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await this.#fetch(url, { method, headers, cache: "no-store" });
    } catch (error) {
      throw new TandemError(ErrorCodes.network, `${method} ${url} failed: ${(error as Error).message}`);
    }
    if (!response.ok) throw await TandemError.fromResponse(response);
    return response;
  }
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
  const offset = requested === "-1" ? FIRST_OFFSET : isOffset(requested) ? requested : next;
  return [{ offset, data: bytes as unknown as T }];
}
