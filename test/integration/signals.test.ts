/**
 * Signals of the real CLI process (issue 8 item 13, config.md §3.8): SIGHUP, which logrotate sends
 * every night, neither ends the process nor loses the log — the file is reopened, so after a rotation
 * (rename, then SIGHUP) new lines go to a fresh twcmanager.log; SIGTERM still shuts down with 0.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { dummyConfig, freePort, getJson, spawnCli, tempDir, waitFor, writeConfig } from "./helpers.ts";

test("SIGHUP after a log rotation: the process keeps serving and writes to a new twcmanager.log", { timeout: 60_000 }, async () => {
  const t = tempDir();
  const port = await freePort();
  const logDir = join(t.dir, "logs");
  const config = dummyConfig(join(t.dir, "settings"), port, {
    logging: { Console: { enabled: true, simple: true }, FileLogger: { enabled: true, path: logDir } },
  });
  const cli = spawnCli(["--config", writeConfig(t.dir, config)]);
  const log = join(logDir, "twcmanager.log");
  try {
    await waitFor(() => getJson(port, "/api/getStatus"), 20_000, "the product to start");
    await waitFor(() => existsSync(log) && readFileSync(log, "utf8").length > 0, 10_000, "the first log lines");
    renameSync(log, `${log}.1`); // what logrotate does before it signals
    for (let i = 0; i < 3; i++) {
      cli.child.kill("SIGHUP");
      await waitFor(() => existsSync(log) && /log file reopened/.test(readFileSync(log, "utf8")), 10_000, `reopened log after SIGHUP ${i + 1}`);
      assert.equal(cli.child.exitCode, null, "still running after SIGHUP");
      assert.ok(await getJson(port, "/api/getStatus"), "still serving after SIGHUP");
      if (i < 2) renameSync(log, `${log}.${i + 2}`);
    }
    assert.doesNotMatch(readFileSync(`${log}.1`, "utf8"), /log file reopened/, "the rotated file got no line after the rotation");
  } finally {
    const code = await cli.kill("SIGTERM");
    assert.equal(code, 0, `SIGTERM still shuts down with 0: ${cli.output()}`);
    t.cleanup();
  }
});

test("SIGHUP without a log file is survived too", { timeout: 60_000 }, async () => {
  const t = tempDir();
  const port = await freePort();
  const cli = spawnCli(["--config", writeConfig(t.dir, dummyConfig(join(t.dir, "settings"), port))]);
  try {
    await waitFor(() => getJson(port, "/api/getStatus"), 20_000, "the product to start");
    cli.child.kill("SIGHUP");
    await waitFor(() => /received SIGHUP/.test(cli.output()), 10_000, "the SIGHUP log line");
    assert.equal(cli.child.exitCode, null);
    assert.ok(await getJson(port, "/api/getStatus"));
  } finally {
    assert.equal(await cli.kill("SIGTERM"), 0);
    t.cleanup();
  }
});
