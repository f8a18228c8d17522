/**
 * The recorder across a real restart on the same database file (issue 12 §9), the gaps of a series,
 * and the energy and "stopped by" of the sessions it records.
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { twcId, type TwcId } from "../protocol/frames.ts";
import { FakeClock } from "../shared/clock.ts";
import type { BusControllerEvents } from "../bus/controller-types.ts";
import {
  BUCKET_MS,
  openHistoryDb,
  openHistoryFile,
  type HistoryLogger,
  type HistoryStore,
} from "./history-db.ts";
import { HistoryRecorder, PARTIAL_SAVE_MS, type SlaveSample } from "./history-recorder.ts";
import { historyDoc } from "../http/v2/history.ts";

const quiet: HistoryLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const A = twcId(0x4142);
const B0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const W_PER_A = 250; // 30 A → 7.5 kW

class FakeSource extends EventEmitter<BusControllerEvents> {
  list: SlaveSample[] = [];
  slaves(): readonly SlaveSample[] {
    return this.list;
  }
  heartbeat(clock: FakeClock, id: TwcId, amps: number, extra: Partial<SlaveSample> = {}): void {
    const prev = this.list.find((s) => s.id === id);
    const others = this.list.filter((s) => s.id !== id);
    this.list = [
      ...others,
      { ...prev, ...extra, id, lastHeartbeatAtMs: clock.now(), reportedAmpsActual: amps },
    ];
    this.emit("change");
  }
}

function recorder(
  clock: FakeClock,
  store: HistoryStore,
  source = new FakeSource(),
): { rec: HistoryRecorder; source: FakeSource } {
  const rec = new HistoryRecorder({
    clock,
    store,
    source,
    toWatts: (a) => a * W_PER_A,
    energy: () => null,
    retentionDays: 90,
    logger: quiet,
  });
  rec.start();
  return { rec, source };
}

/** `n` heartbeats of `amps`, one a second. */
function beats(
  clock: FakeClock,
  source: FakeSource,
  n: number,
  amps: number,
  extra: Partial<SlaveSample> = {},
): void {
  for (let i = 0; i < n; i++) {
    source.heartbeat(clock, A, amps, extra);
    clock.advance(1000);
  }
}

const dir = mkdtempSync(join(tmpdir(), "twcm-history-restart-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("a restart inside a 5-minute bucket", () => {
  it("keeps the bucket: the second run continues the first run's running means", () => {
    const file = join(dir, "restart.db");
    const clock = new FakeClock(B0 + 10_000);
    let store = openHistoryFile(file, quiet);
    const first = recorder(clock, store);
    beats(clock, first.source, 60, 10); // 12:00:10–12:01:10 at 10 A
    first.rec.stop();
    store.close();

    clock.advance(30_000); // TWCManager restarts at 12:01:40, same bucket
    store = openHistoryFile(file, quiet);
    const second = recorder(clock, store);
    assert.equal(second.rec.meanAmps(), 10, "the first run's samples are back");
    beats(clock, second.source, 60, 30); // then 30 A
    clock.advance(B0 + BUCKET_MS - clock.now()); // the 12:05 boundary
    assert.equal(store.buckets(B0, B0 + 1)[0]?.chargerW, 20 * W_PER_A, "mean of both runs: 20 A");
    assert.equal(store.partial(), null, "the saved sums are gone once the bucket is stored");
    second.rec.stop();
    store.close();
  });

  it("after a crash (no stop) the saved sums become the bucket when the next run starts later", () => {
    const file = join(dir, "crash.db");
    const clock = new FakeClock(B0 + 1000);
    const store = openHistoryFile(file, quiet);
    const first = recorder(clock, store);
    beats(clock, first.source, PARTIAL_SAVE_MS / 1000 + 1, 16); // past one periodic save
    // crash: no stop(); the process is gone, the file stays
    store.close();

    const later = new FakeClock(B0 + 3 * BUCKET_MS + 1000);
    const again = openHistoryFile(file, quiet);
    const second = recorder(later, again);
    assert.equal(again.buckets(B0, B0 + 1)[0]?.chargerW, 16 * W_PER_A);
    assert.equal(second.rec.meanAmps(), 0, "the new bucket starts empty");
    second.rec.stop();
    again.close();
  });
});

describe("a restart, then a crash in the same bucket", () => {
  it("the later run stores the merged sums, not the first run's partial row", () => {
    const file = join(dir, "restart-crash.db");
    const clock = new FakeClock(B0 + 1000);
    let store = openHistoryFile(file, quiet);
    const first = recorder(clock, store);
    beats(clock, first.source, 30, 10);
    first.rec.stop(); // stores the partial row (10 A) and the sums
    store.close();
    store = openHistoryFile(file, quiet);
    const second = recorder(clock, store);
    beats(clock, second.source, 90, 30); // the sums are saved every minute
    store.close(); // crash
    const later = new FakeClock(B0 + 2 * BUCKET_MS);
    const again = openHistoryFile(file, quiet);
    const third = recorder(later, again);
    const saved = again.buckets(B0, B0 + 1)[0]?.chargerW ?? 0;
    // The last periodic save (a minute after the second start): 30 samples of 10 A and 60 of 30 A.
    assert.equal(saved, Math.round(((30 * 10 + 60 * 30) / 90) * W_PER_A));
    third.rec.stop();
    again.close();
  });
});

describe("gaps", () => {
  it("buckets before TWCManager ran are gaps, not 0 W; recorded zero buckets are 0 W", () => {
    const store = openHistoryDb(":memory:", quiet);
    store.putBucket({ startMs: B0 - BUCKET_MS, chargerW: 0, generationW: null, consumptionW: null });
    const clock = new FakeClock(B0 + 1000);
    const { rec } = recorder(clock, store);
    const s = rec.series(clock.now(), 4);
    assert.deepEqual(
      s.map((p) => [(p.startMs - B0) / BUCKET_MS, p.chargerW, p.recorded ?? true]),
      [
        [-3, 0, false],
        [-2, 0, false],
        [-1, 0, true],
        [0, 0, true],
      ],
    );
    const doc = historyDoc(rec, clock.now(), 1, "UTC");
    assert.deepEqual(doc.gaps, [{ from: 0, to: 10 }]);
    assert.ok(
      doc.points.every((p) => !("recorded" in p)),
      "the points keep their documented shape",
    );
    rec.stop();
  });
});

describe("session energy and who stopped it", () => {
  it("a 7-minute session at 7.5 kW on a whole-kWh counter is recorded as ≈0.875 kWh, not 0", () => {
    const store = openHistoryDb(":memory:", quiet);
    const clock = new FakeClock(B0 + 1000);
    const { rec, source } = recorder(clock, store);
    const counter = {
      lifetimeKWh: 1234,
      lifetimeKnown: true,
      kwhTrack: { atMs: clock.now() },
      lastAmpsOffered: 32,
      minAmpsTWCSupports: 6,
    };
    source.emit("session", { op: "open", twcId: A, at: clock.now(), startKWh: 1234 });
    beats(clock, source, 7 * 60 + 1, 30, counter);
    source.emit("session", {
      op: "close",
      twcId: A,
      at: clock.now(),
      reason: "stopped",
      endKWh: 1234,
      vin: "",
    });
    const [s] = rec.sessions(1);
    assert.ok(s && s.energyKWh !== null && Math.abs(s.energyKWh - 0.875) < 0.01, `energy ${s?.energyKWh}`);
    assert.equal(s?.stoppedBy, "car");
    rec.stop();
  });

  it("an open session's energy is saved as it goes", () => {
    const store = openHistoryDb(":memory:", quiet);
    const clock = new FakeClock(B0 + 1000);
    const { rec, source } = recorder(clock, store);
    source.emit("session", { op: "open", twcId: A, at: clock.now(), startKWh: null });
    beats(clock, source, PARTIAL_SAVE_MS / 1000 + 2, 30);
    const e = rec.sessions(1)[0]?.energyKWh ?? 0;
    assert.ok(e > 0.1 && e < 0.2, `saved ${e}`);
    rec.stop();
  });

  it("records a user's stop, the policy's and the lost link", () => {
    const store = openHistoryDb(":memory:", quiet);
    const clock = new FakeClock(B0 + 1000);
    const { rec, source } = recorder(clock, store);
    const close = (reason: "stopped" | "linkLost"): unknown =>
      source.emit("session", { op: "close", twcId: A, at: clock.now(), reason, endKWh: null, vin: "" });
    const open = (): unknown =>
      source.emit("session", { op: "open", twcId: A, at: clock.now(), startKWh: null });

    open();
    beats(clock, source, 5, 16, { lastAmpsOffered: 16, minAmpsTWCSupports: 6 });
    rec.noteUserStop("http", null); // "Stop all" on the dashboard
    beats(clock, source, 6, 0);
    close("stopped");
    assert.equal(rec.sessions(1)[0]?.stoppedBy, "userHttp");

    clock.advance(600_000);
    open();
    beats(clock, source, 5, 16);
    rec.noteUserStop("mqtt", A);
    beats(clock, source, 6, 0);
    close("stopped");
    assert.equal(rec.sessions(1)[0]?.stoppedBy, "userMqtt");

    clock.advance(600_000);
    open();
    beats(clock, source, 5, 16);
    beats(clock, source, 6, 0, { lastAmpsOffered: 0 }); // the budget ended: nothing offered
    close("stopped");
    assert.equal(rec.sessions(1)[0]?.stoppedBy, "policy");

    open();
    beats(clock, source, 5, 16, { lastAmpsOffered: 16 });
    close("linkLost");
    assert.equal(rec.sessions(1)[0]?.stoppedBy, "busLost");
    rec.stop();
  });
});
