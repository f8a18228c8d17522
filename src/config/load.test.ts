import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { isTwcError } from "../shared/errors.ts";
import { loadConfig, resolveConfigPath } from "./load.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "twc-config-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(isTwcError(e));
    assert.equal(e.code, code);
    return e.message;
  }
  assert.fail(`expected ${code}`);
}

test("resolveConfigPath: --config, then TWCMANAGER_CONFIG, then the default locations", async () => {
  await withDir(async (dir) => {
    const a = join(dir, "a.json");
    const b = join(dir, "b.json");
    await writeFile(a, "{}");
    await writeFile(b, "{}");
    assert.equal(await resolveConfigPath(a, { TWCMANAGER_CONFIG: b }), a);
    assert.equal(await resolveConfigPath(undefined, { TWCMANAGER_CONFIG: b }), b);
    assert.equal(await resolveConfigPath(undefined, {}, [join(dir, "missing.json"), b]), b);
  });
});

test("resolveConfigPath: nothing found → CONFIG_FILE_NOT_FOUND listing the paths and suggesting --demo", async () => {
  const msg = await rejectsWith(
    resolveConfigPath(undefined, {}, ["/nonexistent/one.json", "/nonexistent/two.json"]),
    "CONFIG_FILE_NOT_FOUND",
  );
  assert.match(msg, /\/nonexistent\/one\.json, \/nonexistent\/two\.json/);
  assert.match(msg, /--demo/);
  const explicit = await rejectsWith(
    resolveConfigPath("/nonexistent/x.json", { TWCMANAGER_CONFIG: "/etc/passwd" }),
    "CONFIG_FILE_NOT_FOUND",
  );
  assert.match(explicit, /tried: \/nonexistent\/x\.json\./);
});

test("the upstream-style config loads: one warning per enabled unsupported module, no error", async () => {
  const r = await loadConfig("test/fixtures/upstream-config.json");
  assert.deepEqual(
    r.warnings.filter((w) => !w.includes("is not supported")),
    ["config.debugLevel: is deprecated; use config.logLevel"],
  );
  assert.deepEqual(
    r.warnings
      .filter((w) => w.includes("is not supported"))
      .map((w) => w.split(" ")[0])
      .sort(),
    [
      "control.OCPP",
      "controller.Gen3TWCs",
      // logging.CSV and logging.MySQL are implemented now (issue 13)
      // sources.Fronius and sources.SolarEdge are implemented now (issue 11)
      "sources.TeslaPowerwall2",
      // vehicle.TeslaAPI is read as vehicle.teslaAPI now (issue 14)
    ],
  );
  assert.deepEqual(r.config.bus, {
    kind: "Dummy",
    slaves: [{ twcID: "AB" }],
    seed: null,
    realisticTiming: false,
  });
  assert.equal(r.config.http?.listenPort, 8088);
  assert.equal(r.config.core.settingsPath, resolve("test-output/upstream-settings"));
  assert.equal(r.config.policy.policyCheckIntervalS, 30);
  assert.equal(r.config.mqttControl, null);
  assert.equal(r.config.core.chargeNowLimit, 90);
  assert.equal(r.path, resolve("test/fixtures/upstream-config.json"));
  const mqtt = ((r.raw.control as Record<string, unknown>).MQTT as Record<string, unknown>).password;
  assert.equal(mqtt, "mqtt#pass");
});

test("loadConfig: parse errors name the file; validation errors are all listed, one per line", async () => {
  await withDir(async (dir) => {
    const bad = join(dir, "twc.json");
    await writeFile(bad, '{\n  "config": {\n    "a": 1\n    "b": 2\n  }\n}\n');
    const parseMsg = await rejectsWith(loadConfig(bad), "CONFIG_PARSE");
    assert.match(parseMsg, /^twc\.json:4:5: expected ',' or '}'/);

    const invalid = join(dir, "config.json");
    await writeFile(
      invalid,
      JSON.stringify({ config: { wiringMaxAmpsAllTWCs: "x", minAmpsPerTWC: 6 }, interface: {} }),
    );
    const msg = await rejectsWith(loadConfig(invalid), "CONFIG_INVALID");
    assert.deepEqual(msg.split("\n"), [
      "config.settingsPath: is required",
      'config.wiringMaxAmpsAllTWCs: must be a number > 0 (found "x")',
      "no bus interface: set interface.RS485.port, or enable interface.TCP or interface.Dummy",
    ]);
    await rejectsWith(loadConfig(join(dir, "missing.json")), "CONFIG_FILE_NOT_FOUND");
  });
});
