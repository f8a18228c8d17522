import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  MAX_SAMPLE_GAP_MS,
  sampleCounter,
  samplePower,
  startEnergy,
  type EnergyState,
} from "./energy-integrator.ts";

const T0 = 1_795_000_000_000;

/** Constant `watts` sampled every `stepMs` from `fromMs` for `durationMs` (both ends included). */
function constant(
  s: EnergyState,
  fromMs: number,
  durationMs: number,
  watts: number,
  stepMs = 1000,
): EnergyState {
  let st = s;
  for (let t = 0; t <= durationMs; t += stepMs) st = samplePower(st, fromMs + t, watts);
  return st;
}

const near = (a: number, b: number, eps = 1e-9, what = ""): void =>
  assert.ok(Math.abs(a - b) <= eps, `${what} ${a} ≉ ${b}`);

describe("session energy integration", () => {
  it("a 7-minute session at 7.5 kW on a whole-kWh counter that never steps is ≈0.875 kWh, not 0", () => {
    let s = startEnergy(1234);
    s = sampleCounter(s, 1234);
    s = constant(s, T0, 7 * 60_000, 7500);
    s = sampleCounter(s, 1234);
    near(s.kWh, 0.875, 1e-9, "energy");
  });

  it("without any counter it is the plain integral", () => {
    const s = constant(startEnergy(null), T0, 3_600_000, 2000, 5000);
    near(s.kWh, 2, 1e-9);
  });

  it("holds the previous power until the next sample; a gap longer than the limit adds nothing", () => {
    let s = startEnergy(null);
    s = samplePower(s, T0, 3600);
    s = samplePower(s, T0 + 10_000, 0); // 3600 W for 10 s = 0.01 kWh
    near(s.kWh, 0.01);
    s = samplePower(s, T0 + 20_000, 3600); // 0 W for 10 s
    near(s.kWh, 0.01);
    s = samplePower(s, T0 + 20_000 + MAX_SAMPLE_GAP_MS + 1, 3600); // a gap: unknown power, not counted
    near(s.kWh, 0.01);
    s = samplePower(s, T0 + 20_000 + MAX_SAMPLE_GAP_MS + 1 + 1000, 3600);
    near(s.kWh, 0.011);
    const same = samplePower(s, T0, 5000); // out of order: ignored
    assert.equal(same, s);
  });

  it("a gap in the samples is filled in by the counter when it steps", () => {
    let s = startEnergy(500);
    s = constant(s, T0, 600_000, 7200); // 1.2 kWh integrated → held at the counter's allowance (1)
    assert.ok(s.kWh <= 1, `capped at one step: ${s.kWh}`);
    // samples stop (a gap); meanwhile the car kept charging: the counter reads 503
    s = samplePower(s, T0 + 600_000 + 30 * 60_000, 7200);
    s = sampleCounter(s, 503);
    assert.ok(s.kWh >= 2 && s.kWh <= 3, `within what the counter allows: ${s.kWh}`);
  });

  it("reconciles with the counter when it steps, never going backward", () => {
    // A power reading 20 % too high: 9 kW integrated while the car really draws 7.5 kW.
    let s = startEnergy(100);
    s = sampleCounter(s, 100);
    let t = T0;
    const seen: number[] = [];
    let counter = 100;
    let trueKWh = 0.4; // the counter had already counted 0.4 kWh of its next step at the start
    for (let i = 0; i < 3 * 3600; i++) {
      s = samplePower(s, t, 9000);
      t += 1000;
      trueKWh += 7500 / 3_600_000;
      if (i % 60 === 0 && Math.floor(trueKWh) + 100 !== counter) {
        counter = 100 + Math.floor(trueKWh);
        s = sampleCounter(s, counter);
      }
      seen.push(s.kWh);
    }
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! >= seen[i - 1]!, `never backward at ${i}`);
    const real = trueKWh - 0.4;
    // The counter allows the energy up to one step above what it counted since the start.
    assert.ok(s.kWh <= counter - 100 + 1, `at most the allowance + one step: ${s.kWh}`);
    assert.ok(Math.abs(s.kWh - real) < 1, `close to the real ${real}: ${s.kWh}`);
    assert.ok(s.kWh < 3 * 9, "the overestimating integral alone would say 27 kWh");
  });

  it("learns the fraction the counter had counted at the start from the first step", () => {
    let s = startEnergy(10);
    s = constant(s, T0, 355_000, 3000, 1000); // 0.296 kWh
    s = sampleCounter(s, 10); // the counter is read every minute or so
    s = constant(s, T0 + 356_000, 4_000, 3000, 1000); // 0.3 kWh
    s = sampleCounter(s, 11); // step now: the counter had counted ~0.7 at the start
    near(s.kWh, 0.3, 0.01, "first step");
    s = constant(s, T0 + 361_000, 1_195_000, 3000, 1000); // +0.996 kWh
    s = sampleCounter(s, 11);
    s = constant(s, T0 + 1_557_000, 4_000, 3000, 1000); // +1.0 kWh
    s = sampleCounter(s, 12);
    near(s.kWh, 1.3, 0.01, "second step: exactly one kWh later");
  });

  it("a charger restart (counter reset or unknown for a while) keeps the energy and counts on", () => {
    let s = startEnergy(2000);
    s = constant(s, T0, 600_000, 6000); // 1.0 kWh
    s = sampleCounter(s, 2001);
    const before = s.kWh;
    s = sampleCounter(s, 0); // the counter went backward
    assert.equal(s.kWh, before);
    s = constant(s, T0 + 700_000, 300_000, 6000); // +0.5 kWh
    near(s.kWh, before + 0.5, 1e-6);
    assert.ok(s.kWh <= before + 1, "bounded by the new anchor's step");
  });

  it("its state is plain JSON: a restarted recorder continues from a saved copy", () => {
    let s = startEnergy(10);
    s = constant(s, T0, 120_000, 7500);
    const restored = JSON.parse(JSON.stringify(s)) as EnergyState;
    const a = constant(s, T0 + 121_000, 120_000, 7500);
    const b = constant(restored, T0 + 121_000, 120_000, 7500);
    assert.deepEqual(b, a);
  });

  it("ignores non-finite input", () => {
    const s = samplePower(startEnergy(Number.NaN), T0, Number.NaN);
    assert.equal(s.kWh, 0);
    assert.equal(s.anchorCounter, null);
    assert.equal(sampleCounter(s, Number.POSITIVE_INFINITY), s);
  });
});
