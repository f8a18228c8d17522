/**
 * Issue 14, more end-to-end charging decisions on the fake clock (real engine, simulated TWCs, real
 * Fleet API module on the HTTPS fake; rig: vehicle-rig.test-helper.ts): the §3.4 limit override worked
 * example (a car still charging 10 s after the stop request gets `set_charge_limit` SoC − 1, and its own
 * limit back when the policy has none again), a car on a non-TWC charger sharing green power through
 * `set_charging_amps` (§3.9), chargeRateControl 3 (the D3.1 raise to the wiring limit),
 * and respectVehicleSchedule (a car waiting for its own schedule is not started).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeCar } from "../integrations/tesla/fake-fleet-api.test-helper.ts";
import { HOME } from "../integrations/tesla/tesla-rig.test-helper.ts";
import { vinFor } from "./engine-vehicles-rig.test-helper.ts";
import { startVehicleRig, type VehicleRig, type VehicleRigOptions } from "./vehicle-rig.test-helper.ts";

const VIN1 = vinFor(11);
const VIN2 = vinFor(12);

async function withRig(o: VehicleRigOptions, fn: (r: VehicleRig) => Promise<void>): Promise<void> {
  const r = await startVehicleRig(o);
  try {
    await fn(r);
    const text = r.logger.records.map((x) => `${JSON.stringify(x.obj)} ${x.msg ?? ""}`).join("\n");
    assert.deepEqual(r.fleet.issued.filter((t) => text.includes(t)), [], "no token in any log line");
  } finally {
    await r.close();
  }
}

function slave(r: VehicleRig, hex: string) {
  return r.h.engine.controller.slaves().find((x) => x.id.toString(16).toUpperCase() === hex);
}
const drawn = (r: VehicleRig, hex: string): number => slave(r, hex)?.reportedAmpsActual ?? -1;
const twc = (id: string, vin: string | null) => ({ twcID: id, maxAmps: 32, protocolVersion: 2 as const, vin, car: { behaviour: "follow" as const } });
/** Bodies of the commands of that name, parsed. */
function bodies(r: VehicleRig, name: string): Record<string, unknown>[] {
  return r.fleet.requests.filter((q) => q.path.endsWith(`/command/${name}`)).map((q) => JSON.parse(q.body || "{}") as Record<string, unknown>);
}

test("§3.4 worked example: SoC 62, the car keeps charging after charge_stop → limit override → set_charge_limit 61; green returns → start, the car's 90 % restored", async () => {
  const car = fakeCar(VIN1, { ...HOME, chargingState: "Charging", soc: 62, limit: 90 });
  await withRig({ cars: [car], slaves: [twc("AB", VIN1)] }, async (r) => {
    r.power(6000, 1000);
    await r.until(() => drawn(r, "4142") > 10, "the car charges on green power");
    // The car ignores both the TWC's 0 A and the API's stop (it answers, yet keeps drawing).
    r.h.sim.setCar("AB", { minAmps: 0, rampAmpsPerS: 0.001 });
    r.power(0, 1000);
    await r.until(() => r.calls(/charge_stop/).length > 0, "charge_stop");
    car.chargingState = "Charging";
    await r.until(() => bodies(r, "set_charge_limit").length > 0, "the override's limit", 10 * 60_000);
    assert.deepEqual(bodies(r, "set_charge_limit")[0], { percent: 61 }, "max(50, SoC − 1)");
    assert.equal(car.limit, 61);
    assert.equal(r.h.engine.controller.slaves()[0]?.lastAmpsOffered, 0, "the TWC is still offered 0 A");

    // The car stops at its new limit; green power returns.
    r.h.sim.setCar("AB", { minAmps: 100, rampAmpsPerS: 0 });
    car.chargingState = "Stopped";
    r.power(6000, 1000);
    await r.until(() => r.calls(/charge_start/).length > 0, () => `charge_start (${r.calls(/command/).join(", ")}) ${JSON.stringify(slave(r, "4142"))} ${r.logger.records.map((x) => x.msg).join(" | ")}`);
    await r.until(() => bodies(r, "set_charge_limit").length > 1, "the restore", 10 * 60_000);
    assert.deepEqual(bodies(r, "set_charge_limit")[1], { percent: 90 }, "the override is cleared by the start: the car's own limit is back");
    assert.equal(car.limit, 90);
  });
});

test("§3.9: a car at home on a non-TWC charger (the TWC has no car) gets the green budget through set_charging_amps (whole amps, at most one call per 15 s, never a stop); the TWC stays within the budget", async () => {
  const other = fakeCar(VIN2, { ...HOME, chargingState: "Charging" });
  await withRig({ cars: [other], slaves: [{ ...twc("AB", null), car: { behaviour: "none" as const } }] }, async (r) => {
    r.power(6000, 1200); // 20 A
    await r.until(() => r.calls(/set_charging_amps/).some((p) => p.includes(VIN2)), "the API-only car is sent its share", 5 * 60_000);
    await r.runFor(90_000);
    const mine = r.fleet.requests.filter((q) => q.path === `/api/1/vehicles/${VIN2}/command/set_charging_amps`);
    const amps = mine.map((q) => (JSON.parse(q.body) as { charging_amps: number }).charging_amps);
    assert.ok(amps.every((a) => Number.isInteger(a) && a >= 5 && a <= 32), `whole amps, never above the wiring limit: ${amps.join(", ")}`);
    assert.equal(amps.at(-1), 20, "the whole 20 A green budget (nothing else draws)");
    // §11 decides at the enforcement (≥ 15 s apart); a call may wait behind the module's other requests, so count them.
    const spanMs = mine.at(-1)!.atMs - mine[0]!.atMs;
    assert.ok(mine.length <= Math.floor(spanMs / 15_000) + 2, `at most one call per 15 s: ${String(mine.length)} in ${String(spanMs / 1000)} s`);
    assert.equal(r.calls(/charge_stop/).length, 0, "the share never stops a car");
    assert.ok((slave(r, "4142")?.lastAmpsOffered ?? 99) <= 20, "the TWC stays within the budget");
  });
});

test("§3.9 with a car on the TWC (its VIN read): the other car gets set_charging_amps with what the TWC leaves of the budget", async () => {
  const cars = [fakeCar(VIN1, { ...HOME, chargingState: "Charging" }), fakeCar(VIN2, { ...HOME, chargingState: "Charging" })];
  await withRig({ cars, slaves: [twc("AB", VIN1)], core: { wiringMaxAmpsAllTWCs: 40 } }, async (r) => {
    r.power(9600, 0); // 40 A
    await r.until(() => slave(r, "4142")?.currentVIN === VIN1 && drawn(r, "4142") > 20, "the TWC's car charges and its VIN is read");
    const from = r.fleet.requests.length;
    await r.runFor(120_000);
    const rate = r.fleet.requests.slice(from).filter((q) => q.path.endsWith("/set_charging_amps"));
    assert.ok(rate.length > 0, "the API-only car is sent its share");
    const amps = (q: { body: string }): number => (JSON.parse(q.body) as { charging_amps: number }).charging_amps;
    const toTwcCar = rate.filter((q) => q.path.includes(VIN1));
    assert.ok(toTwcCar.every((q) => amps(q) === 32), `the TWC's car only gets the D3.1 raise to its wiring limit: ${toTwcCar.map(amps).join(", ")}`);
    const share = rate.filter((q) => q.path === `/api/1/vehicles/${VIN2}/command/set_charging_amps`);
    assert.ok(share.length > 0, "the API-only car is sent its share");
    const twcOffer = slave(r, "4142")?.lastAmpsOffered ?? 0;
    const last = amps(share.at(-1)!);
    assert.ok(last >= 5 && last + twcOffer <= 40, `the car's ${String(last)} A and the TWC's ${String(twcOffer)} A fit the 40 A budget`);
  });
});

test("chargeRateControl 3 at ≥ 6 A: the TWC limits and the car's own limit is raised once to the wiring limit (D3.1)", async () => {
  await withRig({ cars: [fakeCar(VIN1, { ...HOME, chargingState: "Charging" })], slaves: [twc("AB", VIN1)], settings: { chargeRateControl: 3 }, core: { minAmpsPerTWC: 5 } }, async (r) => {
    r.power(6000, 1000); // 20.8 A: TWC control
    await r.until(() => drawn(r, "4142") > 10, "the car charges");
    await r.until(() => bodies(r, "set_charging_amps").some((b) => b.charging_amps === 32), "the D3.1 raise", 5 * 60_000);
    assert.ok((slave(r, "4142")?.lastAmpsOffered ?? 0) < 32, "the TWC limits");
    assert.ok(r.calls(/set_charging_amps/).every((p) => p.includes(VIN1)), "the TWC's car, by its VIN");
    assert.ok(bodies(r, "set_charging_amps").every((b) => (b.charging_amps as number) <= 32), "never above the wiring limit");
    await r.runFor(180_000);
    assert.equal(bodies(r, "set_charging_amps").filter((b) => b.charging_amps === 32).length, 1, "a successful raise is not repeated");
  });
});

test("respectVehicleSchedule: a car waiting for its own schedule is not sent charge_start when green returns; with it off, it is", async () => {
  for (const respect of [true, false]) {
    const car = fakeCar(VIN1, { ...HOME, chargingState: "Stopped", scheduledPending: true });
    await withRig({ cars: [car], slaves: [{ ...twc("AB", VIN1), car: { behaviour: "follow" as const, minAmps: 100 } }], tesla: { respectVehicleSchedule: respect } }, async (r) => {
      r.power(6000, 1000);
      await r.until(() => (slave(r, "4142")?.lastAmpsOffered ?? 0) >= 6, "the TWC is offered green power");
      await r.runFor(5 * 60_000);
      assert.equal(r.calls(/charge_start/).length, respect ? 0 : 1, `respectVehicleSchedule ${String(respect)}`);
    });
  }
});
