/**
 * Engine tests with real catalogue sources (issue 11): green charging starts and stops from Fronius and
 * Powerwall2 readings (the HTTP family, on an in-memory fetch driven by the fake clock), and a custom
 * policy on `modules.Powerwall2.batteryLevel` (TWCManager's "charge from the Powerwall above N %").
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import pino from "pino";
import type { FetchFn } from "../energy/polling-source.ts";
import { createFroniusSource } from "../energy/sources/fronius.ts";
import { createPowerwall2Source } from "../energy/sources/powerwall2.ts";
import type { FakeClock } from "../shared/clock.ts";
import { startHarness, type Harness, type HarnessOptions } from "./engine-harness.test-helper.ts";

const MONDAY_NOON_UTC = Date.UTC(2026, 10, 23, 12, 0, 0);
const logger = pino({ level: "silent" });

/** An in-memory fetch answering JSON bodies by URL path (no network; settles within a clock step). */
function memoryFetch(route: (path: string, init: RequestInit | undefined) => { status?: number; body: unknown; headers?: Record<string, string> }): FetchFn {
  return (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const r = route(url.pathname, init);
    return Promise.resolve(new Response(JSON.stringify(r.body), { status: r.status ?? 200, headers: r.headers ?? {} }));
  };
}

/** A catalogue source as the factories return it. */
type Source = ReturnType<typeof createFroniusSource>;

/** Starts the harness with one catalogue source built on the harness clock. */
async function harnessWith(make: (clock: FakeClock) => Source, o: Omit<HarnessOptions, "meters">): Promise<{ h: Harness; source: Source }> {
  let source: Source | undefined;
  const h = await startHarness({
    ...o,
    meters: (clock) => {
      source = make(clock);
      return [source];
    },
  });
  if (!source) throw new Error("the harness did not build the source");
  return { h, source };
}

test("Fronius: green charging starts from its readings and stops when generation falls", async () => {
  let pv: number | null = 6000;
  const fetchImpl = memoryFetch((path) =>
    path.endsWith("GetPowerFlowRealtimeData.fcgi")
      ? { body: { Body: { Data: { Site: { P_PV: pv, P_Load: -1000, P_Grid: 0 } } } } }
      : { body: { Body: { Data: { UAC: { Value: 230 } } } } },
  );
  const { h, source } = await harnessWith(
    (clock) => createFroniusSource({ enabled: true, serverIP: "192.0.2.1", serverPort: 80, pollIntervalS: 10 }, { clock, logger, fetchImpl }),
    { startMs: MONDAY_NOON_UTC, core: { wiringMaxAmpsAllTWCs: 40, wiringMaxAmpsPerTWC: 40 } },
  );
  void source.start();
  try {
    await h.run(40_000);
    assert.equal(h.engine.state.snapshot.policy.active, "Track Green Energy");
    assert.equal(h.engine.state.snapshot.energy.generationW, 6000);
    assert.equal(h.engine.state.snapshot.energy.consumptionW, 1000);
    const on = h.engine.state.snapshot.chargers[0];
    assert.ok(on && (on.ampsOffered ?? 0) >= 20, `offered ${String(on?.ampsOffered)}`);
    assert.equal(on.charging, true);
    pv = null; // night: P_PV null
    await h.run(120_000);
    assert.equal(h.engine.state.snapshot.energy.generationW, 0);
    assert.equal(h.engine.state.snapshot.budget.maxAmpsToDivide, 0);
    assert.equal(h.engine.state.snapshot.chargers[0]?.ampsOffered, 0);
  } finally {
    await source.stop();
    await h.stop();
  }
});

/** A Powerwall gateway in memory: login sets a cookie, data needs it. */
function powerwallFetch(state: { solar: number; percentage: number }): FetchFn {
  return memoryFetch((path, init) => {
    if (path === "/api/login/Basic") return { body: { token: "t" }, headers: { "set-cookie": "AuthCookie=ok; Path=/" } };
    if (!new Headers(init?.headers).get("cookie")?.includes("AuthCookie=ok")) return { status: 403, body: {} };
    switch (path) {
      case "/api/meters/aggregates":
        return { body: { site: { instant_power: 0, instant_average_voltage: 240 }, load: { instant_power: 1000 }, solar: { instant_power: state.solar } } };
      case "/api/system_status/soe":
        return { body: { percentage: state.percentage } };
      case "/api/system_status/grid_status":
        return { body: { grid_status: "SystemGridConnected" } };
      case "/api/operation":
        return { body: { real_mode: "self_consumption", backup_reserve_percent: 20 } };
      default:
        return { body: {} };
    }
  });
}

test("Powerwall2: green charging starts from its readings and stops when the battery gate suppresses generation", async () => {
  const state = { solar: 6000, percentage: 99 };
  const { h, source } = await harnessWith(
    (clock) =>
      createPowerwall2Source(
        { enabled: true, serverIP: "192.0.2.2", serverPort: 443, password: "ABCDE", minBatteryLevel: 90, pollIntervalS: 10 },
        { clock, logger, fetchImpl: powerwallFetch(state) },
      ),
    { startMs: MONDAY_NOON_UTC, core: { wiringMaxAmpsAllTWCs: 40, wiringMaxAmpsPerTWC: 40 } },
  );
  void source.start();
  try {
    await h.run(40_000);
    assert.equal(h.engine.state.snapshot.energy.generationW, 6000);
    const on = h.engine.state.snapshot.chargers[0];
    assert.ok(on && (on.ampsOffered ?? 0) >= 20, `offered ${String(on?.ampsOffered)}`);
    state.percentage = 80 * 0.95 + 5; // app level 80 < 85.5: generation suppressed for the house battery
    await h.run(120_000);
    assert.equal(h.engine.state.snapshot.energy.generationW, 0);
    assert.equal(h.engine.state.snapshot.chargers[0]?.ampsOffered, 0);
  } finally {
    await source.stop();
    await h.stop();
  }
});

test("a custom policy on modules.Powerwall2.batteryLevel switches when the reading changes, and not without a usable reading", async () => {
  const state = { solar: 0, percentage: 50 };
  const { h, source } = await harnessWith(
    (clock) =>
      createPowerwall2Source(
        { enabled: true, serverIP: "192.0.2.2", serverPort: 443, password: "ABCDE", minBatteryLevel: 0, pollIntervalS: 10 },
        { clock, logger, fetchImpl: powerwallFetch(state) },
      ),
    {
    startMs: MONDAY_NOON_UTC,
    core: { wiringMaxAmpsAllTWCs: 40, wiringMaxAmpsPerTWC: 40, energyStaleAfterS: 60 },
    policy: {
      extend: {
        before: [{ name: "Charge from Powerwall", match: ["modules.Powerwall2.batteryLevel"], condition: ["gte"], value: [80], charge_amps: 16 }],
      },
    },
  },
  );
  try {
    await h.run(35_000); // no reading yet: the macro is its own text, the condition is false
    assert.notEqual(h.engine.state.snapshot.policy.active, "Charge from Powerwall");
    void source.start();
    await h.run(35_000); // battery 47 %: below 80
    assert.notEqual(h.engine.state.snapshot.policy.active, "Charge from Powerwall");
    state.percentage = 90 * 0.95 + 5; // app level 90
    await h.run(45_000);
    assert.equal(h.engine.state.snapshot.policy.active, "Charge from Powerwall");
    assert.equal(h.engine.state.snapshot.budget.maxAmpsToDivide, 16);
    state.percentage = 60 * 0.95 + 5;
    await h.run(45_000);
    assert.notEqual(h.engine.state.snapshot.policy.active, "Charge from Powerwall");
    state.percentage = 95;
    await h.run(45_000);
    assert.equal(h.engine.state.snapshot.policy.active, "Charge from Powerwall");
    await source.stop(); // no more readings: once stale, the condition is false again
    await h.run(120_000);
    assert.notEqual(h.engine.state.snapshot.policy.active, "Charge from Powerwall");
  } finally {
    await source.stop();
    await h.stop();
  }
});
