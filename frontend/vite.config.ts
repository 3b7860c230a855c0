/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The server (amarcord/api/frontend.py) serves this build: index.html uncached, and
// everything under /assets/ cached for a year, which is only safe because the names are hashed.
export default defineConfig({
  base: "/",
  plugins: [react()],
  build: {
    outDir: "../amarcord/static/app",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    // `npm run dev` talks to a server started with `make run`.
    proxy: { "/api": "http://127.0.0.1:5000" },
  },
  test: {
    // Pure logic runs in node; files that need a DOM say `@vitest-environment jsdom`.
    environment: "node",
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});
