/** End-to-end: the real CLI process, a config file, real HTTP on loopback. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dummyConfig, freePort, getJson, ROOT, spawnCli, tempDir, waitFor, writeConfig } from "./helpers.ts";

type Slaves = Record<string, { maxAmps: number; version: number; lastHeartbeat: number; TWCID: string; lastAmpsOffered: number }>;

test("an unchanged upstream test-style config starts and shows slave 4142 rated 80 A", { timeout: 60_000 }, async () => {
  const t = tempDir();
  const port = await freePort();
  const text = readFileSync(join(ROOT, "test/fixtures/upstream-config.json"), "utf8")
    .replace('"listenPort": 8088', `"listenPort": ${port}`)
    .replace("./test-output/upstream-settings", join(t.dir, "settings"))
    .replace("/etc/twcmanager/csv", join(t.dir, "csv"))
    // Tests talk only to loopback: the devices of the sample move to 127.0.0.x (nothing listens there),
    // and the SolarEdge cloud (a fixed host on the internet) is turned off.
    .replaceAll("192.168.1.", "127.0.0.")
    .replace(/("SolarEdge":\s*\{\s*"enabled":\s*)true/, "$1false");
  assert.doesNotMatch(text, /192\.168\.|"SolarEdge":\s*\{\s*"enabled":\s*true/);
  const cli = spawnCli(["--config", writeConfig(t.dir, text)]);
  try {
    const slaves = await waitFor(async () => {
      const s = (await getJson(port, "/api/getSlaveTWCs")) as Slaves;
      return s["4142"] && s["4142"].lastAmpsOffered >= 0 ? s : null;
    }, 20_000, "slave 4142");
    assert.equal(slaves["4142"]!.maxAmps, 80);
    assert.equal(slaves["4142"]!.TWCID, "4142");
    assert.ok(slaves["4142"]!.lastHeartbeat < 5);
    assert.deepEqual(Object.keys(slaves), ["4142", "total"]);
    assert.match(cli.output(), /not supported by this version/);
    const uuid = await fetch(`http://127.0.0.1:${port}/api/getUUID`).then((r) => r.text());
    assert.match(uuid, /^\d+$/);
    const unknown = await fetch(`http://127.0.0.1:${port}/api/nope`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: "Unknown endpoint" });
  } finally {
    const code = await cli.kill("SIGTERM");
    assert.equal(code, 0, "SIGTERM shuts down cleanly with exit code 0");
    t.cleanup();
  }
});

test("an HTTP port in use is a clear error with exit code 2", { timeout: 60_000 }, async () => {
  const t = tempDir();
  const port = await freePort();
  const first = spawnCli(["--config", writeConfig(t.dir, dummyConfig(join(t.dir, "s1"), port))]);
  try {
    await waitFor(() => getJson(port, "/api/getStatus"), 20_000, "first instance");
    const t2 = tempDir();
    const second = spawnCli(["--config", writeConfig(t2.dir, dummyConfig(join(t2.dir, "s2"), port))]);
    const code = await second.exited;
    t2.cleanup();
    assert.equal(code, 2);
    assert.match(second.output(), new RegExp(`control.HTTP: cannot listen on 127.0.0.1:${port}: EADDRINUSE`));
  } finally {
    await first.kill();
    t.cleanup();
  }
});

test("check-config exits 0 for a valid config and 1 with line and column for a broken one", { timeout: 30_000 }, async () => {
  const t = tempDir();
  try {
    const good = spawnCli(["check-config", writeConfig(t.dir, dummyConfig(join(t.dir, "s"), 1))]);
    assert.equal(await good.exited, 0, good.output());
    const bad = spawnCli(["check-config", writeConfig(t.dir, '{\n  "config": {\n    "settingsPath": "x"\n    "wiringMaxAmpsAllTWCs": 32\n  }\n}\n')]);
    assert.equal(await bad.exited, 1);
    assert.match(bad.output(), /config\.json:4:5: /);
    const missing = spawnCli(["check-config", join(t.dir, "nope.json")]);
    assert.equal(await missing.exited, 1);
    assert.match(missing.output(), /--demo/);
  } finally {
    t.cleanup();
  }
});

test("check-config: a config nested 10 000 levels deep is a parse error with line and column, exit 1 (no RangeError)", { timeout: 30_000 }, async () => {
  const t = tempDir();
  try {
    const valid = JSON.stringify(dummyConfig(join(t.dir, "s"), 1), null, 2);
    const deep = `${valid.slice(0, -2)},\n  "deep": ${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}\n}\n`;
    const line = valid.split("\n").length; // "deep" is on the line after the last key of the valid config
    const run = spawnCli(["check-config", writeConfig(t.dir, deep)]);
    assert.equal(await run.exited, 1, run.output());
    assert.match(run.output(), new RegExp(`config\\.json:${line}:${11 + 5 * 255}: nested deeper than 256 levels`));
    assert.doesNotMatch(run.output(), /RangeError|Maximum call stack/);
  } finally {
    t.cleanup();
  }
});
