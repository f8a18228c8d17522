/**
 * The state merger (vehicles.md §1.2, §7.1): records of one VIN from several modules become one, each
 * value from the freshest record that knows it; identity and back-off from the Fleet API record.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { VehicleStatus } from "../capabilities.ts";
import { emptyBleStatus } from "../vehicle-ble/ble-state.ts";
import { mergeAll, mergeRecords } from "./merge.ts";

const VIN = "5YJ3E1EA7KF000001";

function rec(over: Partial<VehicleStatus>): VehicleStatus {
  return { ...emptyBleStatus(VIN), ...over };
}

test("each value comes from the freshest record that knows it; a value another lacks is kept", () => {
  const api = rec({ source: "TeslaAPI", id: 42, name: "Red car", socPercent: 50, chargeLimitPercent: 80, chargingState: "Charging", updatedAtMs: 1000, backoffUntilMs: 5000, atHome: true });
  const tele = rec({ source: "FleetTelemetry", name: "Red car", socPercent: 57, chargingState: "Unknown", updatedAtMs: 2000 });
  const m = mergeRecords([api, tele]);
  assert.ok(m);
  assert.equal(m.socPercent, 57, "telemetry is newer");
  assert.equal(m.chargeLimitPercent, 80, "telemetry lacks the limit: the Fleet API's stays");
  assert.equal(m.chargingState, "Charging", "Unknown never wins");
  assert.equal(m.source, "FleetTelemetry", "syncSource: the freshest record");
  assert.equal(m.id, 42);
  assert.equal(m.name, "Red car");
  assert.equal(m.backoffUntilMs, 5000);
  assert.equal(m.atHome, true);
  assert.equal(m.updatedAtMs, 2000);
});

test("a record with nothing known never hides values; stop-asking is set when any module set it", () => {
  const api = rec({ source: "TeslaAPI", socPercent: 50, updatedAtMs: 1000 });
  const ble = rec({ source: "TeslaBLE", stopAskingToStartCharging: true });
  const m = mergeRecords([api, ble]);
  assert.equal(m?.socPercent, 50);
  assert.equal(m?.source, "TeslaAPI");
  assert.equal(m?.stopAskingToStartCharging, true);
});

test("the last command is the newest of any module's, with the module that sent it", () => {
  const api = rec({ source: "TeslaAPI", lastCommand: { name: "charge_stop", body: null, atMs: 10, result: { ok: true } } });
  const ble = rec({ source: "TeslaBLE", lastCommand: { name: "set_charging_amps", body: { charging_amps: 8 }, atMs: 20, result: { ok: false, kind: "asleep", reason: "not in range" }, via: "TeslaBLE" } });
  assert.equal(mergeRecords([api, ble])?.lastCommand?.name, "set_charging_amps");
  assert.equal(mergeRecords([api, ble])?.lastCommand?.via, "TeslaBLE");
  const older = { ...ble, lastCommand: { ...ble.lastCommand!, atMs: 5 } };
  assert.equal(mergeRecords([api, older])?.lastCommand?.via, "TeslaAPI", "a module's own record names it as the path");
});

test("mergeAll: one record per VIN (case-insensitive), sorted", () => {
  const a = rec({ vin: "5YJ3E1EA7KF000002", source: "TeslaAPI" });
  const b = rec({ vin: VIN.toLowerCase(), source: "TeslaMate", socPercent: 30, updatedAtMs: 1 });
  const c = rec({ vin: VIN, source: "TeslaAPI", socPercent: 20, updatedAtMs: 0 });
  const out = mergeAll([a, b, c]);
  assert.deepEqual(out.map((s) => s.vin), [VIN, "5YJ3E1EA7KF000002"]);
  assert.equal(out[0]?.socPercent, 30);
  assert.equal(mergeRecords([]), null);
});
