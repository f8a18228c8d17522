#!/usr/bin/env node
// Builds the server (tsc → dist/) and, when present, the web UI. Run by `npm install` (prepare).
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";

function run(cmd, args) {
  const res = spawnSync(cmd, args, { stdio: "inherit" });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
if (!existsSync("node_modules/typescript")) {
  // Installed without dev dependencies: bin/twcmanager falls back to tsx on the sources.
  process.exit(0);
}
run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"]);
if (existsSync("scripts/build-web.mjs")) run(process.execPath, ["scripts/build-web.mjs"]);
writeFileSync("dist/.build-stamp", new Date().toISOString() + "\n");
