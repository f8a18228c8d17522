/**
 * TeslaMate telemetry (vehicles.md §5.3, §7.1) on a real mosquitto with the real Fleet API module on
 * its HTTPS fake for the name mapping: TeslaMate's plain payloads under `teslamate/[<ns>/]cars/<id>/…`
 * are kept until the car id maps to a Fleet API car by `display_name` (the mapping is retried when
 * the vehicle list loads), then feed that VIN's record (lenient numbers, empty payloads ignored); a
 * car whose name matches no car stays unmapped; another namespace is not read.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TeslaMateConfig } from "../../config/app-config.ts";
import { skipWithoutMosquitto, waitFor } from "../mqtt/mosquitto.test-helper.ts";
import { fakeCar, startFakeFleet, type FakeFleet } from "../tesla/fake-fleet-api.test-helper.ts";
import { rigConfig } from "../tesla/tesla-rig.test-helper.ts";
import { createTeslaApiModule, type TeslaApiModule } from "../tesla/tesla-module.ts";
import { AWAY, HOME, startTelemetryRig, type TelemetryRig } from "../vehicle-telemetry/telemetry.test-helper.ts";
import { createTeslaMateModule, type TeslaMateModule } from "./teslamate-module.ts";
import { parseTeslaMateTopic, teslaMateValue } from "./teslamate-topics.ts";

const VIN1 = "5YJ3E1EA7KF000001";
const VIN2 = "LRW3E7FA1MC000002";

test("topics and payloads (§5.3 Ours): namespace between teslamate and cars, lenient numbers, empty ignored", () => {
  assert.deepEqual(parseTeslaMateTopic("", "teslamate/cars/1/battery_level"), { carId: "1", field: "battery_level" });
  assert.deepEqual(parseTeslaMateTopic("home/garage", "teslamate/home/garage/cars/2/state"), { carId: "2", field: "state" });
  assert.equal(parseTeslaMateTopic("", "teslamate/home/cars/1/battery_level"), null);
  assert.equal(parseTeslaMateTopic("home", "teslamate/cars/1/battery_level"), null);
  assert.equal(parseTeslaMateTopic("", "teslamate/cars/1/odometer"), null);
  assert.deepEqual(teslaMateValue("battery_level", "2.05"), { field: "batteryLevel", value: 2 });
  assert.deepEqual(teslaMateValue("charger_phases", ""), { field: "phases", value: 0 });
  assert.equal(teslaMateValue("charge_limit_soc", ""), null);
  assert.equal(teslaMateValue("charger_voltage", "abc"), null);
});

describe("TeslaMate telemetry on mosquitto", { skip: skipWithoutMosquitto }, () => {
  let r: TelemetryRig;
  let fake: FakeFleet;
  let tesla: TeslaApiModule;
  let mate: TeslaMateModule;
  let other: TeslaMateModule;
  const status = (m: TeslaMateModule, vin: string) => m.vehicles().find((v) => v.vin === vin)?.status() ?? null;
  const config = (prefix: string): TeslaMateConfig => ({
    db: null,
    encryptionKey: "",
    telemetry: { host: "127.0.0.1", port: r.broker.port, username: null, password: null, prefix },
    atHomeRadiusFt: 10560,
  });

  before(async () => {
    r = await startTelemetryRig();
    fake = await startFakeFleet({ cars: [fakeCar(VIN1, { name: "Blue", lat: HOME.lat, lon: HOME.lon }), fakeCar(VIN2, { name: "Red" })], now: () => r.h.clock.now() });
    r.h.settings.update({ carApiBearerToken: fake.tokens.access, carApiRefreshToken: fake.tokens.refresh });
    tesla = createTeslaApiModule(rigConfig(), { ...r.ctx }, {
      authEndpoints: { auth: `${fake.url}/oauth2/v3`, fleetAuth: `${fake.url}/oauth2/v3` },
      regionHosts: { NA: fake.url, EU: fake.url, CN: fake.url },
      authFetch: fake.fetch,
      fetch: fake.fetch,
    });
    // TeslaMate's retained topics, before TWCManager starts and before the Fleet API module runs.
    const c1 = "teslamate/cars/1";
    for (const [f, v] of [
      ["display_name", "Blue"],
      ["battery_level", "55.6"],
      ["charge_limit_soc", "90"],
      ["latitude", String(HOME.lat)],
      ["longitude", String(HOME.lon)],
      ["state", "charging"],
      ["charging_state", "Charging"],
      ["time_to_full_charge", "1.5"],
      ["charger_actual_current", "16.0"],
      ["charger_phases", "1"],
      ["charger_voltage", "231.4"],
    ] as const)
      await r.publishRaw(`${c1}/${f}`, v, true);
    await r.publishRaw("teslamate/cars/7/display_name", "Somebody else's car", true);
    await r.publishRaw("teslamate/cars/7/battery_level", "12", true);
    await r.publishRaw("teslamate/garage/cars/1/battery_level", "99", true);
    mate = createTeslaMateModule(config(""), { ...r.ctx }, { connections: r.connections });
    mate.start();
    r.h.clock.advance(30_000);
    await r.waitSubscribed();
  });
  after(async () => {
    await other?.stop();
    await mate?.stop();
    tesla?.stop();
    await fake?.close();
    await r?.close();
  });

  test("before the vehicle list loads, nothing maps; once it loads, the kept values feed the VIN's record", async () => {
    await waitFor(() => r.broker.log().includes("Sending PUBLISH to") && r.broker.log().includes("teslamate/cars/7/battery_level"), "the retained messages delivered");
    assert.deepEqual(mate.vehicles(), [], "no Fleet API car named Blue yet");
    assert.equal(mate.record(VIN1), null);
    await tesla.start();
    await tesla.available("none");
    assert.ok(tesla.statuses().some((s) => s.name === "Blue"), "the Fleet API list has Blue");
    r.h.clock.advance(30_000); // the mapping is retried (and follows the list's changes from then on)
    await waitFor(() => status(mate, VIN1)?.voltage === 231, "Blue's record");
    const s = status(mate, VIN1)!;
    assert.equal(s.source, "TeslaMate");
    assert.equal(s.name, "Blue");
    assert.equal(s.socPercent, 55);
    assert.equal(s.chargeLimitPercent, 90);
    assert.equal(s.atHome, true);
    assert.equal(s.chargingState, "Charging");
    assert.equal(s.timeToFullChargeH, 1.5);
    assert.equal(s.actualCurrentA, 16);
    assert.equal(s.phases, 1);
    assert.equal(s.onlineState, "online");
    assert.equal(mate.record(VIN1)?.syncState, "charging");
    assert.deepEqual(mate.vehicles().map((v) => v.vin), [VIN1], "car 7 matches no car; the garage namespace is not read");
    assert.ok(r.lines().some((l) => l.includes("TeslaMate car 1 (Blue) is 5YJ3E1EA7KF000001")));
  });

  test("live updates: lenient numbers, empty or unparsable payloads keep the value, the car leaves home", async () => {
    const c1 = "teslamate/cars/1";
    await r.publishRaw(`${c1}/battery_level`, "");
    await r.publishRaw(`${c1}/battery_level`, "n/a");
    await r.publishRaw(`${c1}/charger_phases`, "");
    await r.publishRaw(`${c1}/charge_limit_soc`, "85.9");
    await waitFor(() => status(mate, VIN1)?.chargeLimitPercent === 85, "the new limit");
    assert.equal(status(mate, VIN1)?.socPercent, 55);
    assert.equal(status(mate, VIN1)?.phases, 0, "empty phases → 0");
    await r.publishRaw(`${c1}/latitude`, String(AWAY.lat));
    await r.publishRaw(`${c1}/state`, "driving");
    await waitFor(() => status(mate, VIN1)?.atHome === false, "away");
    assert.equal(mate.record(VIN1)?.syncState, "driving");
  });

  test("a renamed car in TeslaMate maps again by its new name", async () => {
    await r.publishRaw("teslamate/cars/1/display_name", "Red");
    await r.publishRaw("teslamate/cars/1/battery_level", "33");
    await waitFor(() => status(mate, VIN2)?.socPercent === 33, "the car now mapped to Red's VIN");
    assert.equal(status(mate, VIN2)?.name, "Red");
  });

  test("a namespace reads only teslamate/<ns>/cars/…", async () => {
    other = createTeslaMateModule(config("garage"), { ...r.ctx }, { connections: r.connections, connectDelayMs: 0 });
    other.start();
    r.h.clock.advance(0);
    await r.waitSubscribed(2);
    await r.publishRaw("teslamate/garage/cars/1/display_name", "Blue");
    await waitFor(() => status(other, VIN1)?.socPercent === 99, "the garage car with the kept SoC");
    assert.equal(status(other, VIN1)?.chargeLimitPercent, null, "the unprefixed topics are not read");
  });
});
