import { test } from "node:test";
import assert from "node:assert/strict";
import { carReport, carSteadyForS, initCar, reconfigureCar, stepCar, type CarState } from "./car-model.ts";
import { DEFAULT_CAR, type SimCarDef } from "./types.ts";

function car(patch: Partial<SimCarDef> = {}, rating = 80, volts: number[] = [240, 0, 0]): CarState {
  return initCar({ ...DEFAULT_CAR, ...patch }, rating, volts);
}

/** Steps the car for `seconds` in 100 ms steps (like the bus tick). */
function run(
  c: CarState,
  commanded: number | null,
  seconds: number,
  stopped = false,
  linked = true,
): CarState {
  let x = c;
  for (let i = 0; i < Math.round(seconds * 10); i++) x = stepCar(x, commanded, stopped, linked, 0.1);
  return x;
}

void test("fixed behaviours report their state and draw nothing, whatever the limit", () => {
  const cases: [SimCarDef["behaviour"], number][] = [
    ["none", 0x00],
    ["full", 0x03],
    ["waiting", 0x04],
    ["error", 0x02],
  ];
  for (const [behaviour, state] of cases) {
    const c = run(car({ behaviour }), 3200, 10);
    assert.deepEqual(carReport(c), { state, actualCentiAmps: 0 }, behaviour);
    assert.equal(c.deliveredWh, 0);
  }
});

void test("follow: state 04 before any limit, 03 below minAmps or when stopped by command", () => {
  assert.deepEqual(carReport(run(car({ behaviour: "follow" }), null, 5)), {
    state: 0x04,
    actualCentiAmps: 0,
  });
  assert.deepEqual(carReport(run(car({ behaviour: "follow" }), 400, 5)), { state: 0x03, actualCentiAmps: 0 });
  assert.deepEqual(carReport(run(car({ behaviour: "follow" }), 0, 5)), { state: 0x03, actualCentiAmps: 0 });
  assert.deepEqual(carReport(run(car({ behaviour: "follow" }), 3200, 5, true)), {
    state: 0x03,
    actualCentiAmps: 0,
  });
  // exactly minAmps is enough to start
  assert.equal(carReport(run(car({ behaviour: "follow" }), 500, 1)).state, 0x08);
});

void test("follow: state 08 for startDelayS ramping to ~1.3 A, then 01 ramping to limit − 0.5 A at 10 A/s", () => {
  let c = stepCar(car({ behaviour: "follow" }), 3200, false, true, 0);
  assert.equal(carReport(c).state, 0x08);
  c = run(c, 3200, 1);
  assert.deepEqual(carReport(c), { state: 0x08, actualCentiAmps: 130 });
  c = run(c, 3200, 1.1);
  assert.equal(carReport(c).state, 0x01);
  const early = carReport(c).actualCentiAmps;
  assert.ok(early > 130 && early < 3150, `ramping, got ${early}`);
  c = run(c, 3200, 3);
  assert.deepEqual(carReport(c), { state: 0x01, actualCentiAmps: 3150 });
  // limit lowered → ramps down to the new target
  c = run(c, 1600, 3);
  assert.deepEqual(carReport(c), { state: 0x01, actualCentiAmps: 1550 });
  // stop: drops to 0 at once
  c = stepCar(c, 1600, true, true, 0.1);
  assert.deepEqual(carReport(c), { state: 0x03, actualCentiAmps: 0 });
});

void test("follow: draws min(limit, car max) − offset; rampAmpsPerS 0 jumps at once", () => {
  const c = run(car({ behaviour: "follow", maxAmps: 16, rampAmpsPerS: 0, startDelayS: 0 }), 3200, 0.1);
  assert.deepEqual(carReport(c), { state: 0x01, actualCentiAmps: 1550 });
  const d = run(car({ behaviour: "follow", drawOffsetA: 0, rampAmpsPerS: 0, startDelayS: 0 }), 2000, 0.1);
  assert.equal(carReport(d).actualCentiAmps, 2000);
});

void test("an unlinked slave's car stops drawing", () => {
  let c = run(car({ behaviour: "follow" }), 3200, 10);
  assert.equal(carReport(c).actualCentiAmps, 3150);
  c = stepCar(c, 3200, false, false, 0.1);
  assert.equal(carReport(c).actualCentiAmps, 0);
  assert.equal(c.phase, "idle");
});

void test("energy integrates actual × sum of phase voltages and fills the battery", () => {
  const c0 = car(
    { behaviour: "follow", rampAmpsPerS: 0, startDelayS: 0, batteryKWh: 100, socPercent: 10 },
    80,
    [230, 230, 230],
  );
  const c = run(c0, 1650, 3600); // 16 A × 690 V for one hour = 11 040 Wh
  assert.ok(Math.abs(c.deliveredWh - 11040) < 1, `deliveredWh ${c.deliveredWh}`);
  assert.ok(Math.abs(c.socPercent - 21.04) < 0.01, `soc ${c.socPercent}`);
});

void test("the car becomes full at the charge limit", () => {
  const c0 = car({
    behaviour: "follow",
    rampAmpsPerS: 0,
    startDelayS: 0,
    batteryKWh: 1,
    socPercent: 89,
    chargeLimitPercent: 90,
  });
  // 31.5 A × 240 V = 7560 W; 10 Wh take ~4.8 s
  let c = run(c0, 3200, 3);
  assert.equal(carReport(c).state, 0x01);
  c = run(c, 3200, 3);
  assert.deepEqual(carReport(c), { state: 0x03, actualCentiAmps: 0 });
  assert.equal(c.def.behaviour, "full");
  assert.ok(c.socPercent >= 90);
  // a re-plug with a lower SoC charges again
  c = reconfigureCar(c, { behaviour: "follow", socPercent: 50 });
  c = run(c, 3200, 1);
  assert.equal(carReport(c).state, 0x01);
});

void test("sixAmpFallback: a raise below the spike threshold gives ~5.2 A until 21 A is offered for 5 s (rating 80)", () => {
  let c = run(car({ behaviour: "follow", sixAmpFallback: true, rampAmpsPerS: 0, startDelayS: 0 }), 1000, 1);
  assert.equal(carReport(c).actualCentiAmps, 950);
  c = run(c, 1200, 2); // raised 10 → 12 A
  assert.equal(carReport(c).actualCentiAmps, 520);
  c = run(c, 2100, 4.5); // spike, not long enough yet
  assert.equal(carReport(c).actualCentiAmps, 520);
  c = run(c, 2100, 1);
  assert.equal(carReport(c).actualCentiAmps, 2050);
  c = run(c, 1200, 1); // lowering never triggers the fallback
  assert.equal(carReport(c).actualCentiAmps, 1150);
});

void test("sixAmpFallback threshold is 16 A for a rating below 80 A; off by default", () => {
  let c = run(
    car({ behaviour: "follow", sixAmpFallback: true, rampAmpsPerS: 0, startDelayS: 0 }, 32),
    1000,
    1,
  );
  c = run(c, 1200, 1);
  assert.equal(carReport(c).actualCentiAmps, 520);
  c = run(c, 1600, 5.1);
  assert.equal(carReport(c).actualCentiAmps, 1550);
  let d = run(car({ behaviour: "follow", rampAmpsPerS: 0, startDelayS: 0 }), 1000, 1);
  d = run(d, 1200, 1);
  assert.equal(carReport(d).actualCentiAmps, 1150);
});

void test("carSteadyForS: 0 while starting or ramping, the time to the charge limit while drawing steadily, ∞ when drawing nothing", () => {
  const follow = car({ behaviour: "follow" });
  assert.equal(carSteadyForS(follow, 1600, false, true, 0.1), 0, "an idle car about to start");
  const ramping = run(follow, 1600, follow.def.startDelayS + 0.1);
  assert.equal(carSteadyForS(ramping, 1600, false, true, 0.1), 0, "ramping towards 16 A");
  const steady = run(follow, 1600, 120);
  const s = carSteadyForS(steady, 1600, false, true, 0.1);
  assert.ok(s > 0 && Number.isFinite(s), `steady for ${s} s`);
  // Integrating those seconds in one step reaches the charge limit (within rounding).
  const later = stepCar(steady, 1600, false, true, s + 1);
  assert.ok(later.socPercent >= steady.def.chargeLimitPercent - 1e-9);
  assert.equal(carSteadyForS(car({ behaviour: "waiting" }), 1600, false, true, 0.1), 0, "first step sets the last limit");
  const waiting = run(car({ behaviour: "waiting" }), 1600, 1);
  assert.equal(carSteadyForS(waiting, 1600, false, true, 0.1), Number.POSITIVE_INFINITY);
});
