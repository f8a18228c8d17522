/** The SQLite sink (sqlite.ts): where the file is, the history database refused, a session's row through start, VIN and stop. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteLogFile, sqliteSink } from "./sqlite.ts";

const NO_MUTE = { chargeSessions: false, greenEnergy: false, slavePower: false, slaveStatus: false };

interface Db {
  prepare(sql: string): { all(): Record<string, unknown>[] };
  close(): void;
}

test("the file: default <settingsPath>/twcmanager.sqlite, a directory gets twcmanager.sqlite, a file path is used as is", () => {
  const dir = mkdtempSync(join(tmpdir(), "twc-sqlite-"));
  try {
    mkdirSync(join(dir, "d"));
    assert.equal(sqliteLogFile({ path: null, mute: NO_MUTE }, dir), join(dir, "twcmanager.sqlite"));
    assert.equal(sqliteLogFile({ path: join(dir, "d"), mute: NO_MUTE }, dir), join(dir, "d", "twcmanager.sqlite"));
    assert.equal(sqliteLogFile({ path: join(dir, "x.sqlite"), mute: NO_MUTE }, dir), join(dir, "x.sqlite"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the history database is refused with a clear error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twc-sqlite-"));
  try {
    await assert.rejects(sqliteSink(join(dir, "twcmanager.db"), join(dir, "twcmanager.db")).open(() => undefined), /logging\.SQLite\.path .* is the history database/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a session row: inserted at start, VIN and end updated; a stop whose start was never written is inserted whole", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twc-sqlite-"));
  try {
    const file = join(dir, "sub", "log.sqlite");
    const sink = sqliteSink(file, join(dir, "twcmanager.db"));
    await sink.open(() => undefined);
    const at = new Date(2026, 10, 23, 10, 0, 0).getTime();
    await sink.write({ kind: "sessionStart", chargeId: 100, twcId: "ABCD", startMs: at, startKWh: 7 });
    await sink.write({ kind: "sessionVin", chargeId: 100, twcId: "ABCD", startMs: at, vin: "5YJ3E1EA8KF000001" });
    await sink.write({ kind: "sessionStop", chargeId: 100, twcId: "ABCD", startMs: at, startKWh: 7, endMs: at + 60_000, endKWh: 9, vin: null });
    await sink.write({ kind: "sessionStop", chargeId: 200, twcId: "EF01", startMs: at, startKWh: null, endMs: at + 120_000, endKWh: 3, vin: null });
    await sink.close();
    const Sqlite = createRequire(import.meta.url)("better-sqlite3") as new (f: string) => Db;
    const db = new Sqlite(file);
    try {
      assert.deepEqual(db.prepare("SELECT * FROM charge_sessions ORDER BY chargeid").all(), [
        { chargeid: 100, startTime: "2026-11-23 10:00:00", startkWh: 7, slaveTWC: "ABCD", endTime: "2026-11-23 10:01:00", endkWh: 9, vehicleVIN: "5YJ3E1EA8KF000001" },
        { chargeid: 200, startTime: "2026-11-23 10:00:00", startkWh: null, slaveTWC: "EF01", endTime: "2026-11-23 10:02:00", endkWh: 3, vehicleVIN: null },
      ]);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
