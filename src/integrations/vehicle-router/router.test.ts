/**
 * Engine-level routing (vehicles.md §4.9, issue 15 "Engine tests"): the real engine and commands facade,
 * the real Fleet API module on the HTTPS fake and the real BLE module on the fake tesla-control, joined
 * by the router module as the composition root joins them. With prefer_ble a BLE failure falls back to
 * the Fleet API; with ble_only it does not (no billed command); api_only never runs tesla-control; the
 * merged car shows the path its commands take and which path served the last one.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeCar } from "../tesla/fake-fleet-api.test-helper.ts";
import { HOME } from "../tesla/tesla-rig.test-helper.ts";
import { startStack, type Stack, type StackOptions } from "./router-rig.test-helper.ts";

const VIN = "5YJ3E1EA7KF000001";

async function withStack(o: Partial<StackOptions>, fn: (s: Stack) => Promise<void>): Promise<void> {
  const s = await startStack({ cars: [fakeCar(VIN, { ...HOME, chargingState: "Charging", soc: 60 })], bleVins: [VIN], ble: { maxRetries: 1 }, ...o });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

function control(s: Stack) {
  const c = s.h.commands.vehicleControl();
  assert.ok(c, "the router is attached");
  return c;
}

test("prefer_ble: BLE serves the stop; the Fleet API gets no command", async () => {
  await withStack({}, async (s) => {
    assert.equal(control(s), s.router.current(), "the facade commands cars through the router");
    assert.equal(await s.drive(control(s).charge(false, VIN)), "success");
    assert.equal(s.ble.fake.calls().filter((c) => c.command === "charging-stop").length, 1);
    assert.equal(s.fleet.count(/\/command\//), 0, "no billed command");
    const st = control(s).byVin(VIN)?.status();
    assert.equal(st?.lastCommand?.name, "charge_stop");
    assert.equal(st?.lastCommand?.via, "TeslaBLE");
    assert.equal(st?.lastCommand?.result.ok, true);
    assert.equal(st?.commandVia, "TeslaBLE");
  });
});

test("prefer_ble: a BLE failure (not in range) falls back to the Fleet API, which stops the car", async () => {
  await withStack({}, async (s) => {
    s.ble.fake.setMode("not_in_range");
    assert.equal(await s.drive(control(s).charge(false, VIN)), "success");
    assert.equal(s.ble.fake.calls().filter((c) => c.command === "charging-stop").length, 6, "BLE tried 3 times (priority 20), each with its own retry");
    assert.equal(s.fleet.count(/POST \/api\/1\/vehicles\/5YJ3E1EA7KF000001\/command\/charge_stop/), 1);
    const st = control(s).byVin(VIN)?.status();
    assert.equal(st?.lastCommand?.via, "TeslaAPI", "the path that served it");
    assert.equal(st?.lastCommand?.result.ok, true);
    assert.equal(st?.source === "TeslaAPI" || st?.source === "TeslaBLE", true);
    assert.equal(st?.socPercent, 60, "the Fleet API's state in the merged record");
    const c = s.router.current()?.counters();
    // The engine's own charge-limit pass runs through the router meanwhile: counts are at least the stop's.
    assert.ok((c?.moduleFailures.TeslaBLE ?? 0) >= 3, JSON.stringify(c));
    assert.ok((c?.moduleSuccess.TeslaAPI ?? 0) >= 1, JSON.stringify(c));
    assert.equal(c?.moduleFailures.TeslaAPI ?? 0, 0);
  });
});

test("ble_only: a BLE failure is not retried through the Fleet API (no billed command); reads still use it", async () => {
  await withStack({ policy: "ble_only" }, async (s) => {
    s.ble.fake.setMode("not_in_range");
    assert.equal(await s.drive(control(s).charge(false, VIN)), "error");
    assert.equal(s.fleet.count(/\/command\//), 0);
    const rate = await s.drive(control(s).setChargeRate(10, VIN));
    assert.equal(rate.ok, false);
    assert.match(rate.ok ? "" : rate.reason, /failed to find BLE beacon|paused after repeated failures/, "tesla-control's words, or the breaker that opened meanwhile");
    assert.equal(s.fleet.count(/\/command\//), 0);
    const st = control(s).byVin(VIN)?.status();
    assert.equal(st?.lastCommand?.via, "TeslaBLE");
    assert.equal(st?.lastCommand?.result.ok, false);
    // A state read is no command: with BLE failing it comes from the Fleet API.
    const r = await s.drive(control(s).byVin(VIN)!.refresh(0));
    assert.equal(r.ok, true);
    assert.ok(s.fleet.count(/vehicle_data/) >= 1);
  });
});

test("ble_only with only the Fleet API able to command: nothing is sent and the result says why", async () => {
  await withStack({ policy: "ble_only", bleVins: [] }, async (s) => {
    await s.drive(s.tesla.available("none"));
    const r = await s.drive(control(s).setChargeRate(10, VIN));
    assert.equal(r.ok, false);
    assert.match(r.ok ? "" : r.reason, /commandPolicy ble_only/);
    assert.equal(s.fleet.count(/\/command\//), 0);
    assert.equal(control(s).byVin(VIN)?.status()?.commandVia, null, "no path for this car");
  });
});

test("api_only: tesla-control is never run, commands and reads go to the Fleet API", async () => {
  await withStack({ policy: "api_only" }, async (s) => {
    assert.equal(await s.drive(control(s).charge(false, VIN)), "success");
    assert.equal(s.fleet.count(/command\/charge_stop/), 1);
    const rate = await s.drive(control(s).setChargeRate(12, VIN));
    assert.equal(rate.ok, true);
    assert.equal(s.fleet.count(/command\/set_charging_amps/), 1);
    assert.equal((await s.drive(control(s).byVin(VIN)!.refresh(0))).ok, true);
    assert.deepEqual(s.ble.fake.calls(), [], "no tesla-control invocation at all");
    assert.equal(control(s).byVin(VIN)?.status()?.commandVia, "TeslaAPI");
  });
});

test("prefer_ble state read: BLE first (no vehicle_data), the Fleet API only when BLE yields nothing", async () => {
  await withStack({}, async (s) => {
    await s.drive(s.tesla.available("none"));
    const before = s.fleet.count(/vehicle_data/);
    assert.equal((await s.drive(control(s).byVin(VIN)!.refresh(0))).ok, true);
    assert.equal(s.fleet.count(/vehicle_data/), before, "served by BLE");
    assert.deepEqual(s.ble.fake.calls().map((c) => c.command), ["state-charge", "state-location"]);
    assert.equal(control(s).byVin(VIN)?.status()?.chargeLimitPercent, 80);
  });
});

test("the engine's charge-limit pass (policy limit 90 %) goes through the router: BLE first, then the Fleet API sets it", async () => {
  const limits = { chargeNowLimit: 90, scheduledLimit: 90, greenEnergyLimit: 90, nonScheduledLimit: 90 };
  await withStack({ core: limits, ble: { maxRetries: 0, commandTimeoutS: 300 } }, async (s) => {
    s.ble.fake.setMode("not_in_range");
    for (let i = 0; i < 600 && s.fleet.count(/command\/set_charge_limit/) === 0; i++) {
      await s.h.run(500); // the policy timer, the modules' pauses and back-offs
      await new Promise((r) => setTimeout(r, 5)); // tesla-control and the HTTPS fake answer in real time
    }
    assert.equal(s.fleet.count(/command\/set_charge_limit/), 1, "the Fleet API set the limit");
    const sent = s.fleet.requests.find((r) => /command\/set_charge_limit/.test(r.path));
    assert.deepEqual(JSON.parse(sent?.body ?? "{}"), { percent: 90 });
    const ble = s.ble.fake.calls().map((c) => c.command);
    assert.ok(ble.includes("charging-set-limit") || ble.includes("state-charge"), `BLE was tried first: ${ble.join(", ")}`);
  });
});
