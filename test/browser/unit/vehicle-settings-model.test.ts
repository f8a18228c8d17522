/** The Settings page's car settings (vehicles.md §8.3, §4.9): vehicle sections of config.json and the policy. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { StateDocument } from "../../../src/state/types.ts";
import { asPolicy, hasVehicleModule, vehicleConfigOf } from "../../../src/web/vehicle-settings-model.ts";

test("config.json's vehicle sections: on with enabled true; teslaBLE also without enabled", () => {
  const c = vehicleConfigOf({
    vehicle: {
      teslaAPI: { enabled: true },
      TeslaMate: { enabled: false },
      HomeAssistant: { enabled: "true" },
      teslaBLE: {},
      commandPolicy: "BLE_only",
    },
  });
  assert.deepEqual(c, { modules: ["teslaAPI", "teslaBLE"], commandPolicy: "ble_only" });
  assert.deepEqual(vehicleConfigOf({ vehicle: { teslaBLE: { enabled: false } } }), { modules: [], commandPolicy: null });
});

test("no vehicle section, or not an object, or a config that is not JSON: nothing on, policy not set", () => {
  for (const bad of [{}, null, "(hidden)", [], { vehicle: [] }, { vehicle: "x" }, { vehicle: { teslaAPI: "(hidden)" } }])
    assert.deepEqual(vehicleConfigOf(bad), { modules: [], commandPolicy: null }, JSON.stringify(bad));
});

test("an invalid commandPolicy in config.json is not a hard-set one (the server ignores it too)", () => {
  assert.equal(vehicleConfigOf({ vehicle: { commandPolicy: "cloud_first" } }).commandPolicy, null);
  assert.equal(asPolicy(" api_only "), "api_only");
  assert.equal(asPolicy(3), null);
});

test("a vehicle module runs: the Tesla account in the state, a car, or a section config.json turns on", () => {
  const state = (teslaAccount: unknown, vehicles: unknown[]): StateDocument => ({ teslaAccount, vehicles }) as unknown as StateDocument;
  assert.equal(hasVehicleModule(null, null), false);
  assert.equal(hasVehicleModule(state(null, []), { modules: [], commandPolicy: null }), false);
  assert.equal(hasVehicleModule(state({ loggedIn: false }, []), null), true);
  assert.equal(hasVehicleModule(state(null, [{ vin: "5YJ3E1EA8KF000001" }]), null), true);
  assert.equal(hasVehicleModule(state(null, []), { modules: ["teslaBLE"], commandPolicy: null }), true);
});
