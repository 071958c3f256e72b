/**
 * Starts what the end-to-end tests need, once: a real hub (the packaged jar, on a free port,
 * with a fresh data directory and embedded Postgres, in development mode so it serves its dev
 * tokens) and a server for the built client on the same origin as the hub's API (see
 * static-server.ts). Stops both afterwards. The hub's output goes to test-results/hub.log and
 * stays there with the screenshots, so a failed run can be read afterwards.
 *
 * TANDEM_HUB_URL uses a hub that is already running (it must be in dev mode);
 * TANDEM_HUB_JAR points at another jar.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { startStaticServer } from "./static-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    hubUrl: string;
    appUrl: string;
  }
}

const here = dirname(fileURLToPath(import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dist = resolve(here, "../../dist");
  let hubUrl = process.env.TANDEM_HUB_URL;
  let stopHub = async () => {};
  if (!hubUrl) {
    const jar = process.env.TANDEM_HUB_JAR ?? resolve(here, "../../../hub/target/tandem-hub.jar");
    if (!existsSync(jar)) {
      throw new Error(`no hub jar at ${jar}: build it first with  cd .. && ./mvnw -q package -DskipTests`);
    }
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), "tandem-web-e2e-"));
    const logPath = resolve(here, "../../test-results/hub.log");
    await mkdir(dirname(logPath), { recursive: true });
    const log = createWriteStream(logPath);
    const hub = spawn("java", ["-jar", jar, "--port", String(port), "--data-dir", dataDir, "--dev-mode", "true"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    hub.stdout!.pipe(log);
    hub.stderr!.pipe(log);
    hubUrl = `http://127.0.0.1:${port}`;
    try {
      await waitHealthy(hubUrl, hub, 120_000);
    } catch (error) {
      await stop(hub);
      throw new Error(`${(error as Error).message}; see ${logPath}`);
    }
    stopHub = async () => {
      await stop(hub);
      if (!process.env.TANDEM_KEEP_HUB_DATA) await rm(dataDir, { recursive: true, force: true });
    };
  }
  const app = await startStaticServer(dist, hubUrl);
  project.provide("hubUrl", hubUrl);
  project.provide("appUrl", app.url);
  return async () => {
    await app.close();
    await stopHub();
  };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitHealthy(url: string, hub: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hub.exitCode !== null) throw new Error(`the hub exited with code ${hub.exitCode} before it was healthy`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the hub at ${url} was not healthy within ${timeoutMs} ms`);
}

async function stop(hub: ChildProcess): Promise<void> {
  if (hub.exitCode !== null || hub.signalCode !== null) return;
  const exited = new Promise<void>((r) => hub.once("exit", () => r()));
  hub.kill("SIGTERM");
  const timer = setTimeout(() => hub.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}
