/** Unit tests of the benchmark's statistics. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { percentile, slotDeviations } from "./stats.ts";

test("percentile by nearest rank", () => {
  const v = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.equal(percentile(v, 50), 50);
  assert.equal(percentile(v, 99), 99);
  assert.equal(percentile(v, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test("slotDeviations: lateness of each heartbeat against the 1 s cadence", () => {
  assert.deepEqual(slotDeviations([0, 1000, 2025, 3025, 4100]), [0, 25, 0, 75]);
  assert.deepEqual(slotDeviations([5]), []);
});
