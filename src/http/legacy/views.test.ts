/** Unit tests of the legacy view wiring: memoised renderings, the other views read on each request. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../../shared/clock.ts";
import type { Policy } from "../../policy/types.ts";
import type { StateStore } from "../../state/store.ts";
import { testStore } from "../v2/v2-app.test-helper.ts";
import { createLegacyViews, type LegacyViewSources } from "./views.ts";

function setup(): { clock: FakeClock; store: StateStore; sources: LegacyViewSources; newEnergy: () => void } {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  const store = testStore(clock.now());
  const settings = { chargeNowTimeEnd: 0, sendServerTime: 0 };
  const sources: LegacyViewSources = {
    clock,
    state: store,
    // Only what the views read (the real store is I/O).
    settings: { get: () => settings, offsetEntries: () => [] } as unknown as LegacyViewSources["settings"],
    policies: [] as readonly Policy[],
    latches: () => new Map(),
    activePolicyAction: () => 3,
    nodeId: "12345",
    wiringMaxAmpsAllTWCs: 32,
    rawConfig: { config: { wiringMaxAmpsAllTWCs: 32 } },
    history: { series: () => [], sessions: () => [] },
  };
  return {
    clock,
    store,
    sources,
    // New exact figures published with an unchanged document.
    newEnergy: () => {
      store.publish(store.snapshot, { ...store.exact });
    },
  };
}

test("getStatus is rendered once per state snapshot, energy computation and minute", () => {
  const { clock, store, sources, newEnergy } = setup();
  const views = createLegacyViews(sources);
  const first = views.status();
  assert.equal(views.status(), first);
  clock.advance(30_000);
  assert.equal(views.status(), first, "same minute");
  clock.advance(30_000);
  assert.notEqual(views.status(), first, "next minute");
  const again = views.status();
  store.update((d) => {
    d.totals.carsCharging = 1;
  });
  const third = views.status();
  assert.notEqual(third, again, "new snapshot");
  newEnergy();
  assert.notEqual(views.status(), third, "new energy computation");
});

test("the other views read their sources", () => {
  const { sources } = setup();
  const views = createLegacyViews(sources);
  assert.equal(views.uuid(), "12345");
  assert.equal(views.wiringMaxAmpsAllTWCs, 32);
  assert.equal(views.activePolicyAction(), 3);
  assert.deepEqual(views.policy(), []);
  assert.deepEqual(views.consumptionOffsets(), []);
  assert.equal(views.config?.(), sources.rawConfig);
  assert.deepEqual(Object.keys(JSON.parse(views.slaveTWCs()) as object), ["total"]);
  assert.deepEqual(views.settings(), { chargeNowTimeEnd: 0, sendServerTime: 0 });
});
