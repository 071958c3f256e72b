/**
 * What the end-to-end tests share: Debian's Chromium driven by playwright-core, one browser
 * context per person (its own storage, so its own sign-in), console error capture, screenshots
 * under test-results/, an accessibility check (axe-core), the hub's dev tokens and an agent
 * that uses the SDK from Node.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import WebSocket from "ws";
import { connect, type TandemClient, type WebSocketConstructor } from "@tandem/sdk";

const here = dirname(fileURLToPath(import.meta.url));
export const RESULTS = resolve(here, "../../test-results");

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  // Each launch gets a fresh, temporary profile (user data dir) from Playwright.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen on any of this person's pages. */
  errors: string[];
}

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };

export async function person(browser: Browser, name: string, viewport = DESKTOP): Promise<Person> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, reducedMotion: "reduce" });
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`[${name}] console: ${message.text()}`);
    });
    page.on("pageerror", (error) => errors.push(`[${name}] page error: ${error.message}`));
  };
  context.on("page", watch);
  const page = await context.newPage();
  return { name, context, page, errors };
}

/** Opens the app and signs in with the hub's dev token `role` (one click on the sign-in screen). */
export async function signIn(p: Person, appUrl: string, role: "admin" | "manager" | "agent" | "human", page = p.page): Promise<void> {
  await page.goto(`${appUrl}/`);
  await page.locator(`button[data-token-name="${role}"]`).click();
  await page.locator(".connection[data-state='open']").waitFor();
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core (WCAG 2 A/AA rules) on the page; returns the violations. */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== "undefined");
  if (!loaded) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
  });
}

export interface DevToken {
  name: string;
  subject: string;
  token: string;
}

export async function devTokens(hubUrl: string): Promise<Record<string, DevToken>> {
  const response = await fetch(`${hubUrl}/v1/dev/tokens`);
  if (!response.ok) throw new Error(`the hub does not serve dev tokens (${response.status}); it must run in dev mode`);
  const body = (await response.json()) as { tokens: DevToken[] };
  return Object.fromEntries(body.tokens.map((t) => [t.name, t]));
}

/** An SDK client in Node (Node 20 has no global WebSocket: pass `ws`). */
export function sdkClient(hubUrl: string, token: string, kind: "human" | "agent" = "agent"): TandemClient {
  return connect({ url: hubUrl, token, kind, WebSocket: WebSocket as unknown as WebSocketConstructor });
}

/** A JSON call to the hub. */
export async function hubCall<T = unknown>(hubUrl: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${hubUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value (or throws the last failure after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 15_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = new Error(`${what} not met`);
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error(String(last));
    await sleep(100);
  }
}
