import { describe, expect, it } from "vitest";
import { DeliveryCursor } from "./delivery.js";

const o = (n: number) => `${String(n).padStart(16, "0")}_0000000000000000`;
const ev = (n: number) => ({ offset: o(n), data: { n } });

describe("DeliveryCursor (dedupe)", () => {
  it("lets every new event through, in order, and tracks next", () => {
    const cursor = new DeliveryCursor();
    expect(cursor.accept([ev(0), ev(1)], o(2))).toEqual([ev(0), ev(1)]);
    expect(cursor.accept([ev(2)], o(3))).toEqual([ev(2)]);
    expect(cursor.last).toBe(o(2));
    expect(cursor.next).toBe(o(3));
    expect(cursor.dropped).toBe(0);
  });

  it("drops events at or before the last one delivered (a resubscription that overlaps)", () => {
    const cursor = new DeliveryCursor();
    cursor.accept([ev(0), ev(1), ev(2)], o(3));
    expect(cursor.accept([ev(1), ev(2), ev(3), ev(4)], o(5))).toEqual([ev(3), ev(4)]);
    expect(cursor.accept([ev(4)], o(5))).toEqual([]);
    expect(cursor.dropped).toBe(3);
    expect(cursor.next).toBe(o(5));
  });

  it("drops an event that goes backwards inside one frame", () => {
    const cursor = new DeliveryCursor();
    expect(cursor.accept([ev(5), ev(3), ev(6)], o(7))).toEqual([ev(5), ev(6)]);
    expect(cursor.dropped).toBe(1);
  });

  it("never moves next backwards", () => {
    const cursor = new DeliveryCursor();
    cursor.accept([ev(0), ev(1)], o(2));
    cursor.accept([], o(1));
    expect(cursor.next).toBe(o(2));
    cursor.advanceTo(o(1));
    expect(cursor.next).toBe(o(2));
    cursor.advanceTo(o(9));
    expect(cursor.next).toBe(o(9));
  });

  it("takes the hub's resolved start only when nothing is known yet", () => {
    const cursor = new DeliveryCursor();
    cursor.startAt(o(40));
    expect(cursor.next).toBe(o(40));
    cursor.startAt(o(0)); // a later subscribed reply never rewinds
    expect(cursor.next).toBe(o(40));
  });

  it("derives next from the last event when a frame has none", () => {
    const cursor = new DeliveryCursor();
    cursor.accept([ev(7)]);
    expect(cursor.next).toBe(o(8));
  });

  it("handles offsets beyond 2^53", () => {
    const big = "9007199254740993_0000000000000000";
    const cursor = new DeliveryCursor();
    cursor.accept([{ offset: big, data: 1 }]);
    expect(cursor.next).toBe("9007199254740994_0000000000000000");
  });
});
