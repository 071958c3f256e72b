import { afterEach, describe, expect, it } from "vitest";
import { FIRST_OFFSET, type InboxEntry } from "../../src/index.js";
import { client, closeClients, streamPath } from "./helpers.js";

afterEach(() => closeClients());

const entry = (streams: InboxEntry[], path: string) => streams.find((s) => s.stream === path);

describe("inbox", () => {
  it("lists what the participant follows, with unread counts", async () => {
    const path = streamPath("inbox-get");
    const writer = client("inbox-writer").stream(path);
    await writer.create();
    await writer.append([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const reader = client("inbox-reader-1");
    expect(entry(await reader.inbox.get(), path)).toBeUndefined();
    await reader.stream(path).ack(FIRST_OFFSET);
    expect(entry(await reader.inbox.get({ limit: 10 }), path)).toMatchObject({ stream: path, unread: 3, closed: false });
  });

  it("gives the inbox now, then again on each append and ack, until aborted", async () => {
    const path = streamPath("inbox-watch");
    const writer = client("inbox-writer").stream(path);
    await writer.create();
    const reader = client("inbox-reader-2");
    await reader.stream(path).ack(FIRST_OFFSET);
    const stop = new AbortController();
    const inboxes = reader.inbox.watch({ signal: stop.signal, pollSeconds: 60 })[Symbol.asyncIterator]();
    expect(entry((await inboxes.next()).value as InboxEntry[], path)?.unread).toBe(0);

    const afterAppend = inboxes.next(); // waits on the hub until the inbox changes
    const { next } = await writer.append({ n: 1 });
    expect(entry((await afterAppend).value as InboxEntry[], path)?.unread).toBe(1);

    const afterAck = inboxes.next();
    await reader.stream(path).ack(next);
    expect(entry((await afterAck).value as InboxEntry[], path)?.unread).toBe(0);

    const stopped = inboxes.next();
    stop.abort();
    await expect(stopped).rejects.toMatchObject({ code: "aborted" });
  });

  it("refuses a limit or pollSeconds out of range", async () => {
    const inbox = client("inbox-reader-3").inbox;
    await expect(inbox.get({ limit: 0 })).rejects.toMatchObject({ code: "invalid_argument" });
    await expect(inbox.watch({ pollSeconds: 301 })[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: "invalid_argument" });
  });
});
