/**
 * Engine tests per source family beyond plain HTTP (issue 11 "an engine test per family"): green
 * charging starts from the readings of a SolarEdge inverter over Modbus TCP (a loopback modbus-serial
 * ServerTCP fake) and of the SolarEdge cloud API (a loopback HTTP fake behind the injected base URL),
 * and stops when they go. Real loopback I/O with the fake clock paused: each poll is run to completion
 * in real time (its timeouts are on the fake clock, so none fires meanwhile), then the clock moves on.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import pino from "pino";
import { startLoopback } from "../energy/loopback.test-helper.ts";
import { startModbusFake } from "../energy/sources/modbus-fake.test-helper.ts";
import { createSolarEdgeSource } from "../energy/sources/solaredge.ts";
import type { SolarEdgeConfig } from "../energy/sources/solaredge-schema.ts";
import type { FakeClock } from "../shared/clock.ts";
import { startHarness, type Harness } from "./engine-harness.test-helper.ts";

const MONDAY_NOON_UTC = Date.UTC(2026, 10, 23, 12, 0, 0);
const logger = pino({ level: "silent" });
const CORE = { wiringMaxAmpsAllTWCs: 40, wiringMaxAmpsPerTWC: 40 };

type Source = ReturnType<typeof createSolarEdgeSource>;

/** Starts the harness with one SolarEdge source on its clock. */
async function harnessWith(make: (clock: FakeClock) => Source): Promise<{ h: Harness; source: Source }> {
  let source: Source | undefined;
  const h = await startHarness({
    startMs: MONDAY_NOON_UTC,
    core: CORE,
    meters: (clock) => {
      source = make(clock);
      return [source];
    },
  });
  if (!source) throw new Error("the harness did not build the source");
  return { h, source };
}

/** One poll to completion (real loopback I/O, fake clock standing still); fails the test if it failed. */
async function readNow(source: Source): Promise<void> {
  source.poll();
  await source.settled();
  assert.equal(source.lastError(), null);
}

/** Asserts that green charging runs on `generationW`, or has stopped. */
function assertCharging(h: Harness, on: boolean, generationW: number): void {
  const s = h.engine.state.snapshot;
  assert.equal(s.policy.active, "Track Green Energy");
  assert.equal(s.energy.generationW, generationW);
  const c = s.chargers[0];
  if (on) {
    assert.ok(c && (c.ampsOffered ?? 0) >= 20, `offered ${String(c?.ampsOffered)}`);
    assert.equal(c.charging, true);
  } else {
    assert.equal(s.budget.maxAmpsToDivide, 0);
    assert.equal(c?.ampsOffered, 0);
  }
}

const base = (o: Partial<SolarEdgeConfig>): SolarEdgeConfig => ({
  enabled: true,
  inverterPort: 1502,
  smartMeters: [],
  pollMode: 0,
  pollIntervalS: 3600, // the test triggers every poll itself
  ...o,
});

test("SolarEdge over Modbus TCP: green charging starts from the inverter and export meter, stops at night", async () => {
  const inverter = await startModbusFake({ unitId: 1, oneClientAtATime: true });
  const r = inverter.registers;
  const load = (acPower: number, meterW: number): void => {
    r.set(40083, acPower & 0xffff);
    r.set(40084, 0); // scale 10^0
    r.set(40206, meterW & 0xffff); // Meter1 total real power (int16; positive = exporting)
    for (let a = 40207; a <= 40209; a++) r.set(a, 0);
    r.set(40210, 0);
  };
  r.set(40188, 203); // Meter1 present (SunSpec DID)
  load(6000, 5000); // 6 kW PV, 5 kW exported → house 1 kW
  const { h, source } = await harnessWith((clock) =>
    createSolarEdgeSource(
      base({ inverterHost: inverter.host, inverterPort: inverter.port, smartMeters: [{ name: "Meter1", type: "export" }] }),
      { clock, logger },
    ),
  );
  try {
    await readNow(source);
    await h.run(40_000);
    assertCharging(h, true, 6000);
    assert.equal(h.engine.state.snapshot.energy.consumptionW, 1000);
    load(0, -1000); // night: no PV, importing 1 kW
    await readNow(source);
    await h.run(120_000);
    assertCharging(h, false, 0);
    assert.equal(h.engine.state.snapshot.energy.consumptionW, 1000);
    assert.equal(inverter.maxOpen, 1, "one connection at a time, closed after each read");
  } finally {
    await source.stop();
    await h.stop();
    await inverter.close();
  }
});

test("SolarEdge cloud: green charging starts from currentPowerFlow, stops when PV drops", async () => {
  const flow = { pv: 6.0, load: 1.0 };
  const cloud = await startLoopback((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    if (u.pathname !== "/site/4242/currentPowerFlow" || u.searchParams.get("api_key") !== "KEY")
      return void res.writeHead(403).end("{}");
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        siteCurrentPowerFlow: {
          unit: "kW",
          PV: { status: "Active", currentPower: flow.pv },
          LOAD: { status: "Active", currentPower: flow.load },
          GRID: { status: "Active", currentPower: Math.abs(flow.pv - flow.load) },
        },
      }),
    );
  });
  const { h, source } = await harnessWith((clock) =>
    createSolarEdgeSource(base({ apiKey: "KEY", siteID: 4242 }), { clock, logger, baseUrl: cloud.url }),
  );
  try {
    await readNow(source);
    await h.run(40_000);
    assertCharging(h, true, 6000);
    assert.equal(h.engine.state.snapshot.energy.consumptionW, 1000);
    flow.pv = 0;
    await readNow(source);
    await h.run(120_000);
    assertCharging(h, false, 0);
    assert.ok(cloud.requests.every((q) => q.url.startsWith("/site/4242/currentPowerFlow?api_key=KEY")));
  } finally {
    await source.stop();
    await h.stop();
    await cloud.close();
  }
});
