/**
 * The history database on storage that refuses to grow (docs/decisions.md "History database on a full
 * disk"), with the real CLI and real SQLite: the process runs under a 24 KiB file-size limit
 * (`ulimit -f`; Node ignores SIGXFSZ, so writes beyond it fail with EFBIG). settings.json fits, the
 * database cannot open (its -shm alone needs 32 KiB). The product must start, leave no database files
 * behind, show the HISTORY_UNAVAILABLE alert, and still save settings.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findBinary, missingReason } from "../skip-report.ts";
import { dummyConfig, freePort, getJson, postJson, ROOT, tempDir, waitFor, writeConfig } from "./helpers.ts";

const BASH = findBinary("bash", "bash") ?? undefined;

test("a database that cannot grow leaves no files, raises HISTORY_UNAVAILABLE, and settings still save", { timeout: 60_000, skip: BASH === undefined ? missingReason("bash", "bash") : false }, async () => {
  const t = tempDir("twcm-full-");
  const settingsDir = join(t.dir, "settings");
  const port = await freePort();
  const config = writeConfig(t.dir, dummyConfig(settingsDir, port));
  // bash counts ulimit -f in KiB.
  const child = spawn(BASH!, ["-c", 'ulimit -f 24 && exec "$@"', "bash", process.execPath, "--import", "tsx", join(ROOT, "src/cli/main.ts"), "--config", config], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  try {
    await waitFor(() => getJson(port, "/api/getStatus"), 20_000, `instance: ${out}`);
    const leftovers = readdirSync(settingsDir).filter((f) => f.startsWith("twcmanager.db"));
    assert.deepEqual(leftovers, [], "the failed open removed the database files it created");
    const alert = await waitFor(async () => {
      const state = (await getJson(port, "/api/v2/state")) as { alerts: { code: string; message: string }[] };
      return state.alerts.find((a) => a.code === "HISTORY_UNAVAILABLE");
    }, 10_000, "HISTORY_UNAVAILABLE alert");
    assert.match(alert.message, /retrying every 5 min/);

    const saved = await postJson(port, "/api/setSetting", { setting: "diskFullMarker", value: "kept" });
    assert.equal(saved.status, 204, JSON.stringify(saved.body));
    const onDisk = JSON.parse(readFileSync(join(settingsDir, "settings.json"), "utf8")) as Record<string, unknown>;
    assert.equal(onDisk.diskFullMarker, "kept");
    const offset = await postJson(port, "/api/addConsumptionOffset", { offsetName: "pump", offsetValue: 500, offsetUnit: "W" });
    assert.equal(offset.status, 200, JSON.stringify(offset.body));
    const history = await getJson(port, "/api/v2/history");
    assert.ok(history, "history reads still answer");
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
    assert.equal(await exited, 0, out);
    t.cleanup();
  }
});
