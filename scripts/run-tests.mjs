#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ (or the folders and test files given) with node:test through tsx.
// Node 20's --test does not expand .ts globs, so the files are listed here.
// Tests that skip because a program is missing record it through test/skip-report.ts in the file named
// by TWC_SKIP_REPORT; the last lines printed here say which test files skipped and the one command that
// installs what they need.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const roots = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const extra = process.argv.slice(2).filter((a) => a.startsWith("-"));
const files = [];
function walk(dir) {
  if (dir.endsWith(".test.ts")) {
    files.push(dir);
    return;
  }
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries.sort()) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith(".test.ts")) files.push(p);
  }
}
for (const r of roots.length > 0 ? roots : ["src", "test"]) walk(r);
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}

/** Debian packages in the order the install line lists them (others follow, sorted). */
const PACKAGE_ORDER = ["socat", "mosquitto", "chromium", "ser2net", "mariadb-server"];

/** The closing lines for the skip records (one JSON object per line). */
function skipSummary(text) {
  const records = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      // A torn line (a test process killed mid-write) is ignored.
    }
  }
  if (records.length === 0) return ["No test file was skipped for a missing program."];
  const byBinary = new Map();
  const other = new Map();
  for (const r of records) {
    if (typeof r.binary === "string" && typeof r.package === "string") {
      const key = `${r.binary} (Debian package ${r.package})`;
      const entry = byBinary.get(key) ?? { pkg: r.package, files: new Set() };
      entry.files.add(r.file);
      byBinary.set(key, entry);
    } else {
      const set = other.get(r.reason) ?? new Set();
      set.add(r.file);
      other.set(r.reason, set);
    }
  }
  const lines = ["Skipped tests (the rest ran):"];
  for (const [what, e] of byBinary) lines.push(`  missing ${what}: ${[...e.files].sort().join(", ")}`);
  for (const [reason, set] of other) lines.push(`  ${reason}: ${[...set].sort().join(", ")}`);
  const rank = (p) => (PACKAGE_ORDER.includes(p) ? PACKAGE_ORDER.indexOf(p) : PACKAGE_ORDER.length);
  const pkgs = [...new Set([...byBinary.values()].map((e) => e.pkg))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  if (pkgs.length > 0) lines.push(`To run them: sudo apt-get install -y ${pkgs.join(" ")}`);
  return lines;
}

const reportDir = mkdtempSync(join(tmpdir(), "twc-skips-"));
const report = join(reportDir, "skips.jsonl");
let status;
try {
  const res = spawnSync(
    process.execPath,
    ["--import", "tsx", "--test", "--test-reporter=spec", "--test-concurrency=2", ...extra, ...files],
    { stdio: "inherit", env: { ...process.env, TWC_SKIP_REPORT: report } },
  );
  status = res.status ?? 1;
  let text = "";
  try {
    text = readFileSync(report, "utf8");
  } catch {
    // No test recorded a skip.
  }
  console.log(`\n${skipSummary(text).join("\n")}`);
} finally {
  rmSync(reportDir, { recursive: true, force: true });
}
process.exit(status);
