/**
 * The pure vehicle arithmetic of the engine: the charge limit of one enforcement with the stop-limit
 * override (vehicles.md §3.4, policy/charge-limit.ts), `minBatteryLevelAtHome`, the API-only cars'
 * share (§3.9, scenario 25 of §9.2), the flex-start data of the one linked car (§3.6) and the slave →
 * VIN list for the backends (§1.3).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createSlaveState } from "../bus/slave-state.ts";
import type { SlaveState } from "../bus/slave-state.ts";
import type { VehicleStatus } from "../integrations/capabilities.ts";
import { emptyVehicleStatus } from "../integrations/vehicle-status.ts";
import { enforcedChargeLimit, minBatteryLevelAtHome, UNKNOWN_BATTERY_LEVEL } from "../policy/charge-limit.ts";
import { twcId } from "../protocol/frames.ts";
import { apiOnlyCars, apiOnlyTargets, busVehicleInput, flexVehicleOf, slaveLinks } from "./vehicle-share.ts";

const VIN1 = "5YJ3E1EA7KF000001";
const VIN2 = "5YJ3E1EA7KF000002";
const ELECTRICAL = { voltage: 240, phases: 1, realPowerFactor: 1 };

function car(vin: string, over: Partial<VehicleStatus> = {}): VehicleStatus {
  return emptyVehicleStatus(vin, "TeslaAPI", {
    socPercent: 60,
    chargeLimitPercent: 80,
    chargingState: "Charging",
    timeToFullChargeH: 2,
    availableCurrentA: 32,
    actualCurrentA: 0,
    phases: 1,
    voltage: 240,
    atHome: true,
    onlineState: "online",
    ...over,
  });
}

function slave(id: number, over: Partial<SlaveState> = {}): SlaveState {
  return { ...createSlaveState(twcId(id), 32, { wiringMaxAmpsPerTWC: 32, useFlexAmpsToStartCharge: false, startStopDelayS: 60 }, 0), protocolVersion: 2, ...over };
}

void describe("enforcedChargeLimit (§3.4)", () => {
  void it("the policy's limit as it is without the override; −1 stays −1", () => {
    assert.deepEqual(enforcedChargeLimit({ policyLimit: 80, override: false, budgetM: 0, minBatteryLevelAtHome: 62 }), { limit: 80, clearOverride: false });
    assert.deepEqual(enforcedChargeLimit({ policyLimit: -1, override: false, budgetM: 0, minBatteryLevelAtHome: 62 }), { limit: -1, clearOverride: false });
  });

  void it("the override with budget 0: max(50, SoC − 1), or the lower of it and the policy's limit (the worked example: SoC 62 → 61)", () => {
    assert.equal(enforcedChargeLimit({ policyLimit: -1, override: true, budgetM: 0, minBatteryLevelAtHome: 62 }).limit, 61);
    assert.equal(enforcedChargeLimit({ policyLimit: 55, override: true, budgetM: 0, minBatteryLevelAtHome: 62 }).limit, 55);
    assert.equal(enforcedChargeLimit({ policyLimit: 80, override: true, budgetM: 0, minBatteryLevelAtHome: 62 }).limit, 61);
    assert.equal(enforcedChargeLimit({ policyLimit: -1, override: true, budgetM: 0, minBatteryLevelAtHome: 30 }).limit, 50, "never below 50");
  });

  void it("the override with an unknown SoC (10000) does not invent a limit", () => {
    assert.equal(enforcedChargeLimit({ policyLimit: -1, override: true, budgetM: 0, minBatteryLevelAtHome: UNKNOWN_BATTERY_LEVEL }).limit, -1);
    assert.equal(enforcedChargeLimit({ policyLimit: 70, override: true, budgetM: 0, minBatteryLevelAtHome: UNKNOWN_BATTERY_LEVEL }).limit, 70);
  });

  void it("a budget above 0 clears the override and leaves the policy's limit", () => {
    assert.deepEqual(enforcedChargeLimit({ policyLimit: 80, override: true, budgetM: 6, minBatteryLevelAtHome: 62 }), { limit: 80, clearOverride: true });
  });

  void it("a limit outside 50–100 or not a number is −1", () => {
    for (const policyLimit of [49, 101, Number.NaN, Number.POSITIVE_INFINITY, 0]) {
      assert.equal(enforcedChargeLimit({ policyLimit, override: false, budgetM: 0, minBatteryLevelAtHome: 62 }).limit, -1, String(policyLimit));
    }
  });
});

void describe("minBatteryLevelAtHome", () => {
  void it("the lowest known SoC of the cars at home, 10000 when none; cars away and nonsense values do not count", () => {
    assert.equal(minBatteryLevelAtHome([]), UNKNOWN_BATTERY_LEVEL);
    assert.equal(minBatteryLevelAtHome([car(VIN1, { socPercent: 70 }), car(VIN2, { socPercent: 40, atHome: false })]), 70);
    assert.equal(minBatteryLevelAtHome([car(VIN1, { socPercent: 70 }), car(VIN2, { socPercent: 55 })]), 55);
    assert.equal(minBatteryLevelAtHome([car(VIN1, { socPercent: null }), car(VIN2, { socPercent: 10000 }), car("X", { socPercent: Number.NaN })]), UNKNOWN_BATTERY_LEVEL);
  });
});

void describe("API-only cars (§3.9)", () => {
  void it("a car at home, Charging or Stopped, on no TWC; a car whose VIN a slave reports (now or last) is not one", () => {
    const cars = [car(VIN1), car(VIN2, { chargingState: "Stopped" }), car("A", { atHome: false }), car("B", { chargingState: "Complete" }), car("C", { atHome: null })];
    assert.deepEqual(apiOnlyCars(cars, []).map((c) => c.vin), [VIN1, VIN2]);
    assert.deepEqual(apiOnlyCars(cars, [slave(0x4142, { currentVIN: VIN1 })]).map((c) => c.vin), [VIN2]);
    assert.deepEqual(apiOnlyCars(cars, [slave(0x4142, { lastVIN: VIN1 })]).map((c) => c.vin), [VIN2], "a car whose session ended is still on its TWC");
  });

  void it("scenario 25: one slave drawing 6 A; budget 10 → 4 A < 5, nothing; 16 → 10 A; both drawing → 8 A each", () => {
    const s = slave(0x4142, { isCharging: true, reportedAmpsActual: 6 });
    const idle = car(VIN1, { actualCurrentA: 0 });
    assert.deepEqual(apiOnlyTargets(10, [s], [idle], 32), []);
    assert.deepEqual(apiOnlyTargets(16, [s], [idle], 32), [{ vin: VIN1, amps: 10 }]);
    const both = slave(0x4142, { isCharging: true, reportedAmpsActual: 8 });
    assert.deepEqual(apiOnlyTargets(16, [both], [car(VIN1, { actualCurrentA: 8 })], 32), [{ vin: VIN1, amps: 8 }]);
  });

  void it("no slave linked: the whole budget, at most the car's available current (or the wiring default while unknown)", () => {
    assert.deepEqual(apiOnlyTargets(40, [], [car(VIN1, { availableCurrentA: 16 })], 32), [{ vin: VIN1, amps: 16 }]);
    assert.deepEqual(apiOnlyTargets(40, [], [car(VIN1, { availableCurrentA: null })], 24), [{ vin: VIN1, amps: 24 }]);
    assert.deepEqual(apiOnlyTargets(Number.NaN, [], [car(VIN1)], 24), []);
  });

  void it("the bus's view: how many draw ≥ 1 A and their total; disabled is exactly NO_VEHICLES", () => {
    assert.deepEqual(busVehicleInput(true, [car(VIN1, { actualCurrentA: 7.5 }), car(VIN2, { actualCurrentA: 0.5 }), car("X", { actualCurrentA: Number.NaN })]), {
      enabled: true,
      apiOnlyCharging: 1,
      apiOnlyActualAmps: 8,
    });
    assert.deepEqual(busVehicleInput(false, [car(VIN1, { actualCurrentA: 10 })]), { enabled: false, apiOnlyCharging: 0, apiOnlyActualAmps: 0 });
  });
});

void describe("flex-start data (§3.6)", () => {
  const byVin = (cars: VehicleStatus[]) => (vin: string): VehicleStatus | null => cars.find((c) => c.vin === vin) ?? null;

  void it("the car on the only slave (current VIN, else last) with a known SoC and a limit 50–100", () => {
    assert.deepEqual(flexVehicleOf([slave(0x4142, { currentVIN: VIN1 })], byVin([car(VIN1, { socPercent: 40, chargeLimitPercent: 90 })]), ELECTRICAL), {
      batteryLevel: 40,
      chargeLimit: 90,
      ...ELECTRICAL,
    });
    assert.equal(flexVehicleOf([slave(0x4142, { lastVIN: VIN1 })], byVin([car(VIN1)]), ELECTRICAL)?.batteryLevel, 60);
  });

  void it("none with two slaves, no linked car, or the sentinels (10000, −1) and other unknowns", () => {
    const cars = [car(VIN1), car(VIN2)];
    assert.equal(flexVehicleOf([slave(0x4142, { currentVIN: VIN1 }), slave(0x4344, { currentVIN: VIN2 })], byVin(cars), ELECTRICAL), null);
    assert.equal(flexVehicleOf([slave(0x4142)], byVin(cars), ELECTRICAL), null);
    for (const over of [{ socPercent: 10000 }, { chargeLimitPercent: -1 }, { socPercent: null }, { chargeLimitPercent: 40 }]) {
      assert.equal(flexVehicleOf([slave(0x4142, { currentVIN: VIN1 })], byVin([car(VIN1, over)]), ELECTRICAL), null, JSON.stringify(over));
    }
  });
});

void describe("slaveLinks (§1.3)", () => {
  void it("each slave's ID and VINs, null when none", () => {
    assert.deepEqual(slaveLinks([slave(0x4142, { currentVIN: VIN1, lastVIN: VIN1 }), slave(0x4344, { lastVIN: VIN2 })]), [
      { twcId: "4142", currentVin: VIN1, lastVin: VIN1 },
      { twcId: "4344", currentVin: null, lastVin: VIN2 },
    ]);
  });
});
