import assert from "node:assert/strict";
import { test } from "node:test";
import { EnergyBucket } from "./bucket.ts";
import { sumUsable } from "./staleness.ts";

void test("bucket means over fresh samples; null when none; reset after take", () => {
  const b = new EnergyBucket();
  const opts = { startedAt: 0 };
  b.add(sumUsable([{ name: "URL", reading: null }], 1000, opts));
  b.add(sumUsable([], 1000, opts));
  assert.deepEqual(b.take(), { generationW: null, consumptionW: null, samples: 0 });
  b.add(sumUsable([{ name: "URL", reading: { generationW: 1000, consumptionW: 200, at: 0 } }], 1000, opts));
  b.add(sumUsable([{ name: "URL", reading: { generationW: 3000, consumptionW: 400, at: 0 } }], 1000, opts));
  b.add(
    sumUsable([{ name: "URL", reading: { generationW: 9000, consumptionW: 900, at: 0 } }], 301_000, opts),
  );
  assert.deepEqual(b.take(), { generationW: 2000, consumptionW: 300, samples: 2 });
  assert.equal(b.take().generationW, null);
});
