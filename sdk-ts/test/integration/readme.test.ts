/** The README's example works as written: run against the test hub, through the built package. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { hubUrl, token } from "./helpers.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

it("runs the README example", async () => {
  expect(existsSync(join(root, "dist/index.js")), "dist/ is missing: npm run build").toBe(true);
  const readme = await readFile(join(root, "README.md"), "utf8");
  const code = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  // Inside the package, so `@tandem/sdk` resolves to this package's dist/ and `ws` to its node_modules.
  const file = join(root, "test", "readme-example.tmp.mjs");
  await writeFile(file, code!.replace("http://127.0.0.1:4437", hubUrl()));
  try {
    const { status, stdout, stderr } = await run(file, { ...process.env, TANDEM_TOKEN: token("readme-agent") });
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toMatch(/0000000000000000_0000000000000000 \{ type: 'message', text: 'hello' \}/);
    expect(stdout).toMatch(/type: 'run.completed'/);
  } finally {
    await rm(file, { force: true });
  }
});

function run(file: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [file], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", fail);
    child.on("exit", (status) => done({ status, stdout, stderr }));
  });
}
