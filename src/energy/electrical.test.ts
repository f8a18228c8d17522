import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  MIXED_PHASES_MESSAGE,
  aToW,
  chargerLoadW,
  realPowerFactor,
  voltageAndPhases,
  wToA,
} from "./electrical.ts";

const v = (a: number, b = 0, c = 0) => ({ voltsPhaseA: a, voltsPhaseB: b, voltsPhaseC: c });

void test("no voltage reports → config defaults (240 V, 1 phase unless configured)", () => {
  assert.deepEqual(voltageAndPhases([], {}), {
    voltage: 240,
    phases: 1,
    source: "config",
    mixedPhases: false,
  });
  assert.deepEqual(voltageAndPhases([v(0), v(0)], { defaultVoltage: 230, numberOfPhases: 3 }), {
    voltage: 230,
    phases: 3,
    source: "config",
    mixedPhases: false,
  });
});

void test("single-phase reports: V = Σ / (P × reporting slaves); silent slaves are not counted", () => {
  assert.deepEqual(voltageAndPhases([v(238)], {}), {
    voltage: 238,
    phases: 1,
    source: "chargers",
    mixedPhases: false,
  });
  const e = voltageAndPhases([v(240), v(244), v(0)], { defaultVoltage: 120 });
  assert.equal(e.voltage, 242);
  assert.equal(e.phases, 1);
});

void test("three-phase reports: P = 3 and V is the per-phase mean", () => {
  const e = voltageAndPhases([v(230, 231, 229), v(232, 230, 228)], {});
  assert.equal(e.phases, 3);
  assert.equal(e.voltage, 230);
  assert.equal(e.source, "chargers");
});

void test("mixed phase counts → config defaults and the mixed flag", () => {
  const e = voltageAndPhases([v(240), v(230, 231, 229)], { defaultVoltage: 230, numberOfPhases: 1 });
  assert.deepEqual(e, { voltage: 230, phases: 1, source: "config", mixedPhases: true });
  assert.match(MIXED_PHASES_MESSAGE, /mix of multi-phase configurations/i);
});

void test("W↔A conversions use P × V", () => {
  assert.equal(wToA(4800, { voltage: 240, phases: 1 }), 20);
  assert.equal(aToW(16, { voltage: 230, phases: 3 }), 11040);
  fc.assert(
    fc.property(
      fc.double({ min: -1e5, max: 1e5, noNaN: true }),
      fc.double({ min: 100, max: 480, noNaN: true }),
      fc.integer({ min: 1, max: 3 }),
      (w, voltage, phases) => {
        const back = aToW(wToA(w, { voltage, phases }), { voltage, phases });
        assert.ok(Math.abs(back - w) < 1e-6);
      },
    ),
  );
});

void test("real power factor: defaults to 1, linear between min and wiring, not clamped", () => {
  const base = { minAmpsPerTWC: 6, wiringMaxAmpsAllTWCs: 40 };
  assert.equal(realPowerFactor(20, base), 1);
  const cfg = { ...base, realPowerFactorMinAmps: 0.9, realPowerFactorMaxAmps: 1 };
  assert.equal(realPowerFactor(6, cfg), 0.9);
  assert.equal(realPowerFactor(40, cfg), 1);
  assert.ok(Math.abs(realPowerFactor(23, cfg) - 0.95) < 1e-12);
  assert.ok(Math.abs(realPowerFactor(74, cfg) - 1.1) < 1e-12, "extrapolated above wiring");
  assert.ok(Math.abs(realPowerFactor(0, cfg) - (0.9 - 0.6 / 34)) < 1e-12, "extrapolated below min");
  assert.equal(
    realPowerFactor(3, {
      minAmpsPerTWC: 32,
      wiringMaxAmpsAllTWCs: 32,
      realPowerFactorMinAmps: 0.5,
      realPowerFactorMaxAmps: 0.8,
    }),
    0.8,
  );
});

void test("charger load = A→W(total actual) × rpf(total actual)", () => {
  const cfg = { minAmpsPerTWC: 6, wiringMaxAmpsAllTWCs: 40 };
  assert.equal(chargerLoadW(16, { voltage: 240, phases: 1 }, cfg), 3840);
  const withPf = { ...cfg, realPowerFactorMinAmps: 0.9, realPowerFactorMaxAmps: 1 };
  assert.ok(Math.abs(chargerLoadW(23, { voltage: 240, phases: 1 }, withPf) - 23 * 240 * 0.95) < 1e-9);
});
