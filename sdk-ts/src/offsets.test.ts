import { describe, expect, it } from "vitest";
import { compareOffsets, isOffset, offsetAfter, offsetPlus } from "./offsets.js";
import { TandemError } from "./errors.js";

describe("offsets", () => {
  it("recognises Tandem offsets", () => {
    expect(isOffset("0000000000000042_0000000000000000")).toBe(true);
    expect(isOffset("-1")).toBe(false);
    expect(isOffset("now")).toBe(false);
    expect(isOffset("42")).toBe(false);
  });

  it("orders offsets as strings", () => {
    expect(compareOffsets("0000000000000009_0000000000000000", "0000000000000010_0000000000000000")).toBeLessThan(0);
    expect(compareOffsets("0000000000000010_0000000000000000", "0000000000000010_0000000000000000")).toBe(0);
  });

  it("computes the offset after an event", () => {
    expect(offsetAfter("0000000000000041_0000000000000000")).toBe("0000000000000042_0000000000000000");
    expect(offsetPlus("0000000000000041_0000000000000000", -41)).toBe("0000000000000000_0000000000000000");
    expect(() => offsetPlus("0000000000000000_0000000000000000", -1)).toThrow(TandemError);
    expect(() => offsetAfter("nope")).toThrow(TandemError);
  });
});
