/**
 * Fleet API module against the HTTPS loopback fake (vehicles.md §9.2 scenarios 7 and 8): an asleep car
 * is not woken before `wakeDelayMins`, is woken once after it, and is started ≥ 5 s after it came
 * online; a car that stays asleep is not woken again for 1800 s and, after an hour, an error asks for an
 * issue report. No start command reaches a car that is not awake; no token reaches a log line.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeCar } from "./fake-fleet-api.test-helper.ts";
import { HOME, startRig, type Rig } from "./tesla-rig.test-helper.ts";

const VIN = "5YJ3E1EA7KF000001";

/** Asserts no token leaked into the log, then closes the rig. */
const finish = (rig: Rig): Promise<void> => rig.finish();

test("asleep car, start wanted: no wake_up before wakeDelayMins, one after it, charge_start ≥ 5 s after it came online", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME, state: "asleep" })] });
  try {
    const t0 = rig.clock.now();
    assert.equal(await rig.drive(rig.module.charge(true, VIN)), "error", "first need: the wake is deferred");
    assert.equal(rig.fake.count(/wake_up/), 0);
    assert.ok(rig.lines().some((l) => /deferring wake for 3 minutes/.test(l)));
    rig.advance(150_000);
    assert.equal(await rig.drive(rig.module.charge(true, VIN)), "error", "still within wakeDelayMins");
    assert.equal(rig.fake.count(/wake_up/), 0);
    rig.advance(31_000);
    assert.equal(await rig.drive(rig.module.charge(true, VIN)), "success");
    assert.equal(rig.fake.count(/wake_up/), 1, "one wake_up");
    const wake = rig.fake.requests.find((r) => r.path.endsWith("/wake_up"))!;
    const start = rig.fake.requests.find((r) => r.path.endsWith("/command/charge_start"));
    assert.ok(start, "charge_start sent");
    assert.ok(wake.atMs - t0 >= 180_000, "no wake before 3 min of need");
    assert.ok(start.atMs - wake.atMs >= 5000, `charge_start ${String(start.atMs - wake.atMs)} ms after the wake`);
    assert.equal(rig.fake.cars[0]!.chargingState, "Charging");
    assert.ok(rig.fake.requests.every((r) => r.path.startsWith("/api/1/vehicles")), "only vehicle routes");
  } finally {
    await finish(rig);
  }
});

test("a car that wakes late: still asleep after the first wake_up → the next wake ≥ 1800 s later, then started", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME, state: "asleep", wakeAfter: 1 })], config: { wakeDelayMins: 0 } });
  try {
    assert.equal(await rig.drive(rig.module.charge(true, VIN)), "error", "with wakeDelayMins 0 the first check still defers once");
    rig.advance(1000);
    await rig.drive(rig.module.charge(true, VIN));
    assert.equal(rig.fake.count(/wake_up/), 1);
    assert.equal(rig.fake.count(/charge_start/), 0, "asleep: no start command");
    const firstWake = rig.fake.requests.find((r) => r.path.endsWith("/wake_up"))!.atMs;
    for (let i = 0; i < 5; i++) {
      rig.advance(300_000);
      await rig.drive(rig.module.charge(true, VIN));
    }
    assert.equal(rig.fake.count(/wake_up/), 1, "no second wake within 1800 s");
    assert.equal(rig.fake.count(/charge_start/), 0);
    rig.advance(301_000);
    assert.equal(await rig.drive(rig.module.charge(true, VIN)), "success");
    const wakes = rig.fake.requests.filter((r) => r.path.endsWith("/wake_up"));
    assert.equal(wakes.length, 2);
    assert.ok(wakes[1]!.atMs - firstWake >= 1_800_000);
    assert.equal(rig.fake.count(/charge_start/), 1, "started once it was online");
  } finally {
    await finish(rig);
  }
});

test("wake timeout: wake_up keeps answering asleep and vehicle_data 408 → a wake every 1800 s at most, the hour error once, never a start", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME, state: "asleep", wakeAfter: 1000 })], config: { wakeDelayMins: 0 } });
  try {
    for (let i = 0; i < 16; i++) {
      await rig.drive(rig.module.charge(true, VIN));
      rig.advance(600_000);
    }
    const wakes = rig.fake.requests.filter((r) => r.path.endsWith("/wake_up"));
    assert.ok(wakes.length >= 4 && wakes.length <= 6, `${String(wakes.length)} wakes in 2 h 40 min`);
    for (let i = 1; i < wakes.length; i++) assert.ok(wakes[i]!.atMs - wakes[i - 1]!.atMs >= 1_800_000, "wakes ≥ 1800 s apart");
    assert.equal(rig.fake.count(/charge_start|vehicle_data/), 0, "no state read or start of an asleep car");
    const hourErrors = rig.logger.records.filter((r) => r.level === "error" && /failed to wake for more than an hour/.test(r.msg ?? ""));
    assert.equal(hourErrors.length, 1, "the hour error is logged once");
  } finally {
    await finish(rig);
  }
});
