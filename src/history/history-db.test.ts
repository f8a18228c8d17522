import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  BUCKET_MS,
  fillSeries,
  floorBucket,
  openHistoryDb,
  openSettingsHistoryDb,
  parseLegacyEntry,
  type HistoryLogger,
} from "./history-db.ts";

interface Logged {
  level: string;
  obj: Record<string, unknown>;
}

function memLog(): HistoryLogger & { entries: Logged[] } {
  const entries: Logged[] = [];
  const at = (level: string) => (obj: object) =>
    void entries.push({ level, obj: obj as Record<string, unknown> });
  return { entries, info: at("info"), warn: at("warn"), error: at("error") };
}

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

describe("history-db buckets", () => {
  it("stores buckets keyed by their 5-minute epoch start and reads a range oldest first", () => {
    const db = openHistoryDb(":memory:", memLog());
    db.putBucket({ startMs: T0 + BUCKET_MS, chargerW: 3840.4, generationW: 1000.6, consumptionW: null });
    db.putBucket({ startMs: T0 + 123_456, chargerW: 10, generationW: null, consumptionW: 500 });
    db.putBucket({ startMs: T0 - BUCKET_MS, chargerW: 1, generationW: null, consumptionW: null });
    assert.deepEqual(db.buckets(T0, T0 + 2 * BUCKET_MS), [
      { startMs: T0, chargerW: 10, generationW: null, consumptionW: 500 },
      { startMs: T0 + BUCKET_MS, chargerW: 3840, generationW: 1001, consumptionW: null },
    ]);
    db.close();
  });

  it("replaces a bucket written twice", () => {
    const db = openHistoryDb(":memory:", memLog());
    db.putBucket({ startMs: T0, chargerW: 10, generationW: null, consumptionW: null });
    db.putBucket({ startMs: T0, chargerW: 20, generationW: 5, consumptionW: 6 });
    assert.deepEqual(db.buckets(T0, T0 + 1), [
      { startMs: T0, chargerW: 20, generationW: 5, consumptionW: 6 },
    ]);
    db.close();
  });

  it("floorBucket and fillSeries zero-fill gaps", () => {
    assert.equal(floorBucket(T0 + 299_999), T0);
    assert.equal(floorBucket(T0 + 300_000), T0 + BUCKET_MS);
    const s = fillSeries([{ startMs: T0 + BUCKET_MS, chargerW: 7, generationW: 1, consumptionW: 2 }], T0, 3);
    assert.deepEqual(
      s.map((p) => [p.startMs - T0, p.chargerW, p.generationW]),
      [
        [0, 0, null],
        [BUCKET_MS, 7, 1],
        [2 * BUCKET_MS, 0, null],
      ],
    );
  });
});

describe("history-db sessions", () => {
  it("opens, attaches a VIN, closes with energy and lists newest first", () => {
    const db = openHistoryDb(":memory:", memLog());
    const a = db.openSession("4142", T0, 1234);
    const b = db.openSession("4243", T0 + 60_000, null);
    assert.ok(a !== null && b !== null);
    db.setSessionVin(a, "5YJ3E1EA8KF000001");
    db.closeSession(a, { endedAt: T0 + 3_600_000, endKWh: 1241.5, endReason: "stopped", vin: "" });
    db.closeSession(b, { endedAt: T0 + 120_000, endKWh: 10, endReason: "linkLost" });
    const list = db.recentSessions(10);
    assert.deepEqual(list, [
      {
        id: b,
        twcId: "4243",
        vin: null,
        startedAt: T0 + 60_000,
        endedAt: T0 + 120_000,
        startKWh: null,
        endKWh: 10,
        energyKWh: null,
        endReason: "linkLost",
      },
      {
        id: a,
        twcId: "4142",
        vin: "5YJ3E1EA8KF000001",
        startedAt: T0,
        endedAt: T0 + 3_600_000,
        startKWh: 1234,
        endKWh: 1241.5,
        energyKWh: 7.5,
        endReason: "stopped",
      },
    ]);
    assert.equal(db.recentSessions(1).length, 1);
    db.close();
  });

  it("a VIN given at close is stored; sessions left open are closed as shutdown", () => {
    const db = openHistoryDb(":memory:", memLog());
    const a = db.openSession("4142", T0, null)!;
    db.closeSession(a, { endedAt: T0 + 1, endKWh: null, endReason: "shutdown", vin: "VINX" });
    db.openSession("4142", T0 + 10, 5);
    assert.equal(db.closeDangling("shutdown", null), 1);
    const [open, closed] = db.recentSessions(5);
    assert.equal(open?.endReason, "shutdown");
    assert.equal(open?.endedAt, null);
    assert.equal(closed?.vin, "VINX");
    assert.equal(db.closeDangling("shutdown", null), 0);
    db.close();
  });
});

describe("history-db retention", () => {
  it("prune removes buckets and closed sessions before the cutoff, keeps open sessions", () => {
    const db = openHistoryDb(":memory:", memLog());
    const day = 86_400_000;
    db.putBucket({ startMs: T0 - 91 * day, chargerW: 1, generationW: null, consumptionW: null });
    db.putBucket({ startMs: T0 - 89 * day, chargerW: 2, generationW: null, consumptionW: null });
    const old = db.openSession("4142", T0 - 95 * day, null)!;
    db.closeSession(old, { endedAt: T0 - 95 * day + 1000, endKWh: null, endReason: "stopped" });
    db.openSession("4142", T0 - 92 * day, null); // still open: kept
    db.openSession("4142", T0 - day, null);
    assert.equal(db.prune(T0 - 90 * day), 2);
    assert.deepEqual(
      db.buckets(0, T0).map((b) => b.chargerW),
      [2],
    );
    assert.equal(db.recentSessions(10).length, 2);
    db.close();
  });
});

describe("history-db legacy import", () => {
  it("parses upstream [timestamp, watts] pairs and {timestamp, charger_power} objects", () => {
    assert.deepEqual(parseLegacyEntry(["2026-11-23T13:05:00+01:00", 3840.6]), {
      startMs: Date.UTC(2026, 10, 23, 12, 5),
      chargerW: 3841,
      generationW: null,
      consumptionW: null,
    });
    assert.equal(
      parseLegacyEntry({ timestamp: "2026-11-23T12:07:31Z", charger_power: "12" })?.startMs,
      Date.UTC(2026, 10, 23, 12, 5),
    );
    for (const bad of [
      null,
      5,
      "x",
      ["nope", 1],
      ["2026-11-23T12:00:00Z", "abc"],
      ["2026-11-23T12:00:00Z", null],
      {},
    ]) {
      assert.equal(parseLegacyEntry(bad), null, JSON.stringify(bad));
    }
  });

  it("imports valid entries, keeps buckets already present and skips garbage", () => {
    const db = openHistoryDb(":memory:", memLog());
    db.putBucket({
      startMs: Date.UTC(2026, 10, 23, 12, 0),
      chargerW: 999,
      generationW: null,
      consumptionW: null,
    });
    const n = db.importLegacy([
      ["2026-11-23T12:00:00+00:00", 1],
      ["2026-11-23T12:05:00+00:00", 2000],
      { timestamp: "2026-11-23T12:10:00+00:00", charger_power: 3000 },
      "garbage",
    ]);
    assert.equal(n, 2);
    assert.deepEqual(
      db.buckets(0, T0 + BUCKET_MS * 10).map((b) => b.chargerW),
      [999, 2000, 3000],
    );
    assert.equal(db.importLegacy("not an array"), 0);
    db.close();
  });
});

describe("history-db files and failures", () => {
  it("creates <settingsPath>/twcmanager.db in WAL mode and keeps data across reopen", () => {
    const dir = mkdtempSync(join(tmpdir(), "twcm-hdb-"));
    try {
      const settingsPath = join(dir, "sub");
      const db = openSettingsHistoryDb(settingsPath, memLog());
      db.putBucket({ startMs: T0, chargerW: 42, generationW: null, consumptionW: null });
      assert.ok(existsSync(join(settingsPath, "twcmanager.db-wal")));
      db.close();
      const again = openSettingsHistoryDb(settingsPath, memLog());
      assert.deepEqual(
        again.buckets(T0, T0 + 1).map((b) => b.chargerW),
        [42],
      );
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an unusable database file is logged as STORE_DATABASE and history falls back to memory", () => {
    const dir = mkdtempSync(join(tmpdir(), "twcm-hdb-"));
    try {
      const file = join(dir, "twcmanager.db");
      writeFileSync(
        file,
        "this is not a sqlite database, just text that is long enough to be read as a header",
      );
      const log = memLog();
      const db = openHistoryDb(file, log);
      assert.ok(log.entries.some((e) => e.level === "error" && e.obj.code === "STORE_DATABASE"));
      db.putBucket({ startMs: T0, chargerW: 5, generationW: null, consumptionW: null });
      assert.deepEqual(
        db.buckets(T0, T0 + 1).map((b) => b.chargerW),
        [5],
      );
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("operations on a closed database are logged and never throw", () => {
    const log = memLog();
    const db = openHistoryDb(":memory:", log);
    db.close();
    assert.doesNotThrow(() =>
      db.putBucket({ startMs: T0, chargerW: 1, generationW: null, consumptionW: null }),
    );
    assert.deepEqual(db.buckets(0, T0), []);
    assert.equal(db.openSession("4142", T0, null), null);
    assert.equal(db.importLegacy([["2026-11-23T12:00:00Z", 1]]), null);
    assert.ok(log.entries.filter((e) => e.obj.code === "STORE_DATABASE").length >= 4);
  });
});
