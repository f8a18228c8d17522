/** The BLE Control block's words (vehicles.md §4.6): the document read defensively, states and button label. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { pairButton, pairingText, parseBle } from "../../../src/web/ble-model.ts";

test("the BLE document: cars with their pairing state; unknown states read as not paired; not that shape → null", () => {
  const v = parseBle({
    loaded: true,
    program: "/usr/bin/tesla-control",
    cars: [{ vin: "5YJ3E1EA8KF000001", pairing: "requested", instructions: "Tap the key card", lastPairing: { operation: "add-key-request", at: "2026-12-03T10:00:00Z", ok: true, message: "Sent" }, lastCommand: null, breakerOpenUntil: null }, { vin: "X", pairing: "weird" }, 7],
    alerts: [{ code: "VEHICLE_BLE_UNAVAILABLE", message: "Connect a Bluetooth LE adapter" }],
  });
  assert.equal(v?.loaded, true);
  assert.deepEqual(v?.cars.map((c) => [c.vin, c.pairing]), [["5YJ3E1EA8KF000001", "requested"], ["X", "unpaired"]]);
  assert.equal(v?.cars[0]?.lastPairing?.ok, true);
  assert.deepEqual(v?.alerts, [{ code: "VEHICLE_BLE_UNAVAILABLE", message: "Connect a Bluetooth LE adapter" }]);
  assert.equal(parseBle({ error: "not found" }), null);
  assert.equal(parseBle(null), null);
});

test("pairing states in words, and upstream's button labels", () => {
  assert.match(pairingText("peered"), /^Paired/);
  assert.match(pairingText("requested"), /waiting for it to be approved in the car/);
  assert.match(pairingText("no_key"), /No Bluetooth key/);
  assert.equal(pairButton("peered"), "Re-pair with Vehicle");
  assert.equal(pairButton("unpaired"), "Pair with Vehicle");
});
