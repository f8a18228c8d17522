/**
 * One instance per settings directory (docs/decisions.md "Settings directory lock"), with real CLI
 * processes: a second instance on the same settingsPath exits 2 naming the first one's PID; a lock left
 * by a dead process is taken over; a clean shutdown removes the lock.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dummyConfig, freePort, getJson, spawnCli, tempDir, waitFor, writeConfig } from "./helpers.ts";

test("a second instance on the same settingsPath exits 2 and names the first one's PID", { timeout: 60_000 }, async () => {
  const t = tempDir("twcm-lock-");
  const settingsDir = join(t.dir, "settings");
  const lockPath = join(settingsDir, "twcmanager.lock");
  const port = await freePort();
  const first = spawnCli(["--config", writeConfig(t.dir, dummyConfig(settingsDir, port))]);
  try {
    await waitFor(() => getJson(port, "/api/getStatus"), 20_000, "first instance");
    const pid = first.child.pid!;
    const t2 = tempDir("twcm-lock2-");
    const port2 = await freePort();
    const second = spawnCli(["--config", writeConfig(t2.dir, dummyConfig(settingsDir, port2))]);
    try {
      // Without the lock the second instance would start: it must exit instead of serving HTTP.
      const outcome = await Promise.race([
        second.exited,
        waitFor(async () => second.child.exitCode !== null || ((await getJson(port2, "/api/getStatus")) && "serving"), 20_000, "second instance"),
      ]);
      assert.equal(outcome, 2, second.output());
      assert.match(second.output(), new RegExp(`in use by another TWCManager \\(PID ${pid}, lock file ${lockPath.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\)`));
    } finally {
      await second.kill("SIGKILL");
      t2.cleanup();
    }
    assert.ok(await getJson(port, "/api/getStatus"), "the first instance still runs");
    assert.equal(readFileSync(lockPath, "utf8"), `${pid}\n`, "the refused instance left the lock alone");
  } finally {
    assert.equal(await first.kill("SIGTERM"), 0);
    t.cleanup();
  }
  assert.equal(existsSync(lockPath), false, "a clean shutdown removes the lock");
});

test("a stale lock naming a dead PID is taken over and removed at shutdown", { timeout: 60_000 }, async () => {
  const t = tempDir("twcm-lock-");
  const settingsDir = join(t.dir, "settings");
  const lockPath = join(settingsDir, "twcmanager.lock");
  const dead = spawnSync(process.execPath, ["-e", ""]).pid;
  mkdirSync(settingsDir, { recursive: true });
  writeFileSync(lockPath, `${dead}\n`);
  const port = await freePort();
  const cli = spawnCli(["--config", writeConfig(t.dir, dummyConfig(settingsDir, port))]);
  try {
    await waitFor(() => getJson(port, "/api/getStatus"), 20_000, "instance");
    assert.equal(readFileSync(lockPath, "utf8"), `${cli.child.pid}\n`);
    assert.match(cli.output(), new RegExp(`took over the stale lock .* of PID ${dead}`));
    assert.equal(await cli.kill("SIGTERM"), 0);
    assert.equal(existsSync(lockPath), false);
  } finally {
    await cli.kill("SIGKILL");
    t.cleanup();
  }
});
