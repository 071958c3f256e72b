/// <reference types="vitest/config" />
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The SDK is a local file dependency ("@tandem/sdk": "file:../sdk-ts"). Vite compiles it from
// its TypeScript source, so building the web client needs neither the SDK's dist/ nor its
// node_modules: `npm ci && npm run build` here is the whole build.
const sdkSource = fileURLToPath(new URL("../sdk-ts/src/index.ts", import.meta.url));

// `npm run dev` proxies the hub's API to TANDEM_HUB_URL (default the README's hub), so the
// dev server behaves like the hub serving the built client: one origin.
const hub = process.env.TANDEM_HUB_URL ?? "http://127.0.0.1:4437";

export default defineConfig({
  // Relative asset URLs: the built files work wherever the hub mounts them (/, or a prefix
  // behind a proxy). Routing is in the URL's hash, so the hub only ever serves index.html.
  base: "./",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  resolve: { alias: { "@tandem/sdk": sdkSource } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 300,
  },
  server: {
    proxy: {
      "/v1/ws": { target: hub.replace(/^http/, "ws"), ws: true },
      "/v1": { target: hub, changeOrigin: false },
      "/healthz": { target: hub },
    },
  },
  test: {
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/e2e/global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
