/**
 * logging.MySQL against a real MariaDB server (mariadb.test-helper.ts) on a free loopback port with its
 * own data directory and a user with a password: the module runs under the real module host on the
 * engine harness (simulator, scripted energy source, FakeClock). A charging session, green energy and
 * slave status end up in TWCManager's tables; upstream tables that already exist are used as they are;
 * the server killed mid-run fails the module (MODULE_FAILED, back-off) without touching the bus, and
 * once it is back the module reconnects and the rows resume. The password never reaches a log line.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { MySqlLogConfig } from "../../config/app-config.ts";
import { startHarness, type Harness } from "../../engine/engine-harness.test-helper.ts";
import { captureLogger, type CaptureLogger } from "../../shared/capture-logger.test-helper.ts";
import { moduleContext } from "../context.ts";
import { ModuleHost } from "../host.ts";
import { waitFor } from "../mqtt/mosquitto.test-helper.ts";
import { skipWithoutMariadb, startMariaDb, type MariaDb } from "./mariadb.test-helper.ts";
import { createMySqlLogger, isRowError } from "./mysql.ts";
import type { LoggingModule } from "./logging-module.ts";

const VIN = "5YJ3E1EA8KF000001";
const NO_MUTE = { chargeSessions: false, greenEnergy: false, slavePower: false, slaveStatus: false };

interface Setup {
  h: Harness;
  host: ModuleHost;
  module: LoggingModule;
  logger: CaptureLogger;
  alerts: boolean[];
}

async function setup(db: MariaDb, database: string, over: Partial<MySqlLogConfig> = {}): Promise<Setup> {
  const h = await startHarness({
    withSource: true,
    slaves: [{ twcID: "AB", maxAmps: 32, protocolVersion: 2, lifetimeKWh: 500, voltage: [230, 0, 0], vin: VIN, car: { behaviour: "follow" } }],
  });
  const logger = captureLogger();
  const alerts: boolean[] = [];
  const host = new ModuleHost({ clock: h.clock, logger, alert: (on) => alerts.push(on) });
  const cfg: MySqlLogConfig = {
    host: "127.0.0.1",
    port: db.port,
    database,
    username: db.username,
    password: db.password,
    mute: NO_MUTE,
    ...over,
  };
  const ctx = moduleContext("logging.MySQL", { clock: h.clock, logger, state: h.engine.state, commands: h.commands, fail: (n, e) => host.fail(n, e) });
  const module = createMySqlLogger(cfg, ctx);
  await host.start([module]);
  return { h, host, module, logger, alerts };
}

/** Advances fake time by `s` seconds, one second at a time, with the energy reading kept fresh. */
async function runFor(h: Harness, s: number): Promise<void> {
  for (let i = 0; i < s; i++) {
    if (i % 30 === 0) h.source!.set(4000, 800);
    await h.clock.advanceAsync(1000, 100);
  }
}

/** Waits (real time) until the module wrote everything it queued. */
async function drained(module: LoggingModule): Promise<void> {
  await waitFor(() => module.stats().queued === 0, "the queue to drain", 20_000);
}

// One server for the file (its data directory takes seconds to make); each test has its own database.
let server: MariaDb | null = null;
before(async () => {
  if (skipWithoutMariadb === false) server = await startMariaDb();
});
after(async () => {
  await server?.dispose();
});

/** The shared server with a fresh database called `name` for the test. */
async function serverWith(name: string): Promise<MariaDb> {
  if (!server) throw new Error("no MariaDB server");
  await server.createDatabase(name);
  return server;
}

function assertNoPassword(logger: CaptureLogger, password: string): void {
  for (const r of logger.records) assert.ok(!JSON.stringify(r).includes(password) && !(r.msg ?? "").includes(password), `the password leaked: ${r.msg}`);
}

test("logging.MySQL: a session, green energy and slave status in TWCManager's tables on a real MariaDB", { skip: skipWithoutMariadb, timeout: 180_000 }, async () => {
  const name = "session";
  const db = await serverWith(name);
  let s: Setup | null = null;
  try {
    s = await setup(db, name);
    const { h, module, host } = s;
    assert.equal(host.status()[0]?.state, "running");
    h.commands.chargeNow(32, 7200);
    await runFor(h, 600);
    h.commands.cancelChargeNow();
    await runFor(h, 90);
    await drained(module);
    const twcId = h.engine.state.snapshot.chargers[0]!.id;

    const cols = async (table: string): Promise<string[]> =>
      (await db.query<{ COLUMN_NAME: string }>("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", [name, table], name)).map((r) => r.COLUMN_NAME);
    assert.deepEqual(await cols("charge_sessions"), ["chargeid", "startTime", "startkWh", "slaveTWC", "endTime", "endkWh", "vehicleVIN"]);
    assert.deepEqual(await cols("green_energy"), ["time", "genW", "conW", "chgW"]);
    assert.deepEqual(await cols("slave_status"), ["slaveTWC", "time", "kWh", "voltsPhaseA", "voltsPhaseB", "voltsPhaseC"]);

    const sessions = await db.query("SELECT * FROM charge_sessions", [], name);
    assert.equal(sessions.length, 1);
    const row = sessions[0]!;
    assert.equal(row.slaveTWC, twcId);
    assert.equal(row.startkWh, 500);
    assert.ok(Number(row.endkWh) > 500, `end kWh ${String(row.endkWh)}`);
    assert.equal(row.vehicleVIN, VIN);
    assert.match(String(row.startTime), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.ok(String(row.endTime) > String(row.startTime));

    const green = await db.query("SELECT * FROM green_energy ORDER BY time", [], name);
    assert.ok(green.length >= 10, `green energy rows (${green.length})`);
    assert.equal(Number(green[0]!.genW), 4000);
    assert.equal(Number(green[0]!.conW), 800);
    assert.ok(green.some((g) => Number(g.chgW) > 1000), "the charger load while charging");
    const status = await db.query("SELECT * FROM slave_status ORDER BY time", [], name);
    assert.ok(status.length >= 10, `slave status rows (${status.length})`);
    assert.deepEqual([status[0]!.slaveTWC, status[0]!.voltsPhaseA, status[0]!.voltsPhaseB], [twcId, 230, 0]);
    assertNoPassword(s.logger, db.password);
  } finally {
    await s?.host.stop();
    await s?.h.stop();
  }
});

test("logging.MySQL: the server killed mid-run fails the module with back-off; the bus carries on; rows resume once it is back", { skip: skipWithoutMariadb, timeout: 240_000 }, async () => {
  const name = "restart";
  const db = await serverWith(name);
  let s: Setup | null = null;
  try {
    s = await setup(db, name);
    const { h, module, host, logger, alerts } = s;
    await runFor(h, 120);
    await drained(module);
    const before = (await db.query("SELECT * FROM green_energy", [], name)).length;
    assert.ok(before >= 2);

    await db.kill();
    await runFor(h, 5);
    await waitFor(() => host.status()[0]?.state !== "running", "the module to notice the lost server", 20_000);
    const frames = h.sim.stats.framesReceived;
    await runFor(h, 60);
    assert.ok(h.sim.stats.framesReceived > frames + 10, "the bus kept heartbeating while the database was gone");
    assert.ok(logger.records.some((r) => r.obj.code === "MODULE_FAILED"), "MODULE_FAILED logged");
    assert.equal(alerts.at(-1), true, "MODULE_FAILED raised");
    assert.ok(host.status()[0]!.restarts >= 1, "restarted with back-off (and failed again while the server is down)");

    await db.start();
    const until = performance.now() + 60_000;
    while (host.status()[0]?.state !== "running") {
      if (performance.now() > until) throw new Error(`the module did not come back: ${JSON.stringify(host.status())}`);
      await h.clock.advanceAsync(1000, 100);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(alerts.at(-1), false, "MODULE_FAILED cleared");
    await runFor(h, 180);
    await drained(module);
    const after = await db.query<{ time: string }>("SELECT time FROM green_energy ORDER BY time", [], name);
    assert.ok(after.length >= before + 2, `rows resumed (${before} → ${after.length})`);
    assertNoPassword(logger, db.password);
  } finally {
    await s?.host.stop();
    await s?.h.stop();
  }
});

test("logging.MySQL: upstream tables that exist are used as they are; a wrong password fails the start without leaking it", { skip: skipWithoutMariadb, timeout: 180_000 }, async () => {
  const name = "existing";
  const db = await serverWith(name);
  let s: Setup | null = null;
  try {
    const c = await db.connect(name);
    try {
      // An upstream install's table with an extra column of the user's own.
      await c.query("CREATE TABLE green_energy (time datetime, genW DECIMAL(9,3), conW DECIMAL(9,3), chgW DECIMAL(9,3), note varchar(20), primary key(time))");
    } finally {
      await c.end();
    }
    s = await setup(db, name);
    await runFor(s.h, 90);
    await drained(s.module);
    const green = await db.query("SELECT * FROM green_energy", [], name);
    assert.ok(green.length >= 1 && green.every((g) => g.note === null), "rows in the existing table");
    await s.host.stop();
    await s.h.stop();

    s = await setup(db, name, { password: "not-the-password-42" });
    const st = s.host.status()[0]!;
    assert.equal(st.state, "failed");
    assert.match(st.lastError ?? "", /cannot connect to twcmanager@127\.0\.0\.1:\d+\/existing: Access denied/);
    assertNoPassword(s.logger, "not-the-password-42");
  } finally {
    await s?.host.stop();
    await s?.h.stop();
  }
});

test("row errors (constraints, bad data) are told apart from connection errors", () => {
  assert.equal(isRowError({ code: "ER_DUP_ENTRY", fatal: false }), true);
  assert.equal(isRowError({ code: "ER_DATA_TOO_LONG", fatal: false }), true);
  assert.equal(isRowError({ code: "PROTOCOL_CONNECTION_LOST", fatal: true }), false);
  assert.equal(isRowError({ code: "ER_NO_SUCH_TABLE", fatal: false }), false);
  assert.equal(isRowError(new Error("x")), false);
});
