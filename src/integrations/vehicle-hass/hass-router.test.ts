/**
 * §6.5 reachability in the whole product: config.json with only `vehicle.HomeAssistant` (no Fleet API
 * module) against the fake Home Assistant, a simulated TWC reporting the car's VIN. The charging
 * logic's commands go through the command router to Home Assistant (switch and number services
 * reach the fake), the state document shows the car with `source: "HomeAssistant"`; with
 * `commandPolicy: "ble_only"` Home Assistant is a cloud path and gets no command.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { json, startVehicleProduct, type VehicleProduct } from "../../../test/integration/http-vehicles-rig.ts";
import { startFakeHass, teslaCar, type FakeHass } from "./fake-hass.test-helper.ts";

const TOKEN = "ha-long-lived-token-for-the-router-test";
const VIN = "5YJ3E1EA8KF000001";
const HOME = { lat: 52.52, lon: 13.405 };

async function start(policy: string | null): Promise<{ p: VehicleProduct; ha: FakeHass }> {
  const car = teslaCar({ id: "dev-1", vin: VIN, name: "Blue", slug: "blue" });
  const ha = await startFakeHass({
    token: TOKEN,
    devices: [car.device],
    entities: car.entities,
    states: {
      "sensor.blue_battery_level": { state: "64", attributes: {} },
      "sensor.blue_charging": { state: "charging", attributes: {} },
      "device_tracker.blue_location": { state: "home", attributes: { latitude: HOME.lat, longitude: HOME.lon } },
      "switch.blue_charge": { state: "on", attributes: {} },
      "number.blue_charge_current": { state: "16", attributes: {} },
      "number.blue_charge_limit": { state: "80", attributes: {} },
    },
  });
  const p = await startVehicleProduct({
    cars: [],
    module: "none",
    slaves: [{ twcID: "4142", maxAmps: 32, vin: VIN, car: { behaviour: "follow" } }],
    sections: { vehicle: { HomeAssistant: { enabled: true, url: `${ha.url}/`, longLivedToken: TOKEN }, ...(policy ? { commandPolicy: policy } : {}) } },
  });
  p.product.commands.chargeNow(16, 3600);
  await p.until(() => p.product.engine.state.snapshot.chargers[0]?.vin.current === VIN, "the TWC reports the VIN");
  await p.until(() => p.product.commands.vehicleInput().statuses.some((s) => s.vin === VIN && s.socPercent === 64), "the HA car's state");
  return { p, ha };
}

test("prefer_ble (default) without BLE: start/stop and amps reach Home Assistant through the router", async () => {
  const { p, ha } = await start(null);
  try {
    const car = (json(await p.get("/api/v2/state")).vehicles as Record<string, unknown>[]).find((v) => v.vin === VIN);
    assert.equal(car?.source, "HomeAssistant");
    assert.equal(car?.commandPath, "homeAssistant");
    assert.equal(car?.batteryLevel, 64);
    const control = p.product.commands.vehicleControl();
    assert.ok(control, "the router is attached");
    // The charging logic may just have asked the car to start (HA keeps start/stop 10 s apart).
    await p.run(10_000);
    assert.equal(await control.charge(false, VIN), "success");
    assert.deepEqual(ha.calls.at(-1), { domain: "switch", service: "turn_off", body: { entity_id: "switch.blue_charge" } });
    assert.equal((await control.setChargeRate(40, VIN)).ok, true);
    assert.deepEqual(ha.calls.at(-1), { domain: "number", service: "set_value", body: { entity_id: "number.blue_charge_current", value: 32 } });
    assert.equal(await control.applyLimit(90, "none"), "success");
    assert.deepEqual(ha.calls.at(-1), { domain: "number", service: "set_value", body: { entity_id: "number.blue_charge_limit", value: 90 } });
    assert.ok(p.logs.every((l) => !l.includes(TOKEN)), "the token is never logged");
  } finally {
    await p.stop();
    await ha.close();
  }
});

test("ble_only: Home Assistant is skipped like the Fleet API", async () => {
  const { p, ha } = await start("ble_only");
  try {
    const control = p.product.commands.vehicleControl()!;
    assert.equal(await control.charge(false, VIN), "error");
    assert.equal((await control.setChargeRate(10, VIN)).ok, false);
    assert.deepEqual(ha.calls, [], "no service call");
  } finally {
    await p.stop();
    await ha.close();
  }
});

test("a bad token in config.json: the state document's MODULE_FAILED alert names the fix; the token is never shown", async () => {
  const ha = await startFakeHass({ token: TOKEN });
  const p = await startVehicleProduct({
    cars: [],
    module: "none",
    sections: { vehicle: { HomeAssistant: { enabled: true, url: ha.url, longLivedToken: "a-wrong-token-0123456789" } } },
  });
  try {
    const alert = async (): Promise<Record<string, unknown> | undefined> =>
      (json(await p.get("/api/v2/state")).alerts as Record<string, unknown>[]).find((a) => a.code === "MODULE_FAILED");
    await p.until(async () => (await alert()) !== undefined, "the module alert");
    const a = (await alert())!;
    assert.match(String(a.message), /vehicle\.HomeAssistant.*refused the long-lived access token \(401\).*create a new one/);
    const text = (await p.get("/api/v2/state")).text;
    assert.ok(!text.includes("a-wrong-token-0123456789"));
    assert.ok(p.logs.every((l) => !l.includes("a-wrong-token-0123456789")));
    // Fixed in Home Assistant (the token now valid there): the back-off restart brings the module up.
    ha.token = "a-wrong-token-0123456789";
    await p.until(async () => (await alert()) === undefined, "the module running again", 600_000);
  } finally {
    await p.stop();
    await ha.close();
  }
});
