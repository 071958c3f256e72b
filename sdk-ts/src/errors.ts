/**
 * The one error type the SDK throws. `code` is the hub's machine-readable code (the same
 * over HTTP and WebSocket) or one of the SDK's own codes; `status` is the HTTP status the
 * refusal has, or 0 for failures that never reached the hub.
 */
export class TandemError extends Error {
  readonly code: string;
  readonly status: number;
  /** Extra fields of the error frame (for example `producerExpectedSeq`). */
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, status = 0, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "TandemError";
    this.code = code;
    this.status = status;
    this.details = details;
  }

  /** True when retrying the same request later may succeed. */
  get retryable(): boolean {
    return (
      this.status >= 500 ||
      this.status === 429 ||
      this.code === ErrorCodes.disconnected ||
      this.code === ErrorCodes.timeout ||
      this.code === ErrorCodes.network
    );
  }

  /** From a WebSocket `error` frame. */
  static fromFrame(frame: Record<string, unknown>): TandemError {
    const { type: _type, re: _re, code, message, status, ...details } = frame;
    return new TandemError(
      typeof code === "string" ? code : "unknown",
      typeof message === "string" ? message : "the hub refused the request",
      typeof status === "number" ? status : 0,
      details,
    );
  }

  /** From a failed HTTP response whose body is `{"error": code, "message": ...}`. */
  static async fromResponse(response: Response): Promise<TandemError> {
    let code = `http_${response.status}`;
    let message = `${response.status} ${response.statusText}`.trim();
    try {
      const text = await response.text();
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      if (typeof body.error === "string") code = body.error;
      if (typeof body.message === "string") message = body.message;
    } catch {
      // not JSON: keep the status line
    }
    const details: Record<string, unknown> = {};
    response.headers.forEach((value, name) => {
      if (/^(producer-|stream-next-offset|stream-closed|retry-after)/i.test(name)) details[name] = value;
    });
    return new TandemError(code, message, response.status, details);
  }
}

/** The SDK's own codes, for failures that are not the hub's answer. */
export const ErrorCodes = {
  /** The WebSocket dropped before the reply came. */
  disconnected: "disconnected",
  /** No reply within `requestTimeoutMs`. */
  timeout: "timeout",
  /** fetch failed (the hub could not be reached). */
  network: "network",
  /** The client was closed, or gave up (close code 4002, a refused hello). */
  closed: "closed",
  /** A bad argument to an SDK call. */
  invalidArgument: "invalid_argument",
  /** The hub closed with 4001 and there is no `getToken` to get a new token. */
  unauthorized: "unauthorized",
  /** A frame larger than the hub's `maxFrameBytes` (checked before sending). */
  frameTooLarge: "frame_too_large",
  /** A subscription on this path is already active in this client. */
  alreadySubscribed: "already_subscribed",
  /** The hub answered something the SDK cannot read. */
  protocol: "protocol_error",
  /** The call was aborted through its `signal`. */
  aborted: "aborted",
  /** A granted approval's released event did not show up in its stream in time. */
  releaseMissing: "release_missing",
} as const;

export function invalidArgument(message: string): TandemError {
  return new TandemError(ErrorCodes.invalidArgument, message);
}

/** Wraps anything thrown into an Error (for callbacks and run steps). */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
