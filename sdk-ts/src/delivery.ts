/**
 * The subscriber's side of "exactly once, in order": remembers the last offset handed to
 * the application and the `next` offset to resume from, and lets through only events that
 * come after what was already handed out. The hub already guarantees this per
 * subscription; the cursor makes it hold across resubscriptions too (a safety net for
 * overlaps after a reconnect), so a handler never sees an offset twice or out of order.
 */
import { isOffset, offsetAfter } from "./offsets.js";
import type { Offset, StreamEvent } from "./types.js";

export class DeliveryCursor {
  #last: Offset | undefined;
  #next: Offset | undefined;
  #dropped = 0;

  constructor(next?: Offset) {
    this.#next = next;
  }

  /** The offset of the last event let through. */
  get last(): Offset | undefined {
    return this.#last;
  }

  /** Where to resume: everything before it has been let through. */
  get next(): Offset | undefined {
    return this.#next;
  }

  /** How many events were dropped as duplicates or out of order. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Sets the resume point if none is known yet (the hub's resolved `from` on subscribe). */
  startAt(offset: Offset): void {
    if (this.#next === undefined) this.#next = offset;
  }

  /**
   * The events of one `events` frame that were not let through before, in order; advances
   * the cursor past them and to the frame's `next`.
   */
  accept<T>(events: StreamEvent<T>[], frameNext?: Offset): StreamEvent<T>[] {
    const fresh: StreamEvent<T>[] = [];
    for (const event of events) {
      if (this.#last !== undefined && !(event.offset > this.#last)) {
        this.#dropped++;
        continue;
      }
      this.#last = event.offset;
      fresh.push(event);
    }
    const candidates = [frameNext, ...(fresh.length ? [nextAfterLast(fresh)] : [])];
    for (const candidate of candidates) {
      if (candidate !== undefined && (this.#next === undefined || candidate > this.#next)) {
        this.#next = candidate;
      }
    }
    return fresh;
  }

  /** Moves the resume point forward (a `stream.closed` frame's `next`). */
  advanceTo(offset: Offset): void {
    if (this.#next === undefined || offset > this.#next) this.#next = offset;
  }
}

/** Without a frame `next`, the resume point is right after the last event. */
function nextAfterLast(events: StreamEvent<unknown>[]): Offset | undefined {
  const last = events[events.length - 1]!.offset;
  return isOffset(last) ? offsetAfter(last) : undefined;
}
