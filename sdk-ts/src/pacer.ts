/**
 * Paces outgoing frames under the hub's `maxMessagesPerSecond`. The hub answers a frame over
 * its limit with a `rate_limited` error that cannot name the request it refuses, so the SDK
 * never sends one: a token bucket at 80% of the limit, with bursts of half a second's worth,
 * queues what is over and sends it as tokens come back. Frames leave in the order given.
 */
export class Pacer {
  #tokens: number;
  #capacity: number;
  #perMs: number;
  #last = Date.now();
  #queue: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #write: (frame: string) => void;

  /** `alreadySent`: frames sent on this socket before the pacer existed (the hello). */
  constructor(maxMessagesPerSecond: number, write: (frame: string) => void, alreadySent = 0) {
    const limit = Math.max(1, maxMessagesPerSecond);
    this.#capacity = Math.max(1, Math.floor(limit / 2));
    this.#perMs = (limit * 0.8) / 1000;
    this.#tokens = Math.max(0, this.#capacity - alreadySent);
    this.#write = write;
  }

  /** Frames waiting for a token. */
  get queued(): number {
    return this.#queue.length;
  }

  send(frame: string): void {
    this.#queue.push(frame);
    this.#drain();
  }

  /** Drops what is queued (the socket is gone) and stops the timer. */
  stop(): void {
    this.#queue = [];
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #drain(): void {
    const now = Date.now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#last) * this.#perMs);
    this.#last = now;
    while (this.#queue.length > 0 && this.#tokens >= 1) {
      this.#tokens -= 1;
      this.#write(this.#queue.shift()!);
    }
    if (this.#queue.length > 0 && this.#timer === undefined) {
      const wait = Math.max(1, Math.ceil((1 - this.#tokens) / this.#perMs));
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#drain();
      }, wait);
    }
  }
}
