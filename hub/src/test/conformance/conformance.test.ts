import { runConformanceTests } from "@durable-streams/server-conformance-tests"

const baseUrl = process.env.TANDEM_URL
if (!baseUrl) throw new Error("set TANDEM_URL to the hub's base URL, e.g. http://127.0.0.1:4437")

runConformanceTests({
  baseUrl,
  longPollTimeoutMs: Number(process.env.TANDEM_LONG_POLL_MS ?? 500),
  subscriptions: process.env.TANDEM_SUBSCRIPTIONS === "true",
})
