import assert from "node:assert/strict";
import { test } from "node:test";
import { assess, isStale, isUsable, nextHealthChangeAt, sumUsable, transitions } from "./staleness.ts";

const T0 = 1_000_000;
const opts = { startedAt: T0 };

void test("a reading 300 s old is usable, 301 s old is stale (default energyStaleAfterS 300)", () => {
  const r = { generationW: 1, consumptionW: 2, at: T0 };
  assert.equal(isUsable(r, T0 + 300_000, opts), true);
  assert.equal(isStale(r, T0 + 300_000, opts), false);
  assert.equal(isUsable(r, T0 + 301_000, opts), false);
  assert.equal(isStale(r, T0 + 301_000, opts), true);
  assert.equal(
    isStale(r, T0 + 31_000, { startedAt: T0, staleAfterS: 30 }),
    true,
    "configured energyStaleAfterS",
  );
});

void test("a source that never delivered contributes nothing at once but is stale only after energyStaleAfterS", () => {
  assert.equal(isUsable(null, T0, opts), false);
  assert.equal(isStale(null, T0 + 300_000, opts), false);
  assert.equal(isStale(null, T0 + 300_001, opts), true);
  const s = sumUsable([{ name: "URL", reading: null }], T0 + 10_000, opts);
  assert.deepEqual(s, {
    generationW: 0,
    consumptionW: 0,
    consumptionA: 0,
    allUsable: false,
    anyStale: false,
    health: [{ name: "URL", usable: false, stale: false }],
  });
});

void test("sums only usable readings; amps only from sources that report them", () => {
  const now = T0 + 400_000;
  const s = sumUsable(
    [
      { name: "URL", reading: { generationW: 3000, consumptionW: 500, at: now - 5_000 } },
      { name: "HASS", reading: { generationW: 1000, consumptionW: 200, consumptionA: 3, at: now - 1_000 } },
      {
        name: "MQTT",
        reading: { generationW: 9999, consumptionW: 9999, consumptionA: 99, at: now - 301_000 },
      },
    ],
    now,
    opts,
  );
  assert.equal(s.generationW, 4000);
  assert.equal(s.consumptionW, 700);
  assert.equal(s.consumptionA, 3);
  assert.equal(s.allUsable, false);
  assert.equal(s.anyStale, true);
});

void test("no sources configured: zero and not stale", () => {
  const s = sumUsable([], T0 + 1e9, opts);
  assert.equal(s.allUsable, true);
  assert.equal(s.anyStale, false);
  assert.equal(s.generationW, 0);
});

void test("transitions report usable↔unusable and stale changes only", () => {
  const none = assess([{ name: "URL", reading: null }], T0, opts);
  const first = assess(
    [{ name: "URL", reading: { generationW: 1, consumptionW: 1, at: T0 + 5_000 } }],
    T0 + 5_000,
    opts,
  );
  const t1 = transitions(none, first);
  assert.equal(t1.length, 1);
  assert.equal(t1[0]?.usableChanged, true);
  assert.equal(t1[0]?.to.usable, true);
  assert.deepEqual(transitions(first, first), []);
  const aged = assess(
    [{ name: "URL", reading: { generationW: 1, consumptionW: 1, at: T0 + 5_000 } }],
    T0 + 306_000,
    opts,
  );
  const t2 = transitions(first, aged);
  assert.deepEqual(
    t2.map((t) => [t.name, t.usableChanged, t.to.usable, t.to.stale]),
    [["URL", true, false, true]],
  );
  const neverStale = assess([{ name: "HASS", reading: null }], T0 + 301_000, opts);
  const t3 = transitions(
    none.map((h) => ({ ...h, name: "HASS" })),
    neverStale,
  );
  assert.deepEqual(
    t3.map((t) => [t.usableChanged, t.to.stale]),
    [[false, true]],
  );
  assert.equal(transitions([], first)[0]?.usableChanged, true, "a new source counts as coming from unusable");
});

void test("nextHealthChangeAt is the first instant a reading ages out", () => {
  const sources = [
    { name: "URL", reading: { generationW: 1, consumptionW: 1, at: T0 + 10_000 } },
    { name: "HASS", reading: null },
  ];
  assert.equal(nextHealthChangeAt(sources, T0, opts), T0 + 300_001);
  assert.equal(nextHealthChangeAt(sources, T0 + 300_001, opts), T0 + 310_001);
  assert.equal(nextHealthChangeAt(sources, T0 + 310_001, opts), null);
});
