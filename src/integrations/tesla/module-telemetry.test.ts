/**
 * §7.1: a car a telemetry module (TeslaMate, Fleet Telemetry) feeds is not polled by the Fleet API
 * module: no vehicle_data, no online check; its state of charge, limit and at-home come from the
 * telemetry record; once the telemetry goes stale (not active) polling resumes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Vehicle, VehicleProvider, VehicleStatus } from "../capabilities.ts";
import { emptyVehicleStatus } from "../vehicle-status.ts";
import { fakeCar } from "./fake-fleet-api.test-helper.ts";
import { HOME, startRig } from "./tesla-rig.test-helper.ts";

const VIN = "5YJ3E1EA7KF000001";

/** A telemetry provider in memory: `active` says whether it feeds the car now. */
function telemetry(status: VehicleStatus): VehicleProvider & { active: boolean; telemetryActive(vin: string): boolean } {
  const car = { vin: status.vin, status: () => status } as unknown as Vehicle;
  return {
    active: true,
    telemetryActive(vin: string) {
      return this.active && vin === status.vin;
    },
    vehicles: () => [car],
    on: () => () => undefined,
  };
}

test("a telemetry-fed car is not polled; its values come from telemetry; polling resumes when telemetry goes stale", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME, soc: 20 })] });
  try {
    assert.equal(await rig.drive(rig.module.available("none")), true, "the vehicle list");
    const fed = telemetry(emptyVehicleStatus(VIN, "FleetTelemetry", { socPercent: 77, chargeLimitPercent: 85, atHome: true, onlineState: "online" }));
    rig.commands.providers.push(fed);
    const before = rig.fake.requests.length;
    assert.equal((await rig.drive(rig.module.byVin(VIN)!.refresh(0))).ok, true);
    assert.equal(rig.fake.count(/vehicle_data/), 0, "no vehicle_data while telemetry feeds the car");
    assert.equal(rig.fake.requests.length, before, "no online check either");
    const s = rig.module.statuses()[0]!;
    assert.equal(s.socPercent, 77);
    assert.equal(s.chargeLimitPercent, 85);
    assert.equal(s.atHome, true);

    fed.active = false;
    assert.equal((await rig.drive(rig.module.byVin(VIN)!.refresh(0))).ok, true);
    assert.equal(rig.fake.count(/vehicle_data/), 1, "stale telemetry: the Fleet API polls again");
    assert.equal(rig.module.statuses()[0]!.socPercent, 20);
  } finally {
    await rig.close();
  }
});
