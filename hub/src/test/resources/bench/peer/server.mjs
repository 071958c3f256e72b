// Starts the Durable Streams reference server in its durable, file-backed mode (every append
// fsynced before it is acknowledged, as Tandem's are) and prints its URL for the harness.
import { DurableStreamTestServer } from "@durable-streams/server";

const dataDir = process.argv[2];
if (!dataDir) {
  console.error("usage: node server.mjs <data-dir>");
  process.exit(2);
}
const server = new DurableStreamTestServer({ port: 0, dataDir, compression: false });
const url = await server.start();
console.log(`listening ${url}`);
