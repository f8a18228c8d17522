/**
 * The Home Assistant vehicle module (vehicles.md §6, §9.2 #24) against a fake Home Assistant on
 * loopback (REST + WebSocket with the `ws` package) and the engine harness, whose simulated TWC reports
 * the first car's VIN: discovery by the registries and the slug, state from the entities, commands
 * reaching HA with the right service and data (only for a car at home on a TWC; limit −1 sends nothing;
 * amps clamped to 1–32), a bad token or an unreachable HA leaves the module off with an error naming
 * the fix, and the router sees it as a priority-15 cloud backend (§6.5). The token is never logged.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { startHarness, type Harness } from "../../engine/engine-harness.test-helper.ts";
import { captureLogger, type CaptureLogger } from "../../shared/capture-logger.test-helper.ts";
import type { ModuleContext } from "../module.ts";
import { freePort } from "../mqtt/mosquitto.test-helper.ts";
import { isCommandBackend } from "../vehicle-router/backend.ts";
import { startFakeHass, teslaCar, type FakeHass } from "./fake-hass.test-helper.ts";
import { discoverCars, slugOf } from "./hass-discovery.ts";
import { createHassVehicleModule, type HassVehicleModule } from "./hass-module.ts";

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.long-lived-test-token.abcdef";
const VIN1 = "5YJ3E1EA8KF000001"; // a valid check digit: the bus accepts it
const VIN2 = "7SAYGDEE0PF000002";
const VIN3 = "LRW3E7FA1MC000003";
const HOME = { lat: -35.28, lon: 149.13 };
const AWAY = { lat: -35.2, lon: 149.13 };

test("slug and discovery rules (§6.2)", () => {
  assert.equal(slugOf("Canberra Adventurer"), "canberra_adventurer");
  assert.equal(slugOf("  Mé's  Car!! "), "m_s_car");
  const car = teslaCar({ id: "d1", vin: VIN1, name: "Blue", slug: "blue" });
  const wall = { id: "d2", manufacturer: "Tesla", model: "Powerwall 2", serial_number: "TG1234567890ABCDE" };
  const other = { ...teslaCar({ id: "d3", vin: VIN2, name: "Blue", slug: "blue" }).device, manufacturer: "Someone" };
  const found = discoverCars([car.device, wall, other], [...car.entities, { entity_id: "sensor.blue_battery_level", device_id: "d2", platform: "tesla_fleet" }]);
  assert.deepEqual(found.cars.map((c) => c.vin), [VIN1]);
  assert.deepEqual(found.problems, []);
});

interface Setup {
  h: Harness;
  ha: FakeHass;
  m: HassVehicleModule;
  /** What start() rejected with, null when it resolved. */
  startError: Error | null;
  logs: CaptureLogger;
  close(): Promise<void>;
}

function fixture(): Parameters<typeof startFakeHass>[0] {
  const blue = teslaCar({ id: "dev-blue", vin: VIN1, name: "Canberra Adventurer", slug: "canberra_adventurer" });
  const red = teslaCar({ id: "dev-red", vin: VIN2, name: "Model Y", slug: "red_car", model: "Model Y", viaIdentifiers: true, roles: ["sensor.battery_level", "switch.charge", "number.charge_current"] });
  const grey = teslaCar({ id: "dev-grey", vin: VIN3, name: "Grey", slug: "grey", roles: ["sensor.battery_level"] });
  return {
    token: TOKEN,
    devices: [
      blue.device,
      { ...red.device, name_by_user: "Red Car" },
      grey.device,
      { id: "dev-wall", manufacturer: "Tesla", model: "Powerwall 2", serial_number: "TG1234567890ABCDE", name: "Powerwall" },
    ],
    entities: [...blue.entities, ...red.entities, ...grey.entities, { entity_id: "sensor.canberra_adventurer_battery_level_rate", device_id: "dev-blue", platform: "template" }],
    states: {
      "sensor.canberra_adventurer_battery_level": { state: "71.5", attributes: { unit_of_measurement: "%" } },
      "sensor.canberra_adventurer_charging": { state: "charging", attributes: {} },
      "device_tracker.canberra_adventurer_location": { state: "home", attributes: { latitude: HOME.lat, longitude: HOME.lon } },
      "switch.canberra_adventurer_charge": { state: "on", attributes: {} },
      "number.canberra_adventurer_charge_current": { state: "16", attributes: { min: 0, max: 32 } },
      "number.canberra_adventurer_charge_limit": { state: "80", attributes: { min: 50, max: 100 } },
      "sensor.red_car_battery_level": { state: "44", attributes: {} },
      "switch.red_car_charge": { state: "off", attributes: {} },
      "number.red_car_charge_current": { state: "10", attributes: {} },
      "sensor.grey_battery_level": { state: "90", attributes: {} },
    },
  };
}

async function setup(o: { token?: string; url?: (ha: FakeHass) => string; home?: { lat: number; lon: number } } = {}): Promise<Setup> {
  const home = o.home ?? HOME;
  const h = await startHarness({ settings: { homeLat: home.lat, homeLon: home.lon }, slaves: [{ twcID: "AB", maxAmps: 80, protocolVersion: 2, vin: VIN1, car: { behaviour: "follow" } }] });
  await h.run(5000);
  h.commands.chargeNow(16, 3600); // the car draws, so the TWC reports its VIN (controller.md §13)
  await h.run(20_000);
  const ha = await startFakeHass(fixture());
  const logs = captureLogger();
  const ctx: ModuleContext = { clock: h.clock, logger: logs, state: h.engine.state, commands: h.commands, fail: (err) => assert.fail(String(err)) };
  const m = createHassVehicleModule({ url: o.url ? o.url(ha) : ha.url, token: o.token ?? TOKEN, atHomeRadiusFt: 10560 }, ctx);
  const startError = await m.start().then(
    () => null,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
  return {
    h,
    ha,
    m,
    startError,
    logs,
    async close() {
      m.stop();
      await ha.close();
      await h.stop();
    },
  };
}

const lines = (l: CaptureLogger): string[] => l.records.map((r) => `${r.level} ${JSON.stringify(r.obj)} ${r.msg ?? ""}`);
const calls = (ha: FakeHass): string[] => ha.calls.map((c) => `${c.domain}.${c.service} ${JSON.stringify(c.body)}`);

test("discovery and state: two cars by VIN and slug, their entities read; the TWC reporting a VIN links it", async () => {
  const s = await setup();
  try {
    assert.equal(s.h.engine.state.snapshot.chargers[0]?.vin.current, VIN1, "the simulated TWC reports the car's VIN");
    assert.equal(s.m.disabledReason, null);
    assert.equal(s.startError, null);
    assert.deepEqual(s.m.vehicles().map((v) => v.vin), [VIN1, VIN2]);
    assert.ok(s.h.commands.vehicleProviders().includes(s.m), "registered as a vehicle provider");
    assert.ok(lines(s.logs).some((l) => l.startsWith("warn") && l.includes("Grey") && l.includes("switch.grey_charge")), "a car without its charge switch is named in a warning");
    const [blue, red] = s.m.vehicles();
    assert.deepEqual(await blue!.refresh(0), { ok: true });
    assert.deepEqual(await red!.refresh(0), { ok: true });
    const b = blue!.status()!;
    assert.equal(b.name, "Canberra Adventurer");
    assert.equal(b.source, "HomeAssistant");
    assert.equal(b.socPercent, 71.5);
    assert.equal(b.chargingState, "Charging");
    assert.equal(b.atHome, true);
    assert.equal(b.chargeLimitPercent, 80);
    assert.equal(b.chargeCurrentRequestA, 16);
    assert.equal(b.twcId, "4142");
    const r = red!.status()!;
    assert.equal(r.name, "Red Car");
    assert.equal(r.socPercent, 44);
    assert.equal(r.atHome, null, "no tracker: position unknown");
    assert.equal(r.twcId, null);
    assert.equal(await s.m.numCarsAtHome(), 1);
    assert.equal(await s.m.minBatteryLevelAtHome(), 71.5);
    assert.equal(await s.m.available(), true);
    // Every REST request carried the bearer token and JSON; the WebSocket authenticated first.
    assert.ok(s.ha.requests.length > 0 && s.ha.requests.every((q) => q.authorized && q.contentType === "application/json"));
    assert.deepEqual(s.ha.wsMessages.map((w) => w.type), ["auth", "config/device_registry/list", "config/entity_registry/list"]);
    assert.equal(s.ha.wsMessages[0]?.tokenCorrect, true);
    assert.ok(lines(s.logs).every((l) => !l.includes(TOKEN)));
  } finally {
    await s.close();
  }
});

test("start/stop: switch.turn_off / turn_on for the car at home on the TWC only, 10 s apart, none when already in that state", async () => {
  const s = await setup();
  try {
    assert.equal(await s.m.charge(false), "success");
    assert.deepEqual(calls(s.ha), ['switch.turn_off {"entity_id":"switch.canberra_adventurer_charge"}'], "Red is not at home and not on a TWC");
    s.ha.set("sensor.canberra_adventurer_charging", "stopped");
    assert.equal(await s.m.charge(true), "error", "another start/stop within 10 s");
    assert.equal(s.ha.calls.length, 1);
    s.h.clock.advance(10_000);
    assert.equal(await s.m.charge(true, VIN1), "success");
    assert.equal(calls(s.ha)[1], 'switch.turn_on {"entity_id":"switch.canberra_adventurer_charge"}');
    s.ha.set("sensor.canberra_adventurer_charging", "charging");
    s.h.clock.advance(10_000);
    assert.equal(await s.m.charge(true), "success");
    assert.equal(s.ha.calls.length, 2, "already charging: nothing sent");
    const last = s.m.vehicles()[0]!.status()!.lastCommand;
    assert.equal(last?.name, "charge_start");
    assert.deepEqual(last?.result, { ok: true });
  } finally {
    await s.close();
  }
});

test("charge current: clamped to 1–32 A, number.set_value on the car's entity, none when equal or not on a TWC", async () => {
  const s = await setup();
  try {
    assert.deepEqual(await s.m.setChargeRate(40, VIN1), { ok: true });
    assert.deepEqual(s.ha.calls.at(-1), { domain: "number", service: "set_value", body: { entity_id: "number.canberra_adventurer_charge_current", value: 32 } });
    assert.equal((await s.m.setChargeRate(32, VIN1)).ok, true);
    assert.equal(s.ha.calls.length, 1, "equal to the setting: nothing sent");
    await s.m.setChargeRate(0.4, VIN1);
    assert.deepEqual(s.ha.calls.at(-1)?.body, { entity_id: "number.canberra_adventurer_charge_current", value: 1 });
    await s.m.setChargeRate(12.5);
    assert.deepEqual(s.ha.calls.at(-1)?.body, { entity_id: "number.canberra_adventurer_charge_current", value: 12.5 }, "no VIN: the first car");
    const n = s.ha.calls.length;
    assert.deepEqual(await s.m.setChargeRate(10, VIN2), { ok: true, reason: "not connected to a TWC" });
    assert.equal(s.ha.calls.length, n);
    assert.equal((await s.m.setChargeRate(10, VIN3)).ok, false, "Grey is not a usable car");
  } finally {
    await s.close();
  }
});

test("charge limit: −1 sends nothing; a limit goes to cars at home on a TWC with the entity; away cars are skipped", async () => {
  const s = await setup();
  try {
    assert.equal(await s.m.applyLimit(-1, "none"), "success");
    assert.equal(s.ha.calls.length, 0);
    assert.equal(await s.m.applyLimit(90, "arrival"), "success");
    assert.deepEqual(calls(s.ha), ['number.set_value {"entity_id":"number.canberra_adventurer_charge_limit","value":90}']);
    assert.equal(await s.m.applyLimit(90, "none"), "success");
    assert.equal(s.ha.calls.length, 1, "already at 90: nothing sent");
    assert.deepEqual(await s.m.vehicles()[0]!.setChargeLimit(85), { ok: true });
    assert.equal(calls(s.ha)[1], 'number.set_value {"entity_id":"number.canberra_adventurer_charge_limit","value":85}');
    assert.equal((await s.m.vehicles()[0]!.setChargeLimit(30)).ok, false, "outside 50–100");

    s.ha.set("device_tracker.canberra_adventurer_location", "not_home", { latitude: AWAY.lat, longitude: AWAY.lon });
    s.h.clock.advance(10_000);
    assert.equal(await s.m.applyLimit(70, "none"), "success");
    assert.equal(await s.m.charge(false), "success");
    assert.equal(s.ha.calls.length, 2, "an away car gets no command");
    s.h.clock.advance(10_000);
    const r = await s.m.vehicles()[0]!.stopCharging();
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.kind, "away");
    assert.equal(s.m.vehicles()[0]!.status()!.atHome, false);
  } finally {
    await s.close();
  }
});

test("home unknown: the car's tracker position becomes home (§6.3)", async () => {
  const s = await setup({ home: { lat: 10000, lon: 10000 } });
  try {
    s.ha.set("device_tracker.canberra_adventurer_location", "not_home", { latitude: AWAY.lat, longitude: AWAY.lon });
    await s.m.vehicles()[0]!.refresh(0);
    assert.equal(s.h.settings.get().homeLat, AWAY.lat);
    assert.equal(s.h.settings.get().homeLon, AWAY.lon);
  } finally {
    await s.close();
  }
});

test("a bad token: the module is off with an error naming the fix; no car, no registration, the token never logged", async () => {
  const s = await setup({ token: "wrong-token-0123456789abcdef" });
  try {
    assert.match(s.m.disabledReason ?? "", /refused the long-lived access token \(401\).*create a new one/);
    assert.equal(s.startError?.message, s.m.disabledReason, "start rejects: the host raises MODULE_FAILED and retries");
    const e = s.logs.records.find((r) => r.level === "error");
    assert.equal(e?.obj.code, "VEHICLE_HASS_UNAVAILABLE");
    assert.deepEqual(s.m.vehicles(), []);
    assert.equal(s.m.usable(), false);
    assert.equal(s.h.commands.vehicleProviders().includes(s.m), false);
    assert.equal(await s.m.charge(true), "error");
    assert.equal(s.ha.calls.length, 0);
    assert.ok(lines(s.logs).every((l) => !l.includes("wrong-token-0123456789abcdef") && !l.includes(TOKEN)));
  } finally {
    await s.close();
  }
});

test("HA unreachable, or answering 500: off with a message saying so", async () => {
  const port = await freePort();
  const down = await setup({ url: () => `http://127.0.0.1:${String(port)}` });
  try {
    assert.match(down.m.disabledReason ?? "", new RegExp(`cannot reach Home Assistant at http://127\\.0\\.0\\.1:${String(port)}`));
    assert.ok(down.startError);
    assert.equal(down.m.usable(), false);
  } finally {
    await down.close();
  }
  const ha500 = await startFakeHass({ token: TOKEN });
  ha500.failWith = 500;
  const s = await setup({ url: () => ha500.url });
  try {
    assert.match(s.m.disabledReason ?? "", /answered GET \/api\/config with HTTP 500/);
  } finally {
    await s.close();
    await ha500.close();
  }
});

test("§6.5: the router sees a priority-15 cloud backend (skipped by ble_only), usable with cars", async () => {
  const s = await setup();
  try {
    assert.equal(isCommandBackend(s.m), true);
    assert.equal(s.m.priority, 15);
    assert.equal(s.m.kind, "api");
    assert.equal(s.m.backend, "HomeAssistant");
    assert.equal(s.m.usable(), true);
    assert.equal(await s.m.refreshState(VIN1), true);
    assert.equal(await s.m.refreshState(VIN3), false);
    s.m.stop();
    assert.equal(s.m.usable(), false, "a stopped module is never called");
  } finally {
    await s.close();
  }
});
