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

test("the green policy's charge limit is set on arrival and the car's own restored on departure", async () => {
  const rig = await startVehicleRig({
    cars: [fakeCar(VIN1, { ...HOME, chargingState: "Charging", soc: 55, limit: 90 })],
    twcs: [{ twcID: "AB", car: 0 }],
    core: { greenEnergyLimit: 80 },
  });
  try {
    rig.source.set(SUNNY_W, 0);
    await rig.run(90_000);
    const limits = (): number[] => rig.sent(/set_charge_limit/).map((r) => (JSON.parse(r.body) as { percent: number }).percent);
    assert.deepEqual(limits(), [80], "arrived: the policy's limit");
    assert.equal(rig.fake.cars[0]!.limit, 80);
    assert.deepEqual(rig.settings.get().chargeLimits, { [VIN1]: [90, 80] }, "the car's own limit is remembered");
    assert.equal(rig.engine.vehicles.lastLimit, 80);
    // The car leaves: unplugged, driven away.
    rig.bus.twcs[0]!.car = null;
    Object.assign(rig.fake.cars[0]!, { ...AWAY, chargingState: "Disconnected" });
    await rig.run(6 * 60_000);
    assert.deepEqual(limits(), [80, 90], "departed: the car's own 90 % is back");
    assert.equal(rig.fake.cars[0]!.limit, 90);
    assert.deepEqual(rig.settings.get().chargeLimits, {}, "the car is forgotten");
  } finally {
    await finish(rig);
  }
});

test("two cars on two chargers: each stop and start goes to its own car's VIN, once", async () => {
  const rig = await startVehicleRig({
    cars: [fakeCar(VIN1, { ...HOME, chargingState: "Charging" }), fakeCar(VIN2, { ...HOME, chargingState: "Charging" })],
    twcs: [
      { twcID: "AB", car: 0 },
      { twcID: "CD", car: 1 },
    ],
    // One queue runs both stops, each after a pause; with upstream's 5 s the second car still draws when
    // the 10 s stop timeout expires and the limit override follows (a separate case). 2 s keeps it out.
    pauseMs: 2000,
  });
  try {
    rig.source.set(SUNNY_W * 1.5, 0);
    await rig.run(90_000);
    assert.equal(rig.slave("AB")?.currentVIN, VIN1);
    assert.equal(rig.slave("CD")?.currentVIN, VIN2);
    rig.source.set(0, 300);
    await rig.run(240_000);
    for (const vin of [VIN1, VIN2]) assert.equal(rig.sent(new RegExp(`${vin}/command/charge_stop`)).length, 1, `stop ${vin}`);
    assert.deepEqual(rig.fake.cars.map((c) => c.chargingState), ["Stopped", "Stopped"]);
    assert.equal(rig.sent(/set_charge_limit/).length, 0, "no limit override");
    rig.source.set(SUNNY_W * 1.5, 0);
    await rig.run(300_000);
    for (const vin of [VIN1, VIN2]) assert.equal(rig.sent(new RegExp(`${vin}/command/charge_start`)).length, 1, `start ${vin}`);
    assert.deepEqual(rig.fake.cars.map((c) => c.chargingState), ["Charging", "Charging"]);
  } finally {
    await finish(rig);
  }
});

test("chargeRateControl 2: the TWC is offered its wiring limit and the car is sent the share with set_charging_amps, ≥ 15 s apart", async () => {
  const rig = await startVehicleRig({
    cars: [fakeCar(VIN1, { ...HOME, chargingState: "Charging" })],
    twcs: [{ twcID: "AB", car: 0 }],
    settings: { chargeRateControl: 2 },
  });
  try {
    rig.source.set(SUNNY_W, 0);
    await rig.run(120_000);
    const amps = (): number[] => rig.sent(/set_charging_amps/).map((r) => (JSON.parse(r.body) as { charging_amps: number }).charging_amps);
    assert.equal(rig.slave("AB")?.lastAmpsOffered, 32, "the TWC limit stays the wiring limit");
    assert.equal(amps().at(-1), 20, "the car limits the draw to the green share");
    assert.ok((rig.slave("AB")?.reportedAmpsActual ?? 0) < 20.1);
    rig.source.set(SUNNY_W / 2, 0);
    await rig.run(120_000);
    assert.equal(amps().at(-1), 10);
    const at = rig.sent(/set_charging_amps/).map((r) => r.atMs);
    for (let i = 1; i < at.length; i++) assert.ok(at[i]! - at[i - 1]! >= 15_000, `${String(at[i]! - at[i - 1]!)} ms between calls`);
    assert.ok(at[0]! - rig.clock.now() + 240_000 >= 45_000, "not in the first 45 s");
  } finally {
    await finish(rig);
  }
});

test("a car below minChargeLevel is not stopped when green power ends; the TWC is still offered 0 A", async () => {
  const rig = await startVehicleRig({
    cars: [fakeCar(VIN1, { ...HOME, chargingState: "Charging", soc: 35 })],
    twcs: [{ twcID: "AB", car: 0 }],
    tesla: { minChargeLevel: 40 },
  });
  try {
    rig.source.set(SUNNY_W, 0);
    await rig.run(60_000);
    rig.source.set(0, 300);
    await rig.run(240_000);
    assert.equal(rig.sent(/charge_stop/).length, 0);
    assert.equal(rig.slave("AB")?.lastAmpsOffered, 0);
    assert.ok(rig.sent(/vehicle_data/).length > 0, "the module looked at the car before deciding");
  } finally {
    await finish(rig);
  }
});

test("a car still charging 10 s after the stop request: the limit override sets max(50, SoC − 1); budget back → its own limit restored", async () => {
  const rig = await startVehicleRig({ cars: [fakeCar(VIN1, { ...HOME, chargingState: "Charging", soc: 62, limit: 90 })], twcs: [{ twcID: "AB", car: 0 }] });
  try {
    rig.source.set(SUNNY_W, 0);
    await rig.run(60_000);
    // The car answers the stop but goes on charging.
    rig.fake.script.push({ match: /charge_stop/, status: 200, body: { response: { result: true, reason: "" } }, times: 10 });
    rig.source.set(0, 300);
    await rig.run(240_000);
    assert.ok(rig.sent(/charge_stop/).length >= 1);
    assert.equal(rig.engine.vehicles.limitOverride, true);
    const limits = (): number[] => rig.sent(/set_charge_limit/).map((r) => (JSON.parse(r.body) as { percent: number }).percent);
    assert.deepEqual(limits(), [61], "below its state of charge, so the car stops by itself");
    assert.deepEqual(rig.settings.get().chargeLimits, { [VIN1]: [90, 61] });
    rig.fake.cars[0]!.chargingState = "Stopped";
    rig.source.set(SUNNY_W, 0);
    await rig.run(360_000);
    assert.equal(rig.engine.vehicles.limitOverride, false, "cleared once the budget is back");
    assert.deepEqual(limits(), [61, 90], "the car's own limit is restored");
    assert.ok(rig.sent(/charge_start/).length >= 1, "and it is started again");
  } finally {
    await finish(rig);
  }
});

test("an API-only car (at home, charging elsewhere, on no TWC) gets the budget through set_charging_amps; a car away gets nothing", async () => {
  const rig = await startVehicleRig({
    cars: [fakeCar(VIN1, { ...HOME, chargingState: "Charging" }), fakeCar(VIN2, { ...AWAY, chargingState: "Charging" })],
    twcs: [],
  });
  try {
    rig.source.set(SUNNY_W, 0);
    await rig.run(120_000);
    const amps = (vin: string): number[] => rig.sent(new RegExp(`${vin}/command/set_charging_amps`)).map((r) => (JSON.parse(r.body) as { charging_amps: number }).charging_amps);
    assert.equal(amps(VIN1).at(-1), 20, "the whole green budget, no TWC linked");
    assert.deepEqual(amps(VIN2), []);
    rig.source.set(SUNNY_W * 0.6, 0);
    await rig.run(120_000);
    assert.equal(amps(VIN1).at(-1), 12);
    rig.source.set(SUNNY_W * 0.2, 0);
    const before = amps(VIN1).length;
    await rig.run(120_000);
    assert.equal(amps(VIN1).length, before, "4 A < 5 A: nothing sent (and the car is not stopped)");
    assert.equal(rig.sent(/charge_stop/).length, 0);
    const at = rig.sent(/set_charging_amps/).map((r) => r.atMs);
    for (let i = 1; i < at.length; i++) assert.ok(at[i]! - at[i - 1]! >= 15_000);
  } finally {
    await finish(rig);
  }
});
