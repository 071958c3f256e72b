import { describe, expect, it } from "vitest";
import { encodePath, hubUrls } from "./urls.js";

describe("hubUrls", () => {
  it("derives the WebSocket endpoint from the HTTP base and back", () => {
    expect(hubUrls("http://127.0.0.1:4437")).toEqual({ http: "http://127.0.0.1:4437", ws: "ws://127.0.0.1:4437/v1/ws" });
    expect(hubUrls("ws://127.0.0.1:4437/v1/ws")).toEqual({ http: "http://127.0.0.1:4437", ws: "ws://127.0.0.1:4437/v1/ws" });
    expect(hubUrls("https://hub.example/tandem/")).toEqual({ http: "https://hub.example/tandem", ws: "wss://hub.example/tandem/v1/ws" });
  });

  it("refuses what is not a hub URL", () => {
    expect(() => hubUrls("127.0.0.1:4437")).toThrow(/absolute URL|http/);
    expect(() => hubUrls("ftp://x")).toThrow(/http/);
  });

  it("encodes each path segment", () => {
    expect(encodePath("sessions/42")).toBe("sessions/42");
    expect(encodePath("a b/c?d")).toBe("a%20b/c%3Fd");
    expect(() => encodePath("/abs")).toThrow();
  });
});
