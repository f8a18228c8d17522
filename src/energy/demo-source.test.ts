import assert from "node:assert/strict";
import { test } from "node:test";
import { captureLogger } from "../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../shared/clock.ts";
import { DemoEnergySource, demoReading, mulberry32 } from "./demo-source.ts";
import type { Reading } from "./source.ts";

const DAY = Date.UTC(2026, 5, 21);
const at = (h: number) => DAY + h * 3_600_000;
const UTC = { utcOffsetMinutes: 0 };

void test("seeded PRNG is deterministic and in [0, 1)", () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  for (let i = 0; i < 100; i++) {
    const x = a();
    assert.equal(x, b());
    assert.ok(x >= 0 && x < 1);
  }
});

void test("no generation at night, a peak near solar noon (~6 kW)", () => {
  for (const h of [0, 3, 6, 6.5, 19.5, 21, 23.9])
    assert.equal(demoReading(at(h), UTC).generationW, 0, `hour ${h}`);
  let peakHour = 0;
  let peak = 0;
  for (let m = 0; m < 24 * 60; m += 5) {
    const g = demoReading(at(m / 60), UTC).generationW;
    if (g > peak) {
      peak = g;
      peakHour = m / 60;
    }
  }
  assert.ok(peak > 4500 && peak <= 6000, `peak ${peak}`);
  assert.ok(Math.abs(peakHour - 13) <= 1.5, `peak at ${peakHour}`);
  assert.ok(demoReading(at(9), UTC).generationW < demoReading(at(13), UTC).generationW);
  assert.ok(demoReading(at(9), UTC).generationW > 0);
});

void test("house load: ~400 W base with occasional appliance bumps", () => {
  const loads: number[] = [];
  for (let m = 0; m < 24 * 60; m++) loads.push(demoReading(at(m / 60), UTC).consumptionW);
  assert.ok(Math.min(...loads) >= 360, `min ${Math.min(...loads)}`);
  const bumps = loads.filter((w) => w > 1000).length;
  assert.ok(bumps > 0, "some appliance runs during the day");
  assert.ok(bumps < loads.length / 3, "appliances are occasional");
});

void test("deterministic for a given time; timeOffsetHours shifts the simulated day", () => {
  assert.deepEqual(demoReading(at(11.2), UTC), demoReading(at(11.2), UTC));
  const shifted = demoReading(at(2), { ...UTC, timeOffsetHours: 11 });
  const noon = demoReading(at(13), UTC);
  assert.equal(shifted.generationW, noon.generationW);
  assert.equal(shifted.consumptionW, noon.consumptionW);
  assert.equal(shifted.at, at(2));
  assert.notDeepEqual(demoReading(at(12), { ...UTC, seed: 2 }), demoReading(at(12), { ...UTC, seed: 3 }));
});

void test("the demo source emits at start and every pollIntervalS on the clock", async () => {
  const clock = new FakeClock(at(12));
  const src = new DemoEnergySource({ clock, logger: captureLogger() }, { ...UTC, pollIntervalS: 5 });
  const seen: Reading[] = [];
  src.on("reading", (r) => seen.push(r));
  src.start();
  assert.equal(seen.length, 1);
  assert.deepEqual(src.latest(), demoReading(at(12), { ...UTC }));
  clock.advance(15_000);
  assert.equal(seen.length, 4);
  assert.equal(src.lastError(), null);
  await src.stop();
  clock.advance(60_000);
  assert.equal(seen.length, 4);
  assert.equal(clock.pending, 0);
});
