import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { computeOffer, type OfferContext } from "../bus/offer.ts";
import { createSlaveState, type SlaveState } from "../bus/slave-state.ts";
import { energyComputation, type EnergyConfig } from "../energy/green.ts";
import { twcId } from "../protocol/frames.ts";
import { explainCharger, type ChargerFacts, type ChargerPolicy } from "./explain-charger.ts";
import { controllerClock } from "./state-projection.ts";
import {
  explainBudget,
  explainEnergy,
  explainOfferedTotal,
  greenSurplusW,
  type BudgetDecision,
  type ExplainInputs,
} from "./explain.ts";

const T0 = 1_700_000_000;
const CONFIG: ExplainInputs["config"] = {
  minAmpsPerTWC: 6,
  wiringMaxAmpsAllTWCs: 48,
  wiringMaxAmpsPerTWC: 32,
  defaultVoltage: 240,
  numberOfPhases: 1,
  subtractChargerLoad: false,
};

function slave(id: number, over: Partial<SlaveState> = {}): SlaveState {
  const s = createSlaveState(twcId(id), 80, { wiringMaxAmpsPerTWC: 32, useFlexAmpsToStartCharge: false, startStopDelayS: 60 }, T0 * 1000);
  return { ...s, protocolVersion: 2, minAmpsTWCSupports: 6, lastAmpsOffered: 0, reportedAmpsMax: 0, ...over };
}

function ctx(over: Partial<OfferContext> = {}): OfferContext {
  return {
    nowS: T0 + 1000,
    budgetM: 0,
    allowedFlex: 0,
    green: false,
    numCharging: 0,
    allActualAmps: 0,
    spikeAmps: 21,
    minAmpsPerTWC: 6,
    wiringMaxAmpsAllTWCs: 48,
    spikeAmpsProactively: true,
    spikeAmpsReactively: true,
    chargeRateControl: 1,
    ...over,
  };
}

function facts(s: SlaveState): ChargerFacts {
  return { id: "4142", ampsOffered: s.lastAmpsOffered, reportedAmpsActual: s.reportedAmpsActual, wiringMaxAmps: s.wiringMaxAmps, ratedAmps: s.maxAmps };
}

const GREEN: ChargerPolicy = { policy: "Track Green Energy", green: true, mode: "master" };
const CHARGE_NOW: ChargerPolicy = { policy: "Charge Now", green: false, mode: "master" };

function energy(gen: number, cons: number, over: Partial<EnergyConfig> = {}, actualA = 0, sources = true) {
  return energyComputation({
    green: false,
    sources: { generationW: gen, consumptionW: cons, consumptionA: 0 },
    allSourcesUsable: sources,
    chargers: [{ voltsPhaseA: 0, voltsPhaseB: 0, voltsPhaseC: 0, reportedAmpsActual: actualA }],
    state: { effectiveBudgetA: 0, carsCharging: 0 },
    settings: {},
    config: { ...CONFIG, ...over },
  });
}

function decision(over: Partial<BudgetDecision> = {}): BudgetDecision {
  return {
    policy: "Track Green Energy",
    green: true,
    forced: false,
    policyAmps: 4.6,
    limitAmps: 48,
    budgetA: 4.6,
    allowedFlexA: 0,
    requestedA: null,
    nonScheduledAction: 1,
    lastEvaluatedAt: "2026-11-23T12:00:05.000+01:00",
    carsCharging: 0,
    ...over,
  };
}

const oneSource = { configured: 1, usable: 1, missing: [] };

void describe("explainCharger", () => {
  void it("budget below the minimum: says 4.6 A is below the 6 A a car needs", () => {
    const r = computeOffer(slave(0x4142), ctx({ budgetM: 4.6, green: true }));
    assert.equal(r.offered, 0);
    const w = explainCharger(facts(r.state), r.trace, GREEN);
    assert.equal(w.code, "BELOW_MIN");
    assert.equal(w.text, "Offered 0 A: the solar budget is 4.6 A, below the 6 A a car needs (Track Green Energy).");
    assert.equal(w.params.budgetA, 4.6);
    assert.equal(w.params.minA, 6);
  });

  void it("flex: a charging car kept at the minimum by flex, and flex that would only start a car", () => {
    const drawing = slave(0x4142, { reportedAmpsActual: 6.5, reportedAmpsMax: 6, lastAmpsOffered: 6, isCharging: true });
    const r = computeOffer(drawing, ctx({ budgetM: 4.6, allowedFlex: 2, green: true, numCharging: 1, allActualAmps: 6.5 }));
    assert.equal(r.offered, 6);
    const w = explainCharger(facts(r.state), r.trace, GREEN);
    assert.equal(w.code, "FLEX");
    assert.match(w.text, /^Offered 6 A: its share of the 4\.6 A solar budget is 4 A and flex 2 A lifts it to the 6 A a car needs/);

    const idle = computeOffer(slave(0x4142), ctx({ budgetM: 4.6, allowedFlex: 2, green: true }));
    assert.equal(idle.offered, 0);
    assert.match(explainCharger(facts(idle.state), idle.trace, GREEN).text, /flex 2 A would reach it, but flex only keeps a car going that already charges/);
  });

  void it("shared wiring clamp: names the other chargers' draw and the shared limit", () => {
    const s = slave(0x4142, { reportedAmpsActual: 10, isCharging: true, lastAmpsOffered: 10, reportedAmpsMax: 10 });
    const r = computeOffer(s, ctx({ budgetM: 48, numCharging: 2, allActualAmps: 10 + 30, nowS: T0 + 1000 }));
    const w = explainCharger(facts(r.state), r.trace, CHARGE_NOW);
    assert.equal(w.code, "SHARED_WIRING");
    assert.equal(r.offered, 18);
    assert.match(w.text, /^Offered 18 A instead of 21 A: the other chargers use 30 A of the 48 A wiring shared by all chargers \(Charge Now\)\.$/);
  });

  void it("per-TWC wiring clamp: the charger's own wiring limit", () => {
    const r = computeOffer(slave(0x4142, { reportedAmpsMax: 32, lastAmpsOffered: 32 }), ctx({ budgetM: 40 }));
    assert.equal(r.offered, 32);
    const w = explainCharger(facts(r.state), r.trace, CHARGE_NOW);
    assert.equal(w.code, "TWC_WIRING");
    assert.equal(w.text, "Offered 32 A instead of 40 A: this charger's wiring limit is 32 A (Charge Now).");
  });

  void it("whole budget while no car charges, and the spike", () => {
    const r = computeOffer(slave(0x4142, { reportedAmpsMax: 16, lastAmpsOffered: 16 }), ctx({ budgetM: 16 }));
    assert.equal(r.offered, 16);
    assert.equal(explainCharger(facts(r.state), r.trace, CHARGE_NOW).text, "Offered 16 A: the whole 16 A budget; while no car charges, every charger is offered all of it (Charge Now).");
    const up = computeOffer(slave(0x4142, { reportedAmpsMax: 6, lastAmpsOffered: 6 }), ctx({ budgetM: 10 }));
    assert.equal(up.offered, 21);
    const w = explainCharger(facts(up.state), up.trace, CHARGE_NOW);
    assert.equal(w.code, "SPIKE");
    assert.match(w.text, /^Offered 21 A for about 5 s \(a spike\).*then 10 A \(Charge Now\)\.$/);
  });

  void it("no trace yet, and monitor mode", () => {
    assert.equal(explainCharger({ ...facts(slave(1)), ampsOffered: null }, undefined, GREEN).code, "NO_OFFER_YET");
    assert.equal(explainCharger(facts(slave(1)), undefined, { ...GREEN, mode: "monitor" }).code, "NOT_MASTER");
  });
});

void describe("explainBudget", () => {
  void it("green budget below the minimum: surplus W ÷ V, and the 6 A minimum", () => {
    const w = explainBudget({ decision: decision(), energy: energy(2400, 1296), readings: oneSource, config: CONFIG });
    assert.equal(w.code, "GREEN");
    assert.equal(
      w.text,
      "Solar budget 4.6 A (Track Green Energy): 1,104 W ÷ 240 V surplus — generation 2.40 kW − consumption 1.30 kW, below the 6 A a car needs.",
    );
  });

  void it("green with flex, the charger load added back, and readings newer than the policy check", () => {
    const e = energy(2400, 1296 + 1440, { subtractChargerLoad: true }, 6);
    const w = explainBudget({
      decision: decision({ allowedFlexA: 2 }),
      energy: e,
      readings: oneSource,
      config: { ...CONFIG, subtractChargerLoad: true },
    });
    assert.match(w.text, /1,104 W ÷ 240 V surplus — generation 2\.40 kW − consumption 2\.74 kW \+ 1\.44 kW the chargers draw, added back/);
    assert.match(w.text, /flex 2 A lets a car that already charges go on down to 4 A/);
    const later = explainBudget({ decision: decision(), energy: energy(2640, 1296), readings: oneSource, config: CONFIG });
    assert.match(later.text, /worked out at the policy check at 12:00:05; the readings now give 5\.6 A, used from the next check/);
  });

  void it("grid cap: the cap, the generation and the consumption it leaves", () => {
    const cfg = { ...CONFIG, maxAmpsAllowedFromGrid: 20 };
    const e = energy(0, 2880, { maxAmpsAllowedFromGrid: 20 });
    const d = decision({ policy: "Charge Now", green: false, policyAmps: 16, limitAmps: 8, budgetA: 8, requestedA: 16 });
    const w = explainBudget({ decision: d, energy: e, readings: oneSource, config: cfg });
    assert.equal(w.code, "GRID_CAP");
    assert.equal(w.text, "Budget 8 A: Charge Now at 16 A, but the 20 A grid cap leaves 8 A (grid cap + generation 0 A − consumption 12 A).");
    const stale = explainBudget({ decision: { ...d, limitAmps: 0, budgetA: 0 }, energy: e, readings: { configured: 1, usable: 0, missing: ["URL"] }, config: cfg });
    assert.equal(stale.code, "GRID_CAP_NO_READING");
    assert.match(stale.text, /nothing is offered while URL has no fresh reading/);
  });

  void it("no reading: green budget 0 A because no source is configured", () => {
    const none = { configured: 0, usable: 0, missing: [] };
    const w = explainBudget({ decision: decision({ policyAmps: 0, budgetA: 0 }), energy: energy(0, 0), readings: none, config: CONFIG });
    assert.equal(w.code, "GREEN_NO_READING");
    assert.equal(w.text, "Solar budget 0 A (Track Green Energy): no energy source is configured, so generation counts as 0 W, below the 6 A a car needs.");
  });

  void it("fixed policies: Charge Now shared by all chargers, the wiring cap, do not charge, none", () => {
    const e = energy(0, 0);
    const cn = decision({ policy: "Charge Now", green: false, policyAmps: 16, budgetA: 16, requestedA: 16 });
    assert.equal(explainBudget({ decision: cn, energy: e, readings: oneSource, config: CONFIG }).text, "Budget 16 A: Charge Now at 16 A, shared by all chargers.");
    const big = { ...cn, policyAmps: 48, budgetA: 48, requestedA: 60 };
    assert.match(explainBudget({ decision: big, energy: e, readings: oneSource, config: CONFIG }).text, /capped at the 48 A wiring limit shared by all chargers/);
    const stop = decision({ policy: "Non Scheduled Charging", green: false, policyAmps: 0, budgetA: 0, nonScheduledAction: 2 });
    assert.match(explainBudget({ decision: stop, energy: e, readings: oneSource, config: CONFIG }).text, /“do not charge”, so nothing is offered/);
    assert.equal(explainBudget({ decision: decision({ policy: null }), energy: e, readings: oneSource, config: CONFIG }).code, "NO_POLICY");
  });
});

void describe("explainEnergy", () => {
  void it("no source: no reading and a null surplus (the card shows —)", () => {
    const i = { decision: decision(), energy: energy(0, 0), readings: { configured: 0, usable: 0, missing: [] }, config: CONFIG };
    assert.equal(greenSurplusW(i), null);
    assert.equal(explainEnergy(i).code, "NO_SOURCE");
    assert.match(explainEnergy(i).text, /^No reading: no energy source is configured/);
  });

  void it("the car's draw added back with subtractChargerLoad, and named when it is not", () => {
    const cfg = { ...CONFIG, subtractChargerLoad: true };
    const i = { decision: decision(), energy: energy(3745, 3700, { subtractChargerLoad: true }, 15.42), readings: oneSource, config: cfg };
    assert.equal(greenSurplusW(i), 3745);
    assert.match(explainEnergy(i).text, /^\+3\.75 kW for charging: generation 3\.75 kW − consumption 3\.70 kW \+ 3\.70 kW the chargers draw, added back\.$/);
    const off = { ...i, energy: energy(3745, 3700, {}, 15.42), config: CONFIG };
    assert.equal(greenSurplusW(off), 45);
    assert.match(explainEnergy(off).text, /^\+45 W for charging: .*not added back: with config\.subtractChargerLoad off/);
  });
});

void describe("explainOfferedTotal (Charge Now 16 A shared by all chargers)", () => {
  void it("a car charging and an idle v1 charger offered its minimum: 21 A above the 16 A budget, wiring never at stake", () => {
    const car = slave(0x4142, { reportedAmpsActual: 16, reportedAmpsMax: 16, lastAmpsOffered: 16, isCharging: true });
    const v1 = { ...slave(0x4344), protocolVersion: 1 as const, minAmpsTWCSupports: 5 };
    const c = ctx({ budgetM: 16, numCharging: 1, allActualAmps: 16 });
    const a = computeOffer(car, c);
    const b = computeOffer(v1, c);
    assert.deepEqual([a.offered, b.offered], [16, 5]);
    const w = explainOfferedTotal({
      chargers: [
        { id: "4142", offeredA: a.offered, actualA: 16, idleMinimum: a.trace.belowMin === "twcMin" },
        { id: "4344", offeredA: b.offered, actualA: 0, idleMinimum: b.trace.belowMin === "twcMin" },
      ],
      budgetA: 16,
      carsCharging: 1,
      wiringMaxAmpsAllTWCs: 48,
    });
    assert.ok(w);
    assert.equal(w.code, "TOTAL_IDLE_MINIMUM");
    assert.match(w.text, /^Offered 21 A in total, above the 16 A budget: idle charger 4344 is offered its 5 A minimum so that a car plugged in there can start/);
    assert.match(w.text, /The 48 A wiring limit is never at stake/);
    assert.match(explainCharger({ ...facts(b.state), id: "4344" }, b.trace, CHARGE_NOW).text, /^Offered 5 A, the charger's minimum, so that a car plugged in here can start: the other chargers use 16 A of the 16 A budget and make room when it does \(Charge Now\)\.$/);
  });

  void it("after Stop all no car charges: each charger holds the whole budget (32 A of 16 A)", () => {
    const w = explainOfferedTotal({
      chargers: [
        { id: "4142", offeredA: 16, actualA: 0, idleMinimum: false },
        { id: "4344", offeredA: 16, actualA: 0, idleMinimum: false },
      ],
      budgetA: 16,
      carsCharging: 0,
      wiringMaxAmpsAllTWCs: 48,
    });
    assert.equal(w?.code, "TOTAL_WHOLE_BUDGET_EACH");
    assert.match(w?.text ?? "", /^Offered 32 A in total, above the 16 A budget: while no car charges, every charger is offered the whole budget/);
  });

  void it("within the budget: no sentence", () => {
    assert.equal(explainOfferedTotal({ chargers: [{ id: "4142", offeredA: 16, actualA: 16, idleMinimum: false }], budgetA: 16, carsCharging: 1, wiringMaxAmpsAllTWCs: 48 }), null);
  });
});

void describe("controllerClock (issue 12 §8)", () => {
  void it("names the zone and takes the offset of the controller's own ISO time", () => {
    assert.deepEqual(controllerClock("2026-11-23T21:36:05.123+01:00", "Europe/Amsterdam"), {
      timeZone: "Europe/Amsterdam",
      utcOffset: "+01:00",
      utcOffsetMinutes: 60,
    });
    assert.equal(controllerClock("2026-07-01T08:00:00.000-04:00", "America/New_York").utcOffsetMinutes, -240);
    assert.equal(controllerClock("2026-07-01T08:00:00.000+05:30").utcOffsetMinutes, 330);
    assert.equal(controllerClock("x").timeZone, Intl.DateTimeFormat().resolvedOptions().timeZone, "the process zone by default");
  });
});
