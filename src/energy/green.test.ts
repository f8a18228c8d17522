import assert from "node:assert/strict";
import { test } from "node:test";
import { computeOffsets, energyComputation, legacyAmpsOffset } from "./green.ts";
import type { EnergyComputationInputs, EnergyConfig, OffsetSettings } from "./green.ts";
import { sumUsable } from "./staleness.ts";

const CONFIG: EnergyConfig = { minAmpsPerTWC: 6, wiringMaxAmpsAllTWCs: 40, wiringMaxAmpsPerTWC: 40 };
const charging = (a: number) => [{ voltsPhaseA: 0, voltsPhaseB: 0, voltsPhaseC: 0, reportedAmpsActual: a }];

function run(p: {
  gen: number;
  cons: number;
  consA?: number;
  green?: boolean;
  chargers?: EnergyComputationInputs["chargers"];
  M?: number;
  N?: number;
  settings?: OffsetSettings;
  config?: Partial<EnergyConfig>;
  allUsable?: boolean;
}) {
  return energyComputation({
    green: p.green ?? true,
    sources: { generationW: p.gen, consumptionW: p.cons, consumptionA: p.consA ?? 0 },
    allSourcesUsable: p.allUsable ?? true,
    chargers: p.chargers ?? [],
    state: { effectiveBudgetA: p.M ?? 0, carsCharging: p.N ?? 0 },
    settings: p.settings ?? {},
    config: { ...CONFIG, ...p.config },
  });
}

const A = { gen: 5000, cons: 1000 };
const H = {
  gen: 0,
  cons: 2880,
  consA: 12,
  green: false,
  chargers: charging(10),
  M: 10,
  N: 1,
  config: { maxAmpsAllowedFromGrid: 20 },
};

const cases: { id: string; inputs: Parameters<typeof run>[0]; budget?: number; limit?: number }[] = [
  { id: "A house-only meter, idle", inputs: A, budget: 16.67 },
  {
    id: "B one slave charging 16 A",
    inputs: { ...A, chargers: charging(16), M: 16.67, N: 1 },
    budget: 16.67,
  },
  {
    id: "C meter includes the charger",
    inputs: { gen: 5000, cons: 4840, chargers: charging(16), M: 16.67, N: 1 },
    budget: 0.67,
  },
  {
    id: "D as C with subtractChargerLoad",
    inputs: {
      gen: 5000,
      cons: 4840,
      chargers: charging(16),
      M: 16.67,
      N: 1,
      config: { subtractChargerLoad: true },
    },
    budget: 16.67,
  },
  {
    id: "E offsets +2 A and +500 W",
    inputs: {
      ...A,
      settings: { consumptionOffset: { car: { value: 2, unit: "A" }, pool: { value: 500, unit: "W" } } },
    },
    budget: 12.58,
  },
  {
    id: "F offset −1000 W",
    inputs: { ...A, settings: { consumptionOffset: { battery: { value: -1000, unit: "W" } } } },
    budget: 20.83,
  },
  {
    id: "G legacy offset 1.05 A (config)",
    inputs: { ...A, config: { greenEnergyAmpsOffset: 1.05 } },
    budget: 15.62,
  },
  {
    id: "G legacy offset 1.05 A (setting overrides config)",
    inputs: { ...A, settings: { greenEnergyAmpsOffset: 1.05 }, config: { greenEnergyAmpsOffset: 3 } },
    budget: 15.62,
  },
  { id: "H grid cap 20 A", inputs: H, limit: 8 },
  { id: "J as H, source stale", inputs: { ...H, allUsable: false }, limit: 0 },
];

for (const c of cases) {
  void test(`§17.5 worked example ${c.id}`, () => {
    const r = run(c.inputs);
    if (c.budget !== undefined) {
      assert.equal(r.maxAmpsToDivide, c.budget);
      assert.equal(r.limitAmps, 40, "green: limit is the wiring maximum");
    }
    if (c.limit !== undefined) {
      assert.equal(r.maxAmpsToDivide, null, "non-green: the policy sets the budget");
      assert.equal(r.limitAmps, c.limit);
      assert.equal(r.gridCapAmps, 20);
    }
  });
}

void test("§17.5 worked example I: the only source's reading is 301 s old → budget 0 and stale", () => {
  const startedAt = 0;
  const summed = sumUsable(
    [{ name: "URL", reading: { generationW: 5000, consumptionW: 1000, at: 1000 } }],
    1000 + 301_000,
    { startedAt },
  );
  assert.equal(summed.anyStale, true);
  assert.equal(summed.allUsable, false);
  const r = run({ gen: summed.generationW, cons: summed.consumptionW, allUsable: summed.allUsable });
  assert.equal(r.generationW, 0);
  assert.equal(r.maxAmpsToDivide, 0);
  const fresh = sumUsable(
    [{ name: "URL", reading: { generationW: 5000, consumptionW: 1000, at: 1000 } }],
    1000 + 300_000,
    { startedAt },
  );
  assert.equal(
    run({ gen: fresh.generationW, cons: fresh.consumptionW }).maxAmpsToDivide,
    16.67,
    "300 s old is still fresh",
  );
});

void test("grid cap with no usable reading yet (start-up) → limit 0 (S-15); no grid cap → wiring", () => {
  assert.equal(
    run({ gen: 0, cons: 0, green: false, allUsable: false, config: { maxAmpsAllowedFromGrid: 20 } })
      .limitAmps,
    0,
  );
  const noCap = run({ gen: 0, cons: 0, green: false, allUsable: false });
  assert.equal(noCap.limitAmps, 40);
  assert.equal(noCap.gridCapAmps, null);
});

void test("status values: voltage, load, offsets and surplus", () => {
  const r = run({
    ...A,
    chargers: charging(16),
    M: 16.67,
    N: 1,
    settings: { consumptionOffset: { car: { value: 2, unit: "A" }, zero: { value: 0, unit: "W" } } },
  });
  assert.equal(r.voltage, 240);
  assert.equal(r.phases, 1);
  assert.equal(r.voltageSource, "config");
  assert.equal(r.chargerLoadW, 3840);
  assert.equal(r.chargerLoadA, 16);
  assert.equal(r.offsetsW, 480);
  assert.equal(r.consumptionW, 1480);
  assert.equal(r.generationW, 5000);
  assert.equal(r.surplusW, 3520);
  assert.deepEqual(r.offsets, [
    { name: "car", value: 2, unit: "A", watts: 480 },
    { name: "zero", value: 0, unit: "W", watts: 0 },
  ]);
});

void test("offsets: legacy amps from the setting, else config, else 0; amps offsets follow the voltage", () => {
  assert.equal(legacyAmpsOffset({}, {}), 0);
  assert.equal(legacyAmpsOffset({}, { greenEnergyAmpsOffset: 2 }), 2);
  assert.equal(legacyAmpsOffset({ greenEnergyAmpsOffset: 0 }, { greenEnergyAmpsOffset: 2 }), 0);
  const e = { voltage: 230, phases: 3, source: "chargers" as const, mixedPhases: false };
  const o = computeOffsets(
    {
      greenEnergyAmpsOffset: 1,
      consumptionOffset: { a: { value: 1, unit: "A" }, w: { value: -100, unit: "W" } },
    },
    {},
    e,
  );
  assert.equal(o.legacyA, 1);
  assert.equal(o.totalW, 690 + 690 - 100);
});

void test("treatGenerationAsGridDelivery lets the generation offset go negative", () => {
  // Subtracting a charger load larger than the metered consumption: floored at 0 normally.
  const base = {
    gen: 1000,
    cons: 500,
    chargers: charging(10),
    M: 10,
    N: 1,
    config: { subtractChargerLoad: true },
  };
  assert.equal(run(base).generationOffsetW, 0);
  const r = run({ ...base, config: { subtractChargerLoad: true, treatGenerationAsGridDelivery: true } });
  assert.equal(r.generationOffsetW, 500 - 2400);
  // avail = 1000/240 + 1900/240 = 12.08 A
  assert.equal(r.maxAmpsToDivide, 12.08);
});

void test("three-phase voltage from the chargers drives the conversion", () => {
  const chargers = [{ voltsPhaseA: 230, voltsPhaseB: 230, voltsPhaseC: 230, reportedAmpsActual: 0 }];
  const r = run({ gen: 6900, cons: 0, chargers });
  assert.equal(r.phases, 3);
  assert.equal(r.maxAmpsToDivide, 10);
});

void test("export-limited example: offset 5000 W, flex 5, min 6 (240 V)", () => {
  // The budget (green, nothing charging) is gen/240 − 5000/240. A car starts at a budget ≥ min (6 A)
  // and, with greenEnergyFlexAmps 5, keeps charging while budget + 5 ≥ 6, i.e. budget ≥ 1 A.
  const offset: OffsetSettings = { consumptionOffset: { export: { value: 5000, unit: "W" } } };
  const budget = (gen: number) => run({ gen, cons: 0, settings: offset }).maxAmpsToDivide ?? -1;
  const flex = 5;
  const min = 6;
  assert.equal(budget(5000 + min * 240), 6, "starts: budget reaches the minimum");
  assert.ok(budget(5000 + min * 240 - 24) < min, "just below: no start without flex");
  assert.ok(budget(5000 + 240) + flex >= min, "continues: flex keeps it at the minimum");
  assert.ok(budget(5000 + 240 - 24) + flex < min, "below: flex can no longer rescue");
  // In amps of generation at 240 V: start at ≥ 26.83 A, continue down to 21.83 A — 5 A (the flex) apart.
  assert.equal(budget(26.83 * 240), 6);
  assert.equal(budget(21.83 * 240), 1);
});

void test("minAmpsPerTWC above the per-TWC wiring is flagged", () => {
  assert.equal(run({ ...A, config: { minAmpsPerTWC: 12, wiringMaxAmpsPerTWC: 10 } }).minAboveWiring, true);
  assert.equal(run(A).minAboveWiring, false);
});
