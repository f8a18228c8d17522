#!/usr/bin/env node
// Builds the web UI (src/web, Vite) into dist/web/. Called by scripts/build.mjs (npm install) and by
// `npm start` (prestart, with --if-missing: only when dist/web/index.html does not exist yet).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ifMissing = process.argv.includes("--if-missing");

if (ifMissing && existsSync(join(root, "dist", "web", "index.html"))) process.exit(0);

const viteBin = join(root, "node_modules", "vite", "bin", "vite.js");
if (!existsSync(viteBin)) {
  // Installed without dev dependencies: a published package ships dist/web already.
  console.error("build-web: vite is not installed; skipping the web UI build");
  process.exit(ifMissing ? 0 : 1);
}
const res = spawnSync(
  process.execPath,
  [viteBin, "build", "--config", join(root, "src", "web", "vite.config.ts"), "--logLevel", "warn"],
  {
    cwd: root,
    stdio: "inherit",
  },
);
process.exit(res.status ?? 1);
