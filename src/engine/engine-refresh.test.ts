/**
 * The engine's refresh (issue 9 §7, a cheap idle): the state document is rebuilt only when an input
 * changed, yet every field derived from the clock still changes on time; the exact energy figures are
 * published with it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startHarness, type Harness } from "./engine-harness.test-helper.ts";

/** Counts the documents the engine hands to its store from now on. */
function countPublishes(h: Harness): { readonly count: number } {
  const store = h.engine.state;
  const publish = store.publish.bind(store);
  const counter = { count: 0 };
  store.publish = (next, exact) => {
    counter.count++;
    return publish(next, exact);
  };
  return counter;
}

// 12:00:05 UTC: the 10 s bus-counter refreshes fall on …5 s, away from the minute and alert edges below.
const START = Date.UTC(2026, 10, 23, 12, 0, 5);

test("an idle engine rebuilds the document only when an input changed, not every second", async () => {
  const h = await startHarness({ startMs: START, slaves: [], policyCheckIntervalS: 3600 });
  try {
    await h.run(5000);
    const published = countPublishes(h);
    const revision = h.engine.state.revision;
    await h.run(60_000);
    // 60 housekeeping refreshes; rebuilt for the 6 bus-counter refreshes, the NO_CHARGERS alert and the minute.
    assert.ok(published.count <= 10, `${published.count} rebuilds in an idle minute`);
    assert.ok(h.engine.state.revision > revision, "the counters still reach the document");
  } finally {
    await h.stop();
  }
});

test("a rule that turns on with time alone (NO_CHARGERS after 30 s) reaches the document at once", async () => {
  const h = await startHarness({ startMs: START, slaves: [], policyCheckIntervalS: 3600 });
  try {
    await h.run(30_500);
    assert.equal(h.engine.state.snapshot.alerts.some((a) => a.code === "NO_CHARGERS"), false);
    await h.run(1000); // the tick at 31 s, 4 s before the next bus-counter refresh
    assert.equal(h.engine.state.snapshot.alerts.some((a) => a.code === "NO_CHARGERS"), true);
  } finally {
    await h.stop();
  }
});

test("the schedule's activeNow turns on at its start minute although nothing else changed", async () => {
  const h = await startHarness({
    startMs: START,
    slaves: [],
    policyCheckIntervalS: 3600,
    // Monday–Sunday 12:01–14:00 at 10 A.
    settings: { scheduledAmpsMax: 10, scheduledAmpsStartHour: 12 + 1 / 60, scheduledAmpsEndHour: 14, scheduledAmpsDaysBitmap: 127 },
  });
  try {
    await h.run(54_500); // 12:00:59.5
    assert.equal(h.engine.state.snapshot.schedule.activeNow, false);
    await h.run(1000); // 12:01:00.5: the tick at 12:01:00, 5 s before the next bus-counter refresh
    assert.equal(h.engine.state.snapshot.schedule.activeNow, true);
  } finally {
    await h.stop();
  }
});

test("the exact energy figures are published with the document and follow the readings", async () => {
  const h = await startHarness({ startMs: START, slaves: [], withSource: true });
  try {
    h.source!.set(5000.4, 1000.2);
    await h.run(1000);
    const first = h.engine.state.exact;
    assert.deepEqual(first, { chargerLoadW: 0, consumptionW: 1000.2, generationW: 5000.4, voltage: 240, phases: 1 });
    assert.equal(h.engine.state.snapshot.energy.generationW, 5000);
    await h.run(1000);
    assert.equal(h.engine.state.exact, first, "unchanged readings: the same figures");
    h.source!.set(5000.3, 1000.2); // the same rounded document, other exact figures
    const revision = h.engine.state.revision;
    await h.run(1000);
    assert.equal(h.engine.state.exact.generationW, 5000.3);
    assert.equal(h.engine.state.snapshot.energy.generationW, 5000);
    assert.ok(h.engine.state.revision >= revision);
  } finally {
    await h.stop();
  }
});

test("an idle charger's answers patch only its liveness into the document, once a second", async () => {
  const h = await startHarness({ startMs: START, slaves: [{ twcID: "AB", maxAmps: 32 }], policyCheckIntervalS: 3600 });
  try {
    await h.run(60_000);
    let patched = 0;
    for (let second = 0; second < 10; second++) {
      const before = h.engine.state.snapshot;
      await h.run(1000);
      const after = h.engine.state.snapshot;
      assert.ok(after.revision > before.revision, "every answer reaches the document");
      assert.notEqual(after.chargers[0]?.lastHeartbeatAt, before.chargers[0]?.lastHeartbeatAt);
      assert.equal(after.chargers[0]?.responding, true);
      // Only the charger's liveness changed: its explanation, the energy and the totals were not rebuilt.
      if (after.chargers[0]?.why === before.chargers[0]?.why && after.energy === before.energy && after.totals === before.totals) patched++;
    }
    // The one full rebuild in 10 s: the bus counters' refresh.
    assert.ok(patched >= 8, `${patched} of 10 seconds patched`);
  } finally {
    await h.stop();
  }
});
