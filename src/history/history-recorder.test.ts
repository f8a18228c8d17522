import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import { twcId, type TwcId } from "../protocol/frames.ts";
import { FakeClock } from "../shared/clock.ts";
import { BUCKET_MS, openHistoryDb, type HistoryLogger, type HistoryStore } from "./history-db.ts";
import type { BusControllerEvents } from "../bus/controller-types.ts";
import {
  HistoryRecorder,
  importLegacySettingsHistory,
  type EnergySample,
  type SlaveSample,
} from "./history-recorder.ts";

const quiet: HistoryLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const A = twcId(0x4142);
const B = twcId(0x4243);

class FakeSource extends EventEmitter<BusControllerEvents> {
  list: SlaveSample[] = [];
  slaves(): readonly SlaveSample[] {
    return this.list;
  }
  /** A heartbeat of `id` reporting `amps` at the clock's time, followed by a "change". */
  heartbeat(clock: FakeClock, id: TwcId, amps: number): void {
    const others = this.list.filter((s) => s.id !== id);
    this.list = [...others, { id, lastHeartbeatAtMs: clock.now(), reportedAmpsActual: amps }];
    this.emit("change");
  }
}

// 12:01 UTC: the first boundary is at 12:05.
const START = Date.UTC(2026, 10, 23, 12, 1, 0);
const B0 = Date.UTC(2026, 10, 23, 12, 0, 0);

function setup(
  o: { energy?: () => EnergySample | null; store?: HistoryStore; retentionDays?: number } = {},
): {
  clock: FakeClock;
  source: FakeSource;
  store: HistoryStore;
  rec: HistoryRecorder;
} {
  const clock = new FakeClock(START);
  const source = new FakeSource();
  const store = o.store ?? openHistoryDb(":memory:", quiet);
  const rec = new HistoryRecorder({
    clock,
    store,
    source,
    toWatts: (a) => a * 240 * 0.9, // 240 V, one phase, power factor 0.9
    energy: o.energy ?? (() => null),
    retentionDays: o.retentionDays ?? 90,
    logger: quiet,
  });
  rec.start();
  return { clock, source, store, rec };
}

describe("HistoryRecorder buckets", () => {
  it("stores A→W(Σ running means) × rpf at each 5-minute boundary and resets the means", () => {
    const { clock, source, store, rec } = setup();
    source.heartbeat(clock, A, 10);
    clock.advance(1000);
    source.heartbeat(clock, A, 20); // mean A = 15
    source.heartbeat(clock, B, 6); // same instant, other slave: mean B = 6
    source.emit("change"); // no new heartbeat: not sampled again
    assert.equal(rec.meanAmps(), 21);
    clock.advance(B0 + BUCKET_MS - clock.now()); // 12:05
    assert.deepEqual(store.buckets(B0, B0 + BUCKET_MS), [
      { startMs: B0, chargerW: Math.round(21 * 240 * 0.9), generationW: null, consumptionW: null },
    ]);
    assert.equal(rec.meanAmps(), 0);
    // a bucket without heartbeats is stored as zero
    clock.advance(BUCKET_MS);
    assert.deepEqual(
      store.buckets(B0 + BUCKET_MS, B0 + 2 * BUCKET_MS).map((b) => b.chargerW),
      [0],
    );
    rec.stop();
  });

  it("keeps the mean of a slave that left during the bucket, drops it afterwards", () => {
    const { clock, source, store, rec } = setup();
    source.heartbeat(clock, A, 8);
    source.list = [];
    source.emit("change");
    clock.advance(B0 + BUCKET_MS - clock.now());
    assert.equal(store.buckets(B0, B0 + 1)[0]?.chargerW, Math.round(8 * 240 * 0.9));
    clock.advance(BUCKET_MS);
    assert.equal(store.buckets(B0 + BUCKET_MS, B0 + BUCKET_MS + 1)[0]?.chargerW, 0);
    rec.stop();
  });

  it("stores mean generation/consumption of fresh samples, null when there were none", () => {
    let fresh = true;
    let gen = 1000;
    const { clock, store, rec } = setup({
      energy: () => (fresh ? { generationW: gen, consumptionW: 500 } : null),
    });
    clock.advance(10_000); // 12:01:10 sample 1000
    gen = 2000;
    clock.advance(10_000); // sample 2000
    fresh = false;
    clock.advance(B0 + BUCKET_MS - clock.now()); // stale samples skipped
    assert.deepEqual(store.buckets(B0, B0 + 1)[0], {
      startMs: B0,
      chargerW: 0,
      generationW: 1500,
      consumptionW: 500,
    });
    clock.advance(BUCKET_MS);
    assert.deepEqual(store.buckets(B0 + BUCKET_MS, B0 + BUCKET_MS + 1)[0], {
      startMs: B0 + BUCKET_MS,
      chargerW: 0,
      generationW: null,
      consumptionW: null,
    });
    rec.stop();
  });

  it("series() zero-fills, reads stored buckets and ends with the live bucket", () => {
    const { clock, source, rec } = setup();
    source.heartbeat(clock, A, 16);
    clock.advance(B0 + BUCKET_MS - clock.now()); // stores 12:00
    source.heartbeat(clock, A, 32);
    clock.advance(60_000); // 12:06, live bucket 12:05
    const s = rec.series(clock.now(), 4);
    assert.deepEqual(
      s.map((p) => [(p.startMs - B0) / 60_000, p.chargerW]),
      [
        [-10, 0],
        [-5, 0],
        [0, Math.round(16 * 216)],
        [5, Math.round(32 * 216)],
      ],
    );
    rec.stop();
  });

  it("stop() stores the partial bucket and cancels every timer", () => {
    const { clock, source, store, rec } = setup();
    source.heartbeat(clock, A, 10);
    rec.stop();
    assert.equal(store.buckets(B0, B0 + 1)[0]?.chargerW, Math.round(10 * 216));
    assert.equal(clock.pending, 0);
  });
});

describe("HistoryRecorder sessions and retention", () => {
  it("records open → vin → close from the controller's session events", () => {
    const { clock, source, rec } = setup();
    source.emit("session", { op: "open", twcId: A, at: clock.now(), startKWh: 1000 });
    source.emit("session", { op: "vin", twcId: A, vin: "5YJ3E1EA8KF000001" });
    source.emit("session", { op: "open", twcId: B, at: clock.now() + 1, startKWh: null });
    source.emit("session", {
      op: "close",
      twcId: A,
      at: clock.now() + 3_600_000,
      reason: "stopped",
      endKWh: 1011,
      vin: "5YJ3E1EA8KF000001",
    });
    source.emit("session", {
      op: "close",
      twcId: twcId(0x9999),
      at: clock.now(),
      reason: "linkLost",
      endKWh: null,
      vin: "",
    }); // unknown: ignored
    const [b, a] = rec.sessions(10);
    assert.equal(b?.twcId, "4243");
    assert.equal(b?.endedAt, null);
    assert.deepEqual(a, {
      id: a?.id,
      twcId: "4142",
      vin: "5YJ3E1EA8KF000001",
      startedAt: START,
      endedAt: START + 3_600_000,
      startKWh: 1000,
      endKWh: 1011,
      energyKWh: 11,
      endReason: "stopped",
    });
    rec.stop();
  });

  it("closes sessions left open by a previous run at start", () => {
    const store = openHistoryDb(":memory:", quiet);
    store.openSession("4142", START - 1000, null);
    const { rec } = setup({ store });
    assert.equal(rec.sessions(1)[0]?.endReason, "shutdown");
    rec.stop();
  });

  it("prunes data older than historyRetentionDays at start and daily", () => {
    const store = openHistoryDb(":memory:", quiet);
    const day = 86_400_000;
    store.putBucket({ startMs: B0 - 3 * day, chargerW: 1, generationW: null, consumptionW: null });
    store.putBucket({ startMs: B0 - day - BUCKET_MS, chargerW: 2, generationW: null, consumptionW: null });
    store.putBucket({ startMs: B0 - BUCKET_MS, chargerW: 3, generationW: null, consumptionW: null });
    const { clock, rec } = setup({ store, retentionDays: 2 });
    assert.deepEqual(
      store.buckets(0, B0).map((b) => b.chargerW),
      [2, 3],
    );
    clock.advance(day);
    assert.deepEqual(
      store.buckets(0, B0).map((b) => b.chargerW),
      [3],
    );
    rec.stop();
  });
});

describe("importLegacySettingsHistory", () => {
  it("imports settings.history once and removes the key", () => {
    const store = openHistoryDb(":memory:", quiet);
    let settings: Record<string, unknown> = { a: 1, history: [["2026-11-23T12:00:00+00:00", 100]] };
    const access = {
      get: () => settings,
      update: (p: Readonly<Record<string, unknown>>) => {
        settings = { ...settings, ...p };
        for (const [k, v] of Object.entries(p)) if (v === undefined) delete settings[k];
      },
    };
    assert.equal(importLegacySettingsHistory(store, access, quiet), 1);
    assert.deepEqual(settings, { a: 1 });
    assert.equal(store.buckets(B0, B0 + 1)[0]?.chargerW, 100);
    assert.equal(importLegacySettingsHistory(store, access, quiet), 0);
  });

  it("keeps the key when the database fails", () => {
    const store = openHistoryDb(":memory:", quiet);
    store.close();
    const settings = { history: [["2026-11-23T12:00:00+00:00", 100]] };
    let updated = false;
    importLegacySettingsHistory(store, { get: () => settings, update: () => void (updated = true) }, quiet);
    assert.equal(updated, false);
  });
});
