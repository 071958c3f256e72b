/**
 * The web client end to end, against a real hub: an agent (the SDK in Node) runs a scripted
 * session with a gated action; a manager decides from the approvals inbox in one browser
 * context; a human follows the session live in another, reloads mid-run, loses the network,
 * comes back to unread events; the spawn tree is canceled from one context and seen in both;
 * the session is replayed and forked. Screenshots of every screen go to test-results/.
 *
 * The tests in this file run in order and share the session they build up.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { Run, StreamHandle, TandemClient } from "@tandem/sdk";
import {
  accessibilityViolations,
  devTokens,
  eventually,
  hubCall,
  launchBrowser,
  person,
  PHONE,
  screenshot,
  sdkClient,
  signIn,
  sleep,
  type DevToken,
  type Person,
} from "./helpers.js";

const hubUrl = inject("hubUrl");
const appUrl = inject("appUrl");
const SESSION = `e2e/refund-${Date.now().toString(36)}`;

const PLAN = [
  { name: "lookup", description: "Find order 17 and what was paid" },
  { name: "refund", description: "Refund the customer (a manager approves)" },
  { name: "reply", description: "Tell the customer" },
];
const LOOKUP_TEXT = "Looking up order 17… it was paid in full: $250. ";
const REPLY_WORDS = "Your refund of $250 is on its way and should arrive within three to five business days. Thank you for your patience!".split(" ");
const REPLY_TEXT = REPLY_WORDS.map((w, i) => (i === 0 ? w : ` ${w}`)).join("");

let browser: Browser;
let tokens: Record<string, DevToken>;
let agent: TandemClient;
let stream: StreamHandle;
let run: Run;
let human: Person;
let manager: Person;
const everyone: Person[] = [];
/** Console errors a test expects (network failures while it cuts the network). */
const allowed: RegExp[] = [];

async function storedEvents(path = SESSION): Promise<Array<{ offset: string; data: Record<string, unknown> }>> {
  const result = await agent.stream(path).read({ from: "beginning" });
  return result.events as Array<{ offset: string; data: Record<string, unknown> }>;
}

async function timelineInfo(page: Page) {
  return page.locator("ol.timeline").evaluate((el) => ({
    count: Number(el.getAttribute("data-count")),
    duplicates: Number(el.getAttribute("data-duplicates")),
    last: el.getAttribute("data-last-offset"),
    offsets: [...el.querySelectorAll("[data-offset]")].map((e) => e.getAttribute("data-offset")),
  }));
}

/** The session shows exactly the stored events: none missing, none twice. */
async function expectInSync(page: Page, path = SESSION) {
  const events = await storedEvents(path);
  await eventually(async () => (await timelineInfo(page)).count === events.length, 15_000, `timeline shows ${events.length} events`);
  const info = await timelineInfo(page);
  expect(info.count).toBe(events.length);
  expect(info.duplicates).toBe(0);
  expect(info.last).toBe(events.at(-1)!.offset);
  expect(new Set(info.offsets).size).toBe(info.offsets.length);
  return events;
}

async function expectAccessible(page: Page, screen: string) {
  const violations = await accessibilityViolations(page);
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (violations.length) console.log(`axe on ${screen}:`, JSON.stringify(violations, null, 1));
  expect(serious, `accessibility violations on ${screen}`).toEqual([]);
}

function expectNoConsoleErrors() {
  const errors = everyone.flatMap((p) => p.errors.splice(0)).filter((e) => !allowed.some((re) => re.test(e)));
  expect(errors).toEqual([]);
}

async function openSession(p: Person, path = SESSION, page = p.page) {
  await page.goto(`${appUrl}/#/session/${path}`);
  await page.locator("section.session[data-phase='live']").waitFor();
}

beforeAll(async () => {
  tokens = await devTokens(hubUrl);
  browser = await launchBrowser();
  agent = sdkClient(hubUrl, tokens.agent!.token, "agent");
  agent.onError(() => {});
  stream = agent.stream(SESSION);
});

afterAll(async () => {
  agent?.close();
  await browser?.close();
});

describe("web client", () => {
  it("signs in with a dev token in one click, and refuses what is not a token", async () => {
    human = await person(browser, "human");
    everyone.push(human);
    const page = human.page;
    await page.goto(`${appUrl}/`);
    const buttons = page.locator("button[data-token-name]");
    await buttons.first().waitFor();
    expect(await buttons.evaluateAll((els) => els.map((e) => e.getAttribute("data-token-name")))).toEqual(["admin", "manager", "agent", "human"]);
    await screenshot(page, "01-sign-in");
    await expectAccessible(page, "sign-in");

    await page.getByLabel("Token (JWT)").fill("not-a-token");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/cannot be used/);

    await page.locator('button[data-token-name="human"]').click();
    await page.locator(".connection[data-state='open']").waitFor();
    await page.getByRole("heading", { name: "Sessions", level: 1 }).waitFor();
    expect(await page.locator(".me-name").textContent()).toBe("dev-human");
    expectNoConsoleErrors();
  });

  it("creates a session, which then appears in the inbox", async () => {
    const page = human.page;
    await page.getByLabel("Session path").fill(SESSION);
    await page.getByLabel("First message (optional)").fill("Hi! Customer 17 wants a refund for their order.");
    await page.getByRole("button", { name: "Create session" }).click();
    await page.locator("section.session[data-phase='live']").waitFor();
    expect(await page.locator("#session-heading").textContent()).toBe(SESSION);
    await page.locator(".message.mine").getByText("Customer 17 wants a refund").waitFor();
    await expectInSync(page);

    // the admin gates refunds over $100 on this session (and so on its children)
    await hubCall(hubUrl, tokens.admin!.token, "PUT", `/v1/policies/${SESSION}`, {
      gates: [
        {
          name: "refunds-over-100",
          match: { type: "tool.call", where: [{ field: "tool", eq: "payments.refund" }, { field: "args.amount", gt: 100 }] },
          approvers: { roles: ["manager"] },
          expiresAfter: "1h",
          allowEdit: true,
        },
      ],
    });

    await page.getByRole("link", { name: "Sessions", exact: true }).click();
    await page.locator(`.inbox-row[data-stream="${SESSION}"]`).waitFor();
    expectNoConsoleErrors();
  });

  it("shows the agent's plan, steps and streamed text live, with presence", async () => {
    await openSession(human);
    const page = human.page;
    stream.presence.onPresence(() => {}); // the agent watches who is here (and who is typing)
    await stream.presence.join({ step: "lookup" });
    run = await stream.startRun({ plan: PLAN });
    await page.locator(`article.run[data-run-id="${run.runId}"]`).waitFor();
    await page.locator(`.presence-chip[data-participant="dev-agent"]`).getByText("on step “lookup”").waitFor();

    await run.step("lookup", async () => {
      for (const piece of LOOKUP_TEXT.match(/.{1,6}/g)!) {
        void run.text(piece);
        await sleep(30);
      }
      await page.locator(".step[data-step='lookup'][data-step-status='running']").waitFor();
      return { order: 17, paid: 250 };
    });
    await page.locator(".step[data-step='lookup'][data-step-status='completed']").waitFor();
    await eventually(async () => (await page.locator("[data-testid='run-text']").textContent()) === LOOKUP_TEXT, 10_000, "streamed text");
    expect(await page.locator(".step[data-step='refund']").getAttribute("data-step-status")).toBe("pending");

    // the human types: the agent sees it in presence
    await page.getByLabel("Message").pressSequentially("Thanks, ", { delay: 20 });
    await eventually(() => stream.presence.current.find((m) => m.participant === "dev-human")?.state.typing === true, 5000, "typing presence");
    await page.getByLabel("Message").fill("Thanks, go ahead.");
    await page.getByLabel("Message").press("Enter");
    await page.locator(".message.mine").getByText("Thanks, go ahead.").waitFor();
    await expectInSync(page);
    await expectAccessible(page, "session");
    expectNoConsoleErrors();
  });

  let refundDecision: Promise<string>;

  it("puts the gated refund inline as a pending approval; a reload resumes without duplicates", async () => {
    const page = human.page;
    await stream.presence.update({ step: "refund" });
    refundDecision = run.step("refund", async () => {
      const handle = await stream.requestApproval(
        { type: "tool.call", tool: "payments.refund", args: { order: 17, amount: 250 }, runId: run.runId },
        { idempotencyKey: `refund-17-${SESSION}` },
      );
      expect(handle.gated).toBe(true);
      const decision = await handle.decision({ pollSeconds: 5 });
      return decision.outcome;
    });
    const card = page.locator("article.approval").first();
    await card.waitFor();
    expect(await card.getAttribute("data-state")).toBe("pending");
    expect(await card.locator(".proposed-summary").textContent()).toContain("payments.refund");
    expect(await page.locator(".step[data-step='refund']").getAttribute("data-step-status")).toBe("running");
    // the human is not an approver: no buttons
    expect(await card.getByRole("button", { name: "Approve" }).count()).toBe(0);
    await screenshot(page, "03-session-approval-pending");

    await page.reload();
    await page.locator("section.session[data-phase='live']").waitFor();
    await expectInSync(page);
    expect(await page.locator("article.approval").count()).toBe(1);
    expect(await page.locator("article.run").count()).toBe(1);
    expect(await page.locator("[data-testid='run-text']").textContent()).toBe(LOOKUP_TEXT);
    expect(await page.locator(".message").filter({ hasText: "Thanks, go ahead." }).count()).toBe(1);
    expectNoConsoleErrors();
  });

  it("lets a manager approve from the approvals inbox; the human sees the decision live", async () => {
    manager = await person(browser, "manager");
    everyone.push(manager);
    await signIn(manager, appUrl, "manager");
    const page = manager.page;
    await page.locator("[data-testid='nav-approvals'] .count").waitFor();
    await page.getByTestId("nav-approvals").click();
    const card = page.locator("article.approval-card").filter({ hasText: SESSION });
    await card.waitFor();
    await expect(card.locator(".approval-title").textContent()).resolves.toContain("payments.refund");
    await expect(card.textContent()).resolves.toMatch(/dev-agent/);
    await expect(card.textContent()).resolves.toMatch(/Expires\s*in (59|60) min/);
    await screenshot(page, "04-approvals-inbox");
    await expectAccessible(page, "approvals");

    await card.getByRole("button", { name: "Approve", exact: true }).click();
    await card.getByText("Approved. See it in the session").waitFor();

    const humanCard = human.page.locator("article.approval").first();
    await eventually(async () => (await humanCard.getAttribute("data-state")) === "approved", 10_000, "approved live");
    await expect(humanCard.getByTestId("approval-outcome").textContent()).resolves.toMatch(/Approved by dev-manager/);
    await human.page.locator("li.tool").getByText("released after approval").waitFor();
    expect(await refundDecision).toBe("granted");
    await human.page.locator(".step[data-step='refund'][data-step-status='completed']").waitFor();
    await screenshot(human.page, "05-session-approved");
    expectNoConsoleErrors();
  });

  it("streams the reply; a reload in the middle of it resumes exactly where it was", async () => {
    const page = human.page;
    await stream.presence.update({ step: "reply" });
    const streaming = run.step("reply", async () => {
      for (const [i, word] of REPLY_WORDS.entries()) {
        void run.text(i === 0 ? word : ` ${word}`);
        await sleep(60);
      }
      return { sent: true };
    });
    // reload in the middle of the reply: once its first words are on the page
    const runText = page.locator(`article.run[data-run-id="${run.runId}"] [data-testid='run-text']`);
    const started = LOOKUP_TEXT + REPLY_WORDS.slice(0, 3).join(" ");
    await eventually(async () => ((await runText.textContent()) ?? "").startsWith(started), 10_000, "the reply under way");
    const subscribes: Array<{ from: string }> = [];
    page.on("websocket", (ws) =>
      ws.on("framesent", (frame) => {
        const data = JSON.parse(String(frame.payload)) as { type: string; stream?: string; from: string };
        if (data.type === "subscribe" && data.stream === SESSION) subscribes.push(data);
      }),
    );
    const { cursor } = await hubCall<{ cursor: string }>(hubUrl, tokens.human!.token, "GET", `/v1/cursors/${SESSION}`);
    await page.reload();
    await page.locator("section.session[data-phase='live']").waitFor();
    // history up to the cursor came over HTTP; live delivery starts at the cursor (an explicit
    // offset: the one stored when the page reloaded, at or after the one read just before)
    expect(subscribes[0]?.from).toMatch(/^\d{16}_\d{16}$/);
    expect(subscribes[0]!.from >= cursor).toBe(true);
    await streaming;
    await run.complete({ data: { refunded: 250 } });
    await stream.presence.update({ status: "done" });

    const runCard = page.locator(`article.run[data-run-id="${run.runId}"]`);
    await eventually(async () => (await runCard.getAttribute("data-status")) === "completed", 10_000, "run completed");
    expect(await runCard.locator("[data-testid='run-text']").textContent()).toBe(LOOKUP_TEXT + REPLY_TEXT);
    expect(await runCard.locator(".problems").count()).toBe(0); // the final text reconciles with the deltas
    expect(await runCard.locator(".step[data-step-status='completed']").count()).toBe(3);
    await expectInSync(page);
    await screenshot(page, "06-session-completed", true);
    expectNoConsoleErrors();
  });

  it("rejects with a reason and approves an edited event, both shown in the session", async () => {
    const page = manager.page;
    const big = await stream.requestApproval({ type: "tool.call", tool: "payments.refund", args: { order: 18, amount: 900 } }, { idempotencyKey: `r18-${SESSION}` });
    const edit = await stream.requestApproval({ type: "tool.call", tool: "payments.refund", args: { order: 19, amount: 300 } }, { idempotencyKey: `r19-${SESSION}` });

    // No reload and no Refresh: the open list and the pending count follow the hub's long-poll,
    // within moments (they used to poll every 3 s and 10 s).
    const bigCard = page.locator(`article.approval-card[data-approval-id="${big.id}"]`);
    const editCard = page.locator(`article.approval-card[data-approval-id="${edit.id}"]`);
    await bigCard.waitFor({ timeout: 5000 });
    await editCard.waitFor({ timeout: 5000 });
    const pending = await hubCall<{ approvals: unknown[] }>(hubUrl, tokens.manager!.token, "GET", "/v1/approvals?state=pending&limit=100");
    await eventually(
      async () => (await page.locator("[data-testid='nav-approvals'] .count").textContent()) === String(pending.approvals.length),
      5000,
      "the pending count follows",
    );
    await editCard.waitFor();

    await bigCard.getByRole("button", { name: "Reject…" }).click();
    await bigCard.getByLabel("Reason for rejecting").fill("Over the order total");
    await screenshot(page, "07a-approvals-reject");
    await bigCard.getByRole("button", { name: "Reject", exact: true }).click();
    await bigCard.getByText("Rejected. See it in the session").waitFor();

    await editCard.getByRole("button", { name: "Edit and approve…" }).click();
    const editor = editCard.getByLabel("Edited event (JSON)");
    await editor.fill("{ not json");
    await editCard.getByRole("button", { name: "Approve edited event" }).click();
    await editCard.getByRole("alert").getByText(/not valid JSON/).waitFor();
    await editor.fill(JSON.stringify({ type: "tool.call", tool: "payments.refund", args: { order: 19, amount: 120 } }, null, 2));
    await screenshot(page, "07b-approvals-edit");
    await editCard.getByRole("button", { name: "Approve edited event" }).click();
    await editCard.getByText("Approved with edits. See it in the session").waitFor();

    const rejected = await big.decision();
    expect(rejected.outcome).toBe("rejected");
    expect(rejected.outcome === "rejected" && rejected.reason).toBe("Over the order total");
    const granted = await edit.decision();
    expect(granted.outcome).toBe("granted");
    expect(granted.outcome === "granted" && (granted.event.data as { args: { amount: number } }).args.amount).toBe(120);

    const humanPage = human.page;
    const humanBig = humanPage.locator(`article.approval[data-approval-id="${big.id}"]`);
    const humanEdit = humanPage.locator(`article.approval[data-approval-id="${edit.id}"]`);
    await eventually(async () => (await humanBig.getAttribute("data-state")) === "rejected", 10_000, "rejected live");
    await expect(humanBig.getByTestId("approval-outcome").textContent()).resolves.toMatch(/Rejected by dev-manager.*Over the order total/);
    await eventually(async () => (await humanEdit.getAttribute("data-state")) === "approved", 10_000, "edit approved live");
    await expect(humanEdit.getByTestId("approval-outcome").textContent()).resolves.toMatch(/Approved by dev-manager with edits/);
    await expectInSync(humanPage);
    // nothing of this session waits any more (the inbox narrowed to it)
    await page.goto(`${appUrl}/#/approvals?stream=${encodeURIComponent(SESSION)}`);
    await page.locator("[data-testid='approvals-empty']").waitFor({ timeout: 10_000 });
    expectNoConsoleErrors();
  });

  it("shows the connection dropping and resumes after a network outage with no gap or duplicate", async () => {
    const page = human.page;
    allowed.push(/WebSocket connection to .* failed/, /Failed to load resource/, /ERR_(CONNECTION|EMPTY_RESPONSE|NETWORK)/);
    const outage = fetch(`${appUrl}/__test/outage?ms=3000`, { method: "POST" });
    await outage;
    await page.locator(".connection:not([data-state='open'])").waitFor({ timeout: 5000 });
    const state = await page.locator(".connection").getAttribute("data-state");
    expect(["reconnecting", "connecting", "offline"]).toContain(state);
    await screenshot(page, "08-reconnecting");
    for (let i = 1; i <= 5; i++) await stream.append({ type: "message", text: `While you were offline #${i}`, from: "dev-agent" });
    await page.locator(".connection[data-state='open']").waitFor({ timeout: 20_000 });
    for (let i = 1; i <= 5; i++) {
      await page.locator(".message").getByText(`While you were offline #${i}`, { exact: true }).waitFor();
      expect(await page.locator(".message").getByText(`While you were offline #${i}`, { exact: true }).count()).toBe(1);
    }
    await expectInSync(page);
    expectNoConsoleErrors();
    allowed.length = 0;
  });

  it("marks what arrived while the human was away as unread, in the inbox and the session", async () => {
    const page = human.page;
    await page.getByRole("link", { name: "Sessions", exact: true }).click();
    await page.getByRole("heading", { name: "Sessions", level: 1 }).waitFor();
    const row = page.locator(`.inbox-row[data-stream="${SESSION}"]`);
    // the session's last ack has landed
    await eventually(async () => (await row.textContent())?.includes("all read"), 15_000, "all read in the inbox");
    for (const text of ["Order 18 was refused", "Order 19 refunded $120"]) {
      await stream.append({ type: "message", text, from: "dev-agent" });
    }
    // a message that names someone else than the agent that appends it
    await stream.append({ type: "message", text: "Anything else?", from: "dev-manager" });
    // The inbox follows the hub (a long-poll answered by the appends), not a 5 s poll.
    await eventually(async () => (await row.textContent())?.includes("3 new"), 4_000, "3 unread in the inbox, live");
    await screenshot(page, "02-sessions-inbox");
    await expectAccessible(page, "sessions");

    await row.getByRole("link").click();
    await page.locator("section.session[data-phase='live']").waitFor();
    await page.locator("#unread-divider").getByText("3 new since you were last here").waitFor();
    expect(await page.locator(".item.unread").count()).toBe(3);
    // the hub says who appended it: the agent, however the message signs itself
    const signed = page.locator(".message").filter({ hasText: "Anything else?" });
    expect(await signed.locator(".msg-author").textContent()).toBe("dev-agent");
    expect(await signed.getByTestId("claimed-author").textContent()).toContain("dev-manager");
    await expectInSync(page);
    await screenshot(page, "09-session-unread");
    // seen now: the cursor moves to the tail, and the inbox says so
    await eventually(async () => {
      const inbox = await hubCall<{ streams: Array<{ stream: string; unread: number }> }>(hubUrl, tokens.human!.token, "GET", "/v1/inbox");
      return inbox.streams.find((s) => s.stream === SESSION)?.unread === 0;
    }, 10_000, "acked");
    expectNoConsoleErrors();
  });

  it("shows the spawn tree with states and pending approvals; canceling a subtree updates both contexts", async () => {
    const researcher = (await stream.spawn("researcher", { purpose: "Find earlier refunds for this customer" })).stream;
    const checker = (await researcher.spawn("fact-checker", { purpose: "Verify the amounts" })).stream;
    await stream.spawn("writer", { purpose: "Draft the reply to the customer" });
    const held = await checker.requestApproval({ type: "tool.call", tool: "payments.refund", args: { order: 20, amount: 400 } }, { idempotencyKey: `r20-${SESSION}` });
    expect(held.gated).toBe(true); // the root's gate holds a grandchild's action

    // the human sees the children as links in the session
    const humanPage = human.page;
    await humanPage.locator("li.spawned").getByRole("link", { name: "researcher" }).waitFor();
    await humanPage.locator("li.spawned").getByRole("link", { name: "writer" }).waitFor();

    // the manager opens the tree
    const page = manager.page;
    await page.goto(`${appUrl}/#/tree/${SESSION}`);
    const node = (path: string, p = page) => p.locator(`li.tree-node[data-stream="${path}"]`);
    await node(checker.path).waitFor();
    expect(await page.locator("li.tree-node").count()).toBe(4);
    expect(await node(checker.path).locator("[data-testid='pending-approvals']").first().textContent()).toBe("1 pending approval");
    expect(await node(researcher.path).getAttribute("data-state")).toBe("open");
    await screenshot(page, "10-tree");
    await expectAccessible(page, "tree");

    // the human watches the researcher's session in one tab and the tree in another
    await humanPage.locator("li.spawned").getByRole("link", { name: "researcher" }).click();
    await humanPage.locator("section.session[data-phase='live']").waitFor();
    await humanPage.locator("li.created").getByRole("link", { name: SESSION }).waitFor();
    const humanTree = await human.context.newPage();
    // the tree follows the hub: after the first answer, each call waits on the tree it shows
    const treeWaits: string[] = [];
    humanTree.on("request", (r) => {
      if (r.url().includes("/v1/tree/") && r.headers()["if-none-match"]) treeWaits.push(r.url());
    });
    await humanTree.goto(`${appUrl}/#/tree/${SESSION}`);
    await node(checker.path, humanTree).waitFor();

    // the manager cancels the researcher's subtree
    await node(researcher.path).locator(":scope > .node-card").getByRole("button", { name: /Cancel subtree: .*researcher and its 1 descendant/ }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Reason (optional)").fill("Not needed any more");
    await screenshot(page, "11-tree-cancel-dialog");
    await dialog.getByRole("button", { name: "Cancel subtree" }).click();
    await dialog.waitFor({ state: "detached" });

    await eventually(async () => (await node(researcher.path).getAttribute("data-state")) === "canceled", 10_000, "canceled (manager)");
    expect(await node(checker.path).getAttribute("data-state")).toBe("canceled");
    expect(await node(SESSION).getAttribute("data-state")).toBe("open");
    expect(await node(`${SESSION}/agents/writer`).getAttribute("data-state")).toBe("open");
    expect(await node(checker.path).locator("[data-testid='pending-approvals']").count()).toBe(0);
    await screenshot(page, "12-tree-canceled");

    // ... and the human sees it too: in the tree, and live in the researcher's session
    await eventually(async () => (await node(researcher.path, humanTree).getAttribute("data-state")) === "canceled", 10_000, "canceled (human tree)");
    expect(treeWaits.some((url) => /[?&]wait=/.test(url))).toBe(true);
    expect(await node(checker.path, humanTree).getAttribute("data-state")).toBe("canceled");
    await humanPage.locator("li.notice").getByText("Session canceled").waitFor();
    await expect(humanPage.locator("li.notice").textContent()).resolves.toMatch(/by dev-manager: Not needed any more/);
    await humanPage.locator(".closed-banner").waitFor();
    expect(await humanPage.locator("#composer-input").count()).toBe(0);
    await screenshot(humanPage, "13-child-session-canceled");
    expect((await held.decision()).outcome).toBe("canceled");
    await humanTree.close();
    expectNoConsoleErrors();
  });

  it("replays the session at any offset and forks from there", async () => {
    const page = human.page;
    const events = await storedEvents();
    const requested = events.findIndex((e) => e.data.type === "approval.requested");
    const position = requested + 1; // just after the refund was asked for
    await page.goto(`${appUrl}/#/replay/${SESSION}?at=${position}`);
    const slider = page.getByLabel(/Position: after/);
    await slider.waitFor();
    expect(await slider.getAttribute("max")).toBe(String(events.length));
    expect(await page.getByTestId("replay-position").textContent()).toBe(String(position));
    // keyboard: one back, one forward
    await slider.focus();
    await slider.press("ArrowLeft");
    expect(await page.getByTestId("replay-position").textContent()).toBe(String(position - 1));
    expect(await page.locator("article.approval").count()).toBe(0);
    await slider.press("ArrowRight");
    const card = page.locator("article.approval").first();
    expect(await card.getAttribute("data-state")).toBe("pending"); // as it was then
    expect(await page.locator("article.run").getAttribute("data-status")).toBe("running");
    expect(await page.locator(".step[data-step='refund']").getAttribute("data-step-status")).toBe("running");
    expect(Number(await page.locator("ol.timeline").getAttribute("data-count"))).toBe(position);
    await screenshot(page, "14-replay");
    await expectAccessible(page, "replay");

    await page.getByLabel("Fork name").fill("what-if");
    await page.getByRole("button", { name: "Fork from here" }).click();
    await page.locator("section.session[data-phase='live']").waitFor();
    expect(await page.locator("#session-heading").textContent()).toBe(`${SESSION}/forks/what-if`);
    await expectInSync(page, `${SESSION}/forks/what-if`);
    expect(Number(await page.locator("ol.timeline").getAttribute("data-count"))).toBe(position);
    await page.locator("article.approval").getByText("decided on the source session").waitFor();
    await page.getByRole("link", { name: "↑ Forked from" }).waitFor();
    await page.getByLabel("Message").fill("What if we had refunded only $100?");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator(".message.mine").getByText("What if we had refunded only $100?").waitFor();
    await screenshot(page, "15-fork");
    const original = await storedEvents();
    expect(original.some((e) => e.data.text === "What if we had refunded only $100?")).toBe(false);
    const tree = await hubCall<{ forks: Array<{ stream: string }> }>(hubUrl, tokens.human!.token, "GET", `/v1/tree/${SESSION}`);
    expect(tree.forks.map((f) => f.stream)).toContain(`${SESSION}/forks/what-if`);
    expectNoConsoleErrors();
  });

  it("fits a phone screen: every screen without sideways scrolling", async () => {
    const phoneHuman = await person(browser, "phone-human", PHONE);
    const phoneManager = await person(browser, "phone-manager", PHONE);
    everyone.push(phoneHuman, phoneManager);
    const pending = await stream.requestApproval({ type: "tool.call", tool: "payments.refund", args: { order: 21, amount: 180 } }, { idempotencyKey: `r21-${SESSION}` });

    const fits = async (page: Page, name: string) => {
      // measured once what was just rendered is laid out and painted
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
      const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
      expect(scroll, `${name} is wider than the phone`).toBeLessThanOrEqual(width);
      await screenshot(page, name);
    };
    await phoneHuman.page.goto(`${appUrl}/`);
    await phoneHuman.page.locator("button[data-token-name]").first().waitFor();
    await fits(phoneHuman.page, "20-phone-sign-in");
    await phoneHuman.page.locator('button[data-token-name="human"]').click();
    await phoneHuman.page.locator(`.inbox-row[data-stream="${SESSION}"]`).waitFor();
    await fits(phoneHuman.page, "21-phone-sessions");
    await openSession(phoneHuman);
    await phoneHuman.page.locator(`article.approval[data-approval-id="${pending.id}"]`).waitFor();
    await fits(phoneHuman.page, "22-phone-session");

    await signIn(phoneManager, appUrl, "manager");
    await phoneManager.page.getByTestId("nav-approvals").click();
    const card = phoneManager.page.locator(`article.approval-card[data-approval-id="${pending.id}"]`);
    await card.waitFor();
    await fits(phoneManager.page, "23-phone-approvals");
    // an approver can also decide inline, in the session itself
    await card.getByRole("link", { name: SESSION }).click();
    const inline = phoneManager.page.locator(`article.approval[data-approval-id="${pending.id}"]`);
    await inline.getByRole("button", { name: "Approve", exact: true }).click();
    await eventually(async () => (await inline.getAttribute("data-state")) === "approved", 10_000, "approved inline");
    await eventually(
      async () => (await phoneHuman.page.locator(`article.approval[data-approval-id="${pending.id}"]`).getAttribute("data-state")) === "approved",
      10_000,
      "approved on the phone",
    );
    await phoneManager.page.goto(`${appUrl}/#/tree/${SESSION}`);
    await phoneManager.page.locator("li.tree-node").first().waitFor();
    await fits(phoneManager.page, "24-phone-tree");
    await phoneHuman.page.goto(`${appUrl}/#/replay/${SESSION}`);
    await phoneHuman.page.getByLabel(/Position: after/).waitFor();
    await fits(phoneHuman.page, "25-phone-replay");
    expectNoConsoleErrors();
  });

  it("is served by the hub itself at / (when the jar carries it)", async (context) => {
    const response = await fetch(`${hubUrl}/`);
    const body = await response.text();
    if (response.status === 404 && /built without the web client/.test(body)) context.skip();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(body)?.[1];
    expect(script).toBeTruthy();
    const asset = await fetch(`${hubUrl}/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);

    const visitor = await person(browser, "served-by-hub");
    everyone.push(visitor);
    await signIn(visitor, hubUrl, "human");
    await visitor.page.goto(`${hubUrl}/#/session/${SESSION}`);
    await visitor.page.locator("section.session[data-phase='live']").waitFor();
    await visitor.page.reload(); // a deep link survives a reload
    await visitor.page.locator("section.session[data-phase='live']").waitFor();
    await expectInSync(visitor.page);
    await visitor.context.close();
    expectNoConsoleErrors();
  });
});
