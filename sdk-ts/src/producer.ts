/**
 * The idempotent producer behind `stream.append`: every append is one batch with the
 * producer's id, epoch and the next sequence number, and the hub stores a (id, epoch, seq)
 * at most once. Batches are pipelined in order on the one socket; the hub commits a stream's
 * appends in arrival order.
 *
 * Retrying: a batch whose reply never came (the socket dropped, no reply in time) is sent
 * again after the reconnect with the SAME seq — if the first attempt landed, the hub answers
 * `duplicate: true` and stores nothing. A batch after it may be refused with
 * `producer_seq_gap` meanwhile; it waits for its predecessor and goes again. A batch the hub
 * refuses outright (closed stream, too large, ...) was not stored: it fails, and the batches
 * behind it move down one seq so the sequence has no hole.
 */
import { backoffDelay } from "./backoff.js";
import { ErrorCodes, invalidArgument, TandemError } from "./errors.js";
import type { HubSocket, Frame } from "./hub-socket.js";
import type { AppendOptions, AppendResult, Offset } from "./types.js";

interface Batch {
  seq: number;
  events: unknown[];
  close: boolean;
  /** queued: waiting to be sent; sent: waiting for its reply. */
  status: "queued" | "sent";
  /** Bumped on every send, so a late reply to an older attempt is recognised. */
  attempt: number;
  resolve: (result: AppendResult) => void;
  reject: (error: Error) => void;
}

export class Producer {
  readonly id: string;
  readonly epoch: number;
  readonly stream: string;
  readonly #connection: HubSocket;
  #nextSeq = 0;
  #batches: Batch[] = []; // not yet acknowledged, in seq order
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryAttempt = 0;
  #idleWaiters: Array<() => void> = [];

  constructor(connection: HubSocket, stream: string, id: string, epoch: number) {
    if (!id) throw invalidArgument("producerId must not be empty");
    if (!Number.isInteger(epoch) || epoch < 0) throw invalidArgument("epoch must be an integer >= 0");
    this.#connection = connection;
    this.stream = stream;
    this.id = id;
    this.epoch = epoch;
    connection.onOpen(() => this.#resendAll());
    connection.onStateChange((change) => {
      if (change.state === "closed") this.#failAll(change.error ?? new TandemError(ErrorCodes.closed, "the client was closed"));
    });
  }

  /** The seq the next batch will get. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Batches not yet acknowledged. */
  get pending(): number {
    return this.#batches.length;
  }

  append(events: unknown[], options: AppendOptions = {}): Promise<AppendResult> {
    if (this.#connection.state === "closed") return Promise.reject(new TandemError(ErrorCodes.closed, "the client is closed"));
    if (events.length === 0 && !options.close) return Promise.reject(invalidArgument("append needs at least one event"));
    for (const event of events) {
      if (event === undefined) return Promise.reject(invalidArgument("events must be JSON values (undefined is not)"));
    }
    return new Promise((resolve, reject) => {
      const batch: Batch = { seq: this.#nextSeq++, events, close: options.close === true, status: "queued", attempt: 0, resolve, reject };
      this.#batches.push(batch);
      this.#pump();
    });
  }

  /** Resolves when every batch appended so far is acknowledged (or failed). */
  flush(): Promise<void> {
    if (this.#batches.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  // ---- sending ----------------------------------------------------------------------------

  #pump(): void {
    if (this.#retryTimer !== undefined || this.#connection.state !== "open") return;
    for (const batch of this.#batches) {
      if (batch.status === "queued") this.#send(batch);
    }
  }

  #send(batch: Batch): void {
    batch.status = "sent";
    const attempt = ++batch.attempt;
    const seq = batch.seq;
    const frame: Record<string, unknown> = {
      type: "append",
      stream: this.stream,
      events: batch.events,
      producer: { id: this.id, epoch: this.epoch, seq },
    };
    if (batch.close) frame.close = true;
    this.#connection.request(frame).then(
      (reply) => this.#onAppended(batch, seq, reply),
      (error: TandemError) => this.#onRefused(batch, attempt, error),
    );
  }

  #resendAll(): void {
    for (const batch of this.#batches) batch.status = "queued";
    this.#pump();
  }

  // ---- replies ----------------------------------------------------------------------------

  #onAppended(batch: Batch, seq: number, reply: Frame): void {
    if (!this.#batches.includes(batch) || batch.seq !== seq) return; // already settled, or renumbered
    this.#remove(batch);
    this.#retryAttempt = 0;
    batch.resolve({
      first: reply.first as Offset,
      next: reply.next as Offset,
      duplicate: reply.duplicate === true,
      closed: reply.closed === true,
    });
    this.#pump();
  }

  #onRefused(batch: Batch, attempt: number, error: TandemError): void {
    if (!this.#batches.includes(batch) || batch.attempt !== attempt || batch.status !== "sent") return;
    const earlierPending = this.#batches[0] !== batch;
    if (error.code === ErrorCodes.disconnected) {
      batch.status = "queued"; // the next welcome resends everything, in order
      return;
    }
    if (error.code === "producer_seq_gap" && earlierPending) {
      batch.status = "queued"; // goes again once the batch before it is settled
      return;
    }
    if (error.retryable) {
      this.#requeueFrom(batch);
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#pump();
      }, backoffDelay(this.#retryAttempt++, this.#connection.options.backoff));
      return;
    }
    // Refused: not stored. Close the hole its seq would leave.
    this.#remove(batch);
    for (const later of this.#batches) {
      if (later.seq > batch.seq) {
        later.seq -= 1;
        later.status = "queued";
      }
    }
    this.#nextSeq -= 1;
    batch.reject(error);
    this.#pump();
  }

  #requeueFrom(batch: Batch): void {
    for (const b of this.#batches) {
      if (b.seq >= batch.seq) b.status = "queued";
    }
  }

  #remove(batch: Batch): void {
    this.#batches = this.#batches.filter((b) => b !== batch);
    if (this.#batches.length === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  #failAll(error: Error): void {
    const batches = this.#batches;
    this.#batches = [];
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    for (const batch of batches) batch.reject(error);
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
