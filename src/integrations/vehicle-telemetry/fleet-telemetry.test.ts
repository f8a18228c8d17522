/**
 * Fleet Telemetry over MQTT (vehicles.md §7) on a real mosquitto: the server's datastore topics
 * `<prefix>/<VIN>/v/<Field>` and `…/connectivity`, retained and live, become one record per VIN through
 * the module's VehicleProvider (SoC, limit, at home from the location, charging state, time to full,
 * derived syncState); odd messages (not JSON, not a VIN, another prefix, a zero location) change
 * nothing; a car silent for over an hour while awake is handed back to polling (§7.1) and comes back
 * with its next message; a car silent while asleep stays.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { FleetTelemetryConfig } from "../../config/app-config.ts";
import { skipWithoutMosquitto, waitFor } from "../mqtt/mosquitto.test-helper.ts";
import { connectivityEvent, fleetField, nextSyncState, parseFleetTopic } from "./fleet-telemetry-parse.ts";
import { createFleetTelemetryModule, type FleetTelemetryModule } from "./fleet-telemetry.ts";
import { AWAY, HOME, startTelemetryRig, type TelemetryRig } from "./telemetry.test-helper.ts";

const VIN1 = "5YJ3E1EA7KF000001";
const VIN2 = "LRW3E7FA1MC000002";
const VIN3 = "7SAYGDEE0PF000003";

test("topics: a VIN under the prefix, v/<Field> or connectivity; anything else is ignored", () => {
  assert.deepEqual(parseFleetTopic("telemetry", `telemetry/${VIN1}/v/BatteryLevel`), { kind: "field", vin: VIN1, field: "BatteryLevel" });
  assert.deepEqual(parseFleetTopic("a/b", `a/b/${VIN1}/connectivity`), { kind: "connectivity", vin: VIN1 });
  for (const t of [`other/${VIN1}/v/BatteryLevel`, "telemetry/NOTAVIN/v/BatteryLevel", `telemetry/${VIN1}/alerts/x/current`, `telemetry/${VIN1}/v/`, `telemetry/${VIN1.replace("1", "I")}/v/Gear`])
    assert.equal(parseFleetTopic("telemetry", t), null, t);
});

test("field conversions and the derived state (§7.2)", () => {
  assert.deepEqual(fleetField("BatteryLevel", "61.7").updates, [{ field: "batteryLevel", value: 61 }]);
  assert.deepEqual(fleetField("ChargerPhases", "").updates, [{ field: "phases", value: 0 }]);
  assert.deepEqual(fleetField("Location", { latitude: 0, longitude: 13 }).updates, []);
  assert.deepEqual(fleetField("DetailedChargeState", "DetailedChargeStateComplete").updates, [{ field: "chargingState", value: "Complete" }]);
  assert.deepEqual(fleetField("BatteryLevel", "n/a").updates, []);
  assert.equal(nextSyncState("charging", "online"), "charging");
  assert.equal(nextSyncState("driving", "end-driving"), "online");
  assert.equal(nextSyncState("charging", "end-driving"), "charging");
  assert.equal(connectivityEvent({ Status: "DISCONNECTED" }), "offline");
  assert.equal(connectivityEvent("garbage"), null);
});

const config = (r: TelemetryRig, prefix = "telemetry"): FleetTelemetryConfig => ({
  telemetry: { host: "127.0.0.1", port: r.broker.port, username: null, password: null, prefix },
  atHomeRadiusFt: 10560,
});

describe("Fleet Telemetry on mosquitto", { skip: skipWithoutMosquitto }, () => {
  let r: TelemetryRig;
  let m: FleetTelemetryModule;
  const status = (vin: string) => m.vehicles().find((v) => v.vin === vin)?.status() ?? null;

  before(async () => {
    r = await startTelemetryRig();
    // Retained values the server left on the broker before TWCManager starts.
    const base = `telemetry/${VIN1}/v`;
    await r.publish(`${base}/VehicleName`, "Blue", true);
    await r.publish(`${base}/BatteryLevel`, "61.7", true);
    await r.publish(`${base}/ChargeLimitSoc`, 80, true);
    await r.publish(`${base}/Location`, { latitude: HOME.lat, longitude: HOME.lon }, true);
    await r.publish(`${base}/DetailedChargeState`, "DetailedChargeStateCharging", true);
    await r.publish(`${base}/TimeToFullCharge`, 1.25, true);
    await r.publish(`${base}/ChargeAmps`, "15.5", true);
    m = createFleetTelemetryModule(config(r), r.ctx, { connections: r.connections });
    m.start();
    assert.ok(r.h.commands.vehicleProviders().includes(m), "registered as a vehicle provider");
    assert.equal(r.broker.log().includes("Received SUBSCRIBE"), false);
    r.h.clock.advance(30_000); // §7.1: the connection opens 30 s after start
    await r.waitSubscribed();
  });
  after(async () => {
    await m?.stop();
    await r?.close();
  });

  test("retained values make the car's record: SoC, limit, at home, charging, time to full", async () => {
    await waitFor(() => status(VIN1)?.timeToFullChargeH === 1.25 && status(VIN1)?.actualCurrentA === 15.5, "the retained values");
    const s = status(VIN1)!;
    assert.equal(s.name, "Blue");
    assert.equal(s.source, "FleetTelemetry");
    assert.equal(s.socPercent, 61);
    assert.equal(s.chargeLimitPercent, 80);
    assert.equal(s.atHome, true);
    assert.equal(s.chargingState, "Charging");
    assert.equal(s.onlineState, "online");
    assert.equal(m.record(VIN1)?.syncState, "charging");
    assert.equal(m.telemetryActive(VIN1), true);
    assert.equal(r.lines().some((l) => l.includes("connected to the MQTT broker")), true);
  });

  test("live values update the record; odd messages change nothing", async () => {
    let changes = 0;
    const off = m.on("change", () => changes++);
    const base = `telemetry/${VIN1}/v`;
    await r.publishRaw(`${base}/BatteryLevel`, "{not json");
    await r.publishRaw(`${base}/ChargeLimitSoc`, "");
    await r.publishRaw(`${base}/VehicleName`, "Blue without quotes");
    await r.publish(`${base}/Location`, { latitude: 0, longitude: 0 });
    await r.publish("telemetry/NOTAVIN/v/BatteryLevel", 5);
    await r.publish(`other/${VIN1}/v/BatteryLevel`, 5);
    await r.publish(`${base}/BatteryLevel`, 64);
    await waitFor(() => status(VIN1)?.socPercent === 64, "the live SoC");
    off();
    const s = status(VIN1)!;
    assert.equal(s.chargeLimitPercent, 80, "an empty payload keeps the limit");
    assert.equal(s.name, "Blue", "a value that is not JSON is not applied");
    assert.equal(s.atHome, true, "a zero location is ignored");
    assert.deepEqual(m.vehicles().map((v) => v.vin), [VIN1], "no record for a topic without a VIN");
    assert.ok(r.lines().some((l) => l.startsWith("warn") && l.includes(`${base}/BatteryLevel`) && l.includes("not JSON")), "the undecodable payload is a warning");
    assert.ok(changes >= 1);
  });

  test("the car drives away: Gear D → driving, location away; charge end → Complete", async () => {
    const base = `telemetry/${VIN1}/v`;
    await r.publish(`${base}/DetailedChargeState`, "DetailedChargeStateComplete");
    await r.publish(`${base}/Gear`, "ShiftStateD");
    await r.publish(`${base}/Location`, { latitude: AWAY.lat, longitude: AWAY.lon });
    await waitFor(() => status(VIN1)?.atHome === false, "the car away");
    assert.equal(status(VIN1)!.chargingState, "Complete");
    assert.equal(m.record(VIN1)?.syncState, "driving");
    await r.publish(`${base}/BatteryLevel`, 63);
    await waitFor(() => status(VIN1)?.socPercent === 63, "a value while driving");
    assert.equal(m.record(VIN1)?.syncState, "driving", "online never replaces driving");
    await r.publish(`${base}/Gear`, "P");
    await r.publish(`${base}/Location`, { latitude: HOME.lat, longitude: HOME.lon });
    await waitFor(() => status(VIN1)?.atHome === true, "back home");
    assert.equal(m.record(VIN1)?.syncState, "online");
  });

  test("§7.1 staleness: an awake car silent for over an hour goes back to polling; asleep/offline cars stay; a message resumes", async () => {
    await r.publish(`telemetry/${VIN2}/connectivity`, { ConnectionId: "c2", Status: "CONNECTED", CreatedAt: "2026-11-23T23:00:00Z" });
    await r.publish(`telemetry/${VIN2}/v/BatteryLevel`, 40);
    await r.publish(`telemetry/${VIN2}/connectivity`, { ConnectionId: "c2", Status: "DISCONNECTED", CreatedAt: "2026-11-23T23:00:01Z" });
    await waitFor(() => m.record(VIN2)?.syncState === "offline", "the second car offline");
    assert.equal(status(VIN2)?.onlineState, "offline");
    r.h.clock.advance(3600 * 1000);
    assert.equal(m.telemetryActive(VIN1), true, "silent for less than an hour at the first check");
    r.h.clock.advance(3600 * 1000);
    assert.equal(m.telemetryActive(VIN1), false, "the awake car is handed back to the Fleet API");
    assert.deepEqual(m.vehicles().map((v) => v.vin), [VIN2], "the offline car keeps its telemetry source");
    assert.ok(r.lines().some((l) => l.startsWith("error") && l.includes(VIN1) && l.includes("the Fleet API polls it again")));
    await r.publish(`telemetry/${VIN1}/v/BatteryLevel`, 62);
    await waitFor(() => m.telemetryActive(VIN1), "telemetry resumed");
    assert.equal(status(VIN1)?.socPercent, 62);
    assert.ok(r.lines().some((l) => l.includes("telemetry resumed for Blue")));
  });

  test("a module with another prefix reads only its own topics", async () => {
    const other = createFleetTelemetryModule(config(r, "site/b"), { ...r.ctx }, { connections: r.connections, connectDelayMs: 0 });
    other.start();
    r.h.clock.advance(0);
    await r.waitSubscribed(2);
    await r.publish(`site/b/${VIN3}/v/BatteryLevel`, 77);
    await r.publish(`telemetry/${VIN3}/v/BatteryLevel`, 11);
    await waitFor(() => other.record(VIN3)?.status.socPercent === 77, "the prefixed car");
    await waitFor(() => m.record(VIN3)?.status.socPercent === 11, "the first module's car");
    assert.equal(other.record(VIN1), null);
    await other.stop();
    assert.equal(r.h.commands.vehicleProviders().includes(other), false, "unregistered at stop");
  });
});
