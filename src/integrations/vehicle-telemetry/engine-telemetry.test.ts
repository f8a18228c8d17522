/**
 * Issue 15 engine test: the whole product (config.json → registry → command router and state merger →
 * engine → HTTP) with Fleet Telemetry as its only vehicle module — no Fleet API module configured —
 * and a real mosquitto: telemetry updates the car's state of charge in `commands.vehicleInput()` and in
 * `GET /api/v2/state`, and nothing calls the cloud (the Fleet API fake sees no request, and every
 * `fetch` of the process other than the test's own requests to the product is refused and recorded).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { json, startVehicleProduct, type VehicleProduct } from "../../../test/integration/http-vehicles-rig.ts";
import { skipWithoutMosquitto, startMosquitto, type Mosquitto } from "../mqtt/mosquitto.test-helper.ts";
import { connectAsync, type MqttClient } from "mqtt";

const VIN = "5YJ3E1EA8KF000001";
const HOME = { lat: 52.52, lon: 13.405 };

describe("telemetry without the cloud (whole product)", { skip: skipWithoutMosquitto }, () => {
  let broker: Mosquitto;
  let pub: MqttClient;
  let p: VehicleProduct;
  const foreign: string[] = [];
  const realFetch = globalThis.fetch;

  before(async () => {
    broker = await startMosquitto();
    pub = await connectAsync(broker.url, { reconnectPeriod: 0, clientId: "test-publisher" });
    p = await startVehicleProduct({
      cars: [],
      module: "none",
      sections: {
        vehicle: {
          teslaFleetTelemetryMQTT: { enabled: true, syncTelemetry: true, mqtt_host: "127.0.0.1", mqtt_port: broker.port, mqtt_prefix: "telemetry" },
        },
      },
    });
    const own = p.url("");
    globalThis.fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const u = input instanceof Request ? input.url : String(input);
      if (u.startsWith(own)) return realFetch(input, init);
      foreign.push(u);
      return Promise.reject(new Error("no cloud call is allowed in this test"));
    };
    // §7.1: the module connects 30 s after start.
    await p.until(() => /Received SUBSCRIBE from (?!test-)/.test(broker.log()), "the module subscribed at mosquitto", 120_000);
  });
  after(async () => {
    globalThis.fetch = realFetch;
    await pub?.endAsync(true);
    await p?.stop();
    await broker?.dispose();
  });

  const state = async (): Promise<Record<string, unknown>[]> => json(await p.get("/api/v2/state")).vehicles as Record<string, unknown>[];

  test("BatteryLevel messages reach vehicleInput() and /api/v2/state; the cloud is never called", async () => {
    assert.equal(p.product.commands.teslaApi(), null, "no Fleet API module");
    const base = `telemetry/${VIN}/v`;
    const send = (field: string, value: unknown): Promise<unknown> => pub.publishAsync(`${base}/${field}`, JSON.stringify(value), { qos: 1 });
    await send("VehicleName", "Blue");
    await send("Location", { latitude: HOME.lat, longitude: HOME.lon });
    await send("ChargeLimitSoc", 80);
    await send("BatteryLevel", 57);
    const soc = (): number | null | undefined => p.product.commands.vehicleInput().statuses.find((s) => s.vin === VIN)?.socPercent;
    await p.until(() => soc() === 57, "the SoC in vehicleInput()");
    const car = (await state()).find((v) => v.vin === VIN);
    assert.ok(car, "the car is in the state document");
    assert.equal(car.batteryLevel, 57);
    assert.equal(car.chargeLimit, 80);
    assert.equal(car.atHome, true);
    assert.equal(car.name, "Blue");
    assert.equal(car.source, "FleetTelemetry");
    assert.equal(car.commandPath, "none", "telemetry only reads the car");

    await send("BatteryLevel", "58.9");
    await p.until(() => soc() === 58, "the next SoC");
    assert.equal((await state()).find((v) => v.vin === VIN)?.batteryLevel, 58);
    const doc = (await p.get("/api/v2/state")).text;
    assert.ok(!doc.includes(String(HOME.lon)), "no coordinates in the document");
    assert.deepEqual(p.fake.requests, [], "the Fleet API fake saw no request");
    assert.deepEqual(foreign, [], "no other fetch");
  });
});
