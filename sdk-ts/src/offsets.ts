/**
 * Offsets as Tandem issues them: `NNNNNNNNNNNNNNNN_0000000000000000`, the record's sequence
 * number in 16 fixed-width digits. Fixed width makes string order equal offset order, which
 * is all the dedupe logic needs; arithmetic (the offset after an event) uses BigInt because
 * 16 digits exceed 2^53.
 */
import { invalidArgument } from "./errors.js";
import type { Offset } from "./types.js";

const PATTERN = /^(\d{16})_(\d{16})$/;

export function isOffset(value: unknown): value is Offset {
  return typeof value === "string" && PATTERN.test(value);
}

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareOffsets(a: Offset, b: Offset): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The offset `delta` records after `offset`. */
export function offsetPlus(offset: Offset, delta: number | bigint): Offset {
  const match = PATTERN.exec(offset);
  if (!match) throw invalidArgument(`'${offset}' is not a Tandem offset`);
  const seq = BigInt(match[1]!) + BigInt(delta);
  if (seq < 0n) throw invalidArgument(`offset ${offset} minus ${-BigInt(delta)} is negative`);
  return `${seq.toString().padStart(16, "0")}_${match[2]}`;
}

/** The offset right after an event: what to acknowledge once it has been handled. */
export function offsetAfter(offset: Offset): Offset {
  return offsetPlus(offset, 1);
}

/** The offset of the first record of a stream. */
export const FIRST_OFFSET: Offset = "0000000000000000_0000000000000000";
