import { describe, expect, it } from "vitest";
import { HttpApi } from "./http.js";
import { FIRST_OFFSET } from "./offsets.js";

const RETAINED = "0000000000000030_0000000000000000";
const TAIL = "0000000000000033_0000000000000000";

/** A hub that answers one byte-stream read, with or without saying where its records begin. */
function hub(firstOffset: string | null): HttpApi {
  const fake = async () => {
    const headers: Record<string, string> = {
      "Content-Type": "application/octet-stream",
      "Stream-Next-Offset": TAIL,
      "Stream-Up-To-Date": "true",
    };
    if (firstOffset !== null) headers["Tandem-First-Offset"] = firstOffset;
    return new Response(new Uint8Array([1, 2, 3]), { status: 200, headers });
  };
  return new HttpApi("http://hub.test", fake as typeof fetch, async () => undefined);
}

describe("byte-stream reads", () => {
  it("take the offset of the first record from the hub (from -1, retention may have moved it)", async () => {
    const { events, next } = await hub(RETAINED).read("bytes", { from: "beginning" });
    expect(events).toHaveLength(1);
    expect(events[0]!.offset).toBe(RETAINED);
    expect(next).toBe(TAIL);
  });

  it("fall back to the stream's first offset when the hub does not say", async () => {
    const { events } = await hub(null).read("bytes", { from: "beginning" });
    expect(events[0]!.offset).toBe(FIRST_OFFSET);
  });
});
