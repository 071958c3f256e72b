import { defineConfig } from "vitest/config";

// Two projects: unit tests beside the code (no hub needed), and integration tests against a
// real hub that test/hub-setup.ts starts from the built jar (hub/target/tandem-hub.jar).
export default defineConfig({
  test: {
    // One hub on a small machine: test files run one after another.
    fileParallelism: false,
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/hub-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
