/**
 * Property-based safety of the offer with a vehicle module (vehicles.md §3.2, §3.9; S-1): whatever the
 * cars report — any state of charge, limit, amps (NaN, negative, huge), at-home flag, VIN (on a slave or
 * not), any number of API-only cars — and whatever chargeRateControl is set, no offer and no heartbeat
 * on the wire exceeds a charger's wiring limit or rating, no car-side rate exceeds it either, the
 * shared-wiring clamp holds, and the API-only cars only ever lower a slave's share. Without a vehicle
 * module the offer is exactly the one without vehicle input, whatever garbage that input holds.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { normaliseSettings } from "../config/settings-normalise.ts";
import type { VehicleStatus } from "../integrations/capabilities.ts";
import { emptyVehicleStatus } from "../integrations/vehicle-status.ts";
import { apiOnlyCars, apiOnlyTargets, busVehicleInput } from "../engine/vehicle-share.ts";
import { twcId } from "../protocol/frames.ts";
import type { BusInput } from "./bus-input.ts";
import { commandBytes } from "./frames-out.ts";
import { computeOffer, othersLoad, perTwcCap } from "./offer.ts";
import { createSlaveState } from "./slave-state.ts";
import type { SlaveState } from "./slave-state.ts";
import { offerContext } from "./turn-context.ts";
import { NO_VEHICLES } from "./vehicle-requests.ts";

const T0 = 1_700_000_000;
const VINS = ["5YJ3E1EA7KF000001", "5YJ3E1EA7KF000002", "5YJ3E1EA7KF000003", "LRW3E7FA0MC000004"];

/** Decimal amps in min…max (fc.double favours tiny magnitudes; tenths of an amp are fine enough here). */
const tenths = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min: min * 10, max: max * 10 }).map((x) => x / 10);

const wild = fc.oneof(
  { weight: 5, arbitrary: tenths(-50, 500) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 100 }) },
  { weight: 2, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, 1e12, -0, 10000, -1) },
);
const wildOrNull = fc.oneof(wild, fc.constant(null));

/** A car as any backend might report it. */
const carArb: fc.Arbitrary<VehicleStatus> = fc
  .record({
    vin: fc.constantFrom(...VINS),
    soc: wildOrNull,
    limit: wildOrNull,
    actual: wildOrNull,
    available: wildOrNull,
    atHome: fc.constantFrom(true, false, null),
    chargingState: fc.constantFrom("Charging", "Stopped", "Complete", "Disconnected", "Unknown", ""),
  })
  .map((c) =>
    emptyVehicleStatus(c.vin, "TeslaAPI", {
      socPercent: c.soc,
      chargeLimitPercent: c.limit,
      chargingState: c.chargingState,
      availableCurrentA: c.available,
      actualCurrentA: c.actual,
      atHome: c.atHome,
      onlineState: "online",
    }),
  );

interface SlaveCfg {
  rating: number;
  minTwc: number;
  vin: string;
  plugged: boolean;
}
const scenarioArb = fc.record({
  W: fc.integer({ min: 6, max: 200 }),
  perTwc: fc.oneof(fc.integer({ min: 1, max: 100 }), tenths(1, 100)),
  minAmpsPerTWC: fc.integer({ min: 0, max: 20 }),
  spikes: fc.boolean(),
  slaves: fc.array(
    fc.record({
      rating: fc.constantFrom(16, 32, 40, 48, 80),
      minTwc: fc.constantFrom(6, 6, 1),
      vin: fc.constantFrom("", ...VINS),
      plugged: fc.boolean(),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  steps: fc.array(
    fc.record({
      dt: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 70 })),
      budget: wild,
      crc: fc.constantFrom(1, 2, 3, 0, 7),
      cars: fc.uniqueArray(carArb, { maxLength: 4, selector: (c) => c.vin }),
      raw: fc.oneof(
        { weight: 2, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.record({ enabled: fc.constant(true), apiOnlyCharging: wild, apiOnlyActualAmps: wild }) },
      ),
      draws: fc.array(fc.oneof(fc.constant(null), tenths(0, 120)), { minLength: 3, maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 80 },
  ),
});

function settingsFor(crc: number, W: number, spikes = true): BusInput["settings"] {
  const spike = spikes ? 1 : 0;
  return { ...normaliseSettings({}, W).settings, chargeRateControl: crc, spikeAmpsProactively: spike, spikeAmpsReactively: spike };
}

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

/** Runs the heartbeats round-robin and returns the violations found. */
function run(sc: Scenario): string[] {
  const bad: string[] = [];
  const cfg = { minAmpsPerTWC: sc.minAmpsPerTWC, wiringMaxAmpsAllTWCs: sc.W };
  let slaves: SlaveState[] = sc.slaves.map((c, i) => ({
    ...createSlaveState(twcId(0x1001 + (i << 8)), c.rating, { wiringMaxAmpsPerTWC: sc.perTwc, useFlexAmpsToStartCharge: false, startStopDelayS: 60 }, T0 * 1000),
    protocolVersion: 2 as const,
    minAmpsTWCSupports: c.minTwc,
    currentVIN: c.vin,
    lastVIN: c.vin,
  }));
  const limits = slaves.map(() => 0);
  let now = T0;
  let rr = 0;
  for (const step of sc.steps) {
    now += step.dt;
    const i = rr % slaves.length;
    rr++;
    const s0 = slaves[i]!;
    const c: SlaveCfg = sc.slaves[i]!;
    const follow = c.plugged && limits[i]! >= 1 ? limits[i]! - 0.3 : 0;
    const actual = Math.min(655.35, Math.max(0, Math.round((step.draws[i] ?? follow) * 100) / 100));
    const s: SlaveState = { ...s0, reportedAmpsMax: limits[i]!, reportedAmpsActual: actual, reportedState: 1, isCharging: actual >= 1 || s0.isCharging };
    if (s.lastAmpsOffered < 0) s.lastAmpsOffered = s.reportedAmpsMax;
    slaves = slaves.map((x) => (x.id === s.id ? s : x));
    const vehicles = step.raw ?? busVehicleInput(true, apiOnlyCars(step.cars, slaves));
    const input: BusInput = { maxAmpsToDivide: step.budget, limitAmps: step.budget, allowedFlex: 0, green: false, settings: settingsFor(step.crc, sc.W, sc.spikes) };
    const ctx = offerContext(s, slaves, 16, input, cfg, now * 1000, vehicles);
    const r = computeOffer(s, ctx);
    const at = `t=${now - T0} slave ${i} crc ${step.crc}`;
    const cap = perTwcCap(s);
    const o = r.offered;
    const sent = commandBytes(r.state.heartbeatCommand);
    const wireAmps = sent[0] === 0 ? o : ((sent[1]! << 8) | sent[2]!) / 100;
    if (!(o <= cap) || !(wireAmps <= cap) || !(o <= s.maxAmps)) bad.push(`${at}: offered ${o} (wire ${wireAmps}) > cap ${cap}`);
    if (!Number.isInteger(o) || o < 0) bad.push(`${at}: offered ${o} is not whole amps ≥ 0`);
    if (r.rate?.mode === "api" && !(r.rate.amps >= 1 && r.rate.amps <= cap)) bad.push(`${at}: car rate ${r.rate.amps} outside 1…${cap}`);
    if (r.rate?.mode === "twc" && !(r.rate.wiringMaxAmps <= cap)) bad.push(`${at}: raise to ${r.rate.wiringMaxAmps} > cap ${cap}`);
    // The shared-wiring clamp: a changed offer fits what the others hold (or is the TWC minimum);
    // an unchanged one still fits with the others' offers.
    const load = othersLoad(slaves, s.id);
    const fits = o <= Math.max(Math.trunc(sc.W - load.othersCommittedAmps), s.minAmpsTWCSupports);
    const heldFits = o === s.lastAmpsOffered && o + load.othersOfferedAmps <= sc.W;
    if (o > 0 && !fits && !heldFits) bad.push(`${at}: offered ${o} with ${load.othersCommittedAmps} A held by others on ${sc.W} A`);
    slaves = slaves.map((x) => (x.id === s.id ? r.state : x));
    if (sent[0] !== 0) limits[i] = wireAmps;
  }
  return bad;
}

void describe("nothing a car reports raises an offer above the wiring (S-1)", () => {
  void it("per-TWC cap, rating, shared clamp and car-side rates hold for any car data and chargeRateControl", () => {
    fc.assert(
      fc.property(scenarioArb, (sc) => {
        assert.deepEqual(run(sc).slice(0, 3), []);
      }),
      { numRuns: 300 },
    );
  });

  void it("without a vehicle module, garbage vehicle input changes nothing (offer, trace, rate)", () => {
    fc.assert(
      fc.property(scenarioArb, wild, wild, (sc, n, a) => {
        const s: SlaveState = {
          ...createSlaveState(twcId(0x4142), 32, { wiringMaxAmpsPerTWC: sc.perTwc, useFlexAmpsToStartCharge: false, startStopDelayS: 60 }, T0 * 1000),
          protocolVersion: 2,
          reportedAmpsActual: 10,
          isCharging: true,
        };
        const step = sc.steps[0]!;
        const input: BusInput = { maxAmpsToDivide: step.budget, limitAmps: step.budget, allowedFlex: 0, green: false, settings: settingsFor(step.crc, sc.W) };
        const cfg = { minAmpsPerTWC: sc.minAmpsPerTWC, wiringMaxAmpsAllTWCs: sc.W };
        const off = computeOffer(s, offerContext(s, [s], 16, input, cfg, (T0 + 100) * 1000, { enabled: false, apiOnlyCharging: n, apiOnlyActualAmps: a }));
        const none = computeOffer(s, offerContext(s, [s], 16, input, cfg, (T0 + 100) * 1000, NO_VEHICLES));
        assert.deepEqual(off, none);
        assert.equal(off.rate, null, "no car-side rate without a module");
      }),
      { numRuns: 200 },
    );
  });

  // Over a sequence this is not an invariant of the spec's algorithm: a D3 spike hold may keep an
  // earlier 0 A for a few seconds where the extra participants lead to D1's TWC minimum instead.
  void it("API-only cars only ever lower a slave's share (one heartbeat, two chargers, TWC rate control)", () => {
    fc.assert(
      fc.property(
        tenths(0, 80),
        tenths(0, 40),
        tenths(0, 40),
        fc.integer({ min: 0, max: 40 }),
        fc.record({ enabled: fc.constant(true), apiOnlyCharging: wild, apiOnlyActualAmps: wild }),
        (budget, own, other, lastOffered, vehicles) => {
          const base = createSlaveState(twcId(0x4142), 80, { wiringMaxAmpsPerTWC: 40, useFlexAmpsToStartCharge: false, startStopDelayS: 60 }, T0 * 1000);
          const s: SlaveState = { ...base, protocolVersion: 2, reportedAmpsActual: own, isCharging: true, lastAmpsOffered: lastOffered, ampsOfferedChangedAtS: T0 };
          const o: SlaveState = { ...base, id: twcId(0x4344), protocolVersion: 2, reportedAmpsActual: other, isCharging: true, lastAmpsOffered: Math.ceil(other) };
          const input: BusInput = { maxAmpsToDivide: budget, limitAmps: budget, allowedFlex: 0, green: false, settings: settingsFor(1, 80, false) };
          const cfg = { minAmpsPerTWC: 6, wiringMaxAmpsAllTWCs: 80 };
          const nowMs = (T0 + 100) * 1000;
          const withCars = computeOffer(s, offerContext(s, [s, o], 16, input, cfg, nowMs, vehicles)).offered;
          const without = computeOffer(s, offerContext(s, [s, o], 16, input, cfg, nowMs, NO_VEHICLES)).offered;
          assert.ok(withCars <= without, `${withCars} A with the cars' input, ${without} A without`);
        },
      ),
      { numRuns: 500 },
    );
  });

  void it("an API-only car's target never exceeds the budget, its own maximum or the wiring default, and is whole amps ≥ 5", () => {
    fc.assert(
      fc.property(fc.uniqueArray(carArb, { maxLength: 4, selector: (c) => c.vin }), wild, fc.integer({ min: 1, max: 80 }), (cars, budget, wiring) => {
        const apiOnly = apiOnlyCars(cars, []);
        for (const t of apiOnlyTargets(budget, [], apiOnly, wiring)) {
          const car = apiOnly.find((c) => c.vin === t.vin)!;
          const own = car.availableCurrentA !== null && Number.isFinite(car.availableCurrentA) && car.availableCurrentA > 0 ? car.availableCurrentA : wiring;
          assert.ok(Number.isInteger(t.amps) && t.amps >= 5, `${t.amps}`);
          assert.ok(t.amps <= budget && t.amps <= own, `${t.amps} A for budget ${budget}, own max ${own}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
