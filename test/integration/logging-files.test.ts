/**
 * logging.CSV and logging.SQLite through the real composition root (issue 13 §3): the product with
 * the simulator (a car that charges, its VIN, a kWh meter), the demo's energy source and a FakeClock
 * runs a Charge Now session; afterwards TWCManager's CSV files and SQLite tables hold the session, the
 * green energy readings and the slave status, with TWCManager's columns.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import pino from "pino";
import { loadConfigText } from "../../src/config/load.ts";
import { startProduct, type RunningProduct } from "../../src/cli/run.ts";
import { FakeClock } from "../../src/shared/clock.ts";
import { advanceUntil, localInstant } from "./http-harness.ts";
import { tempDir } from "./helpers.ts";

const VIN = "5YJ3E1EA8KF000001";

interface SqliteDb {
  prepare(sql: string): { all(): Record<string, unknown>[] };
  close(): void;
}

async function runSession(logging: Record<string, unknown>, settingsDir: string): Promise<{ product: RunningProduct; twcId: string }> {
  const clock = new FakeClock(localInstant(23));
  const config = {
    config: { settingsPath: settingsDir, wiringMaxAmpsAllTWCs: 32, wiringMaxAmpsPerTWC: 32, minAmpsPerTWC: 6 },
    interface: {
      Dummy: {
        enabled: true,
        slaves: [{ twcID: "AB", maxAmps: 32, protocolVersion: 2, lifetimeKWh: 1000, voltage: [231, 232, 233], vin: VIN, car: { behaviour: "follow" } }],
      },
    },
    logging: { Console: { enabled: false }, ...logging },
  };
  const loaded = loadConfigText(JSON.stringify(config), "config.json");
  assert.deepEqual(loaded.warnings.filter((w) => w.includes("logging")), [], "the logging modules are supported");
  const product = await startProduct({ config: loaded.config, raw: loaded.raw, logger: pino({ level: "silent" }), clock, demoEnergy: true });
  const charger = () => product.engine.state.snapshot.chargers[0];
  const running = (): boolean => product.modules.status().every((m) => m.state === "running");
  await advanceUntil(clock, () => charger() !== undefined && running(), 60_000);
  assert.deepEqual(
    product.modules.status().filter((s) => s.name.startsWith("logging.")).map((s) => [s.name, s.state]),
    Object.keys(logging).map((k) => [`logging.${k}`, "running"]),
  );
  product.commands.chargeNow(32, 7200);
  await advanceUntil(clock, () => charger()?.charging === true, 60_000);
  // 32 A × 3 phases × 232 V ≈ 22 kW: a few kWh in ten minutes.
  for (let i = 0; i < 600; i++) await clock.advanceAsync(1000, 100);
  product.commands.cancelChargeNow();
  await advanceUntil(clock, () => charger()?.charging === false, 120_000, 100);
  for (let i = 0; i < 30; i++) await clock.advanceAsync(1000, 100);
  return { product, twcId: charger()!.id };
}

function csvRows(file: string): string[][] {
  return readFileSync(file, "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => l.split(","));
}

test("logging.CSV: chargesessions.csv, greenenergy.csv and slavestatus.csv after a charging session", { timeout: 120_000 }, async () => {
  const t = tempDir("twcm-logcsv-");
  try {
    const csvDir = join(t.dir, "csv");
    const { product, twcId } = await runSession({ CSV: { enabled: true, path: csvDir, mute: { SlavePower: true } } }, join(t.dir, "settings"));
    await product.stop();

    const sessions = csvRows(join(csvDir, "chargesessions.csv"));
    assert.deepEqual(sessions[0], ["chargeid", "startTime", "startkWh", "slaveTWC", "endTime", "endkWh", "vehicleVIN"]);
    assert.equal(sessions.length, 2, "one finished session");
    const [chargeid, startTime, startkWh, slave, endTime, endkWh, vin] = sessions[1]!;
    assert.match(chargeid!, /^\d{10}$/);
    assert.match(startTime!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.match(endTime!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.ok(endTime! > startTime!);
    assert.equal(slave, twcId);
    assert.equal(startkWh, "1000");
    assert.ok(Number(endkWh) > 1000, `the end kWh ${endkWh} counts the session's energy`);
    assert.equal(vin, VIN);

    const green = csvRows(join(csvDir, "greenenergy.csv"));
    assert.deepEqual(green[0], ["time", "genW", "conW", "chgW"]);
    assert.ok(green.length >= 10, `a green energy row a minute (${green.length - 1})`);
    assert.ok(green.slice(1).some((r) => Number(r[3]) > 1000), "the charger load is in chgW while charging");

    const status = csvRows(join(csvDir, "slavestatus.csv"));
    assert.deepEqual(status[0], ["slaveTWC", "time", "kWh", "voltsPhaseA", "voltsPhaseB", "voltsPhaseC"]);
    assert.ok(status.length >= 10, `a slave status row a minute (${status.length - 1})`);
    assert.deepEqual(status[1]!.slice(3), ["231", "232", "233"]);
    assert.ok(status.every((r, i) => i === 0 || r[0] === twcId));
  } finally {
    t.cleanup();
  }
});

test("logging.SQLite: TWCManager's tables and rows after a session, beside (not in) the history database", { timeout: 120_000 }, async () => {
  const t = tempDir("twcm-logsqlite-");
  try {
    const settings = join(t.dir, "settings");
    const { product, twcId } = await runSession({ SQLite: { enabled: true, mute: { GreenEnergy: true } } }, settings);
    await product.stop();
    const file = join(settings, "twcmanager.sqlite");
    assert.ok(existsSync(file), "default file <settingsPath>/twcmanager.sqlite");
    assert.ok(existsSync(join(settings, "twcmanager.db")), "our history database is a separate file");
    const Sqlite = createRequire(import.meta.url)("better-sqlite3") as new (f: string, o: { readonly: boolean }) => SqliteDb;
    const db = new Sqlite(file, { readonly: true });
    try {
      const cols = (table: string): unknown[] => db.prepare(`PRAGMA table_info(${table})`).all().map((c) => c.name);
      assert.deepEqual(cols("charge_sessions"), ["chargeid", "startTime", "startkWh", "slaveTWC", "endTime", "endkWh", "vehicleVIN"]);
      assert.deepEqual(cols("green_energy"), ["time", "genW", "conW", "chgW"]);
      assert.deepEqual(cols("slave_status"), ["slaveTWC", "time", "kWh", "voltsPhaseA", "voltsPhaseB", "voltsPhaseC"]);
      const sessions = db.prepare("SELECT * FROM charge_sessions").all();
      assert.equal(sessions.length, 1);
      const s = sessions[0]!;
      assert.equal(s.slaveTWC, twcId);
      assert.equal(s.startkWh, 1000);
      assert.ok(Number(s.endkWh) > 1000);
      assert.equal(s.vehicleVIN, VIN);
      assert.match(String(s.endTime), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.equal(s.chargeid, Math.floor(new Date(String(s.startTime).replace(" ", "T")).getTime() / 1000));
      assert.equal(db.prepare("SELECT * FROM green_energy").all().length, 0, "GreenEnergy is muted");
      const status = db.prepare("SELECT * FROM slave_status ORDER BY time").all();
      assert.ok(status.length >= 10, `slave status rows (${status.length})`);
      assert.deepEqual([status[0]!.voltsPhaseA, status[0]!.voltsPhaseB, status[0]!.voltsPhaseC], [231, 232, 233]);
      assert.ok(Number(status.at(-1)!.kWh) > 1000);
    } finally {
      db.close();
    }
  } finally {
    t.cleanup();
  }
});
