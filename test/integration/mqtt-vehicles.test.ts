/**
 * MQTT status publishes each car's state of charge (issue 14 "Outputs"; our topics
 * `<prefix>/vehicle/<VIN>/…`, docs/decisions.md "MQTT vehicle topics") from the real product: the Fleet
 * API module against the HTTPS fake, status.MQTT against a real mosquitto started on a free loopback
 * port. A subscriber sees the values retained, a new state of charge after the car's next read (under
 * the rate limit), nothing for values the car never reported, and never a coordinate or a token.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fakeCar } from "../../src/integrations/tesla/fake-fleet-api.test-helper.ts";
import { recorder, skipWithoutMosquitto, startMosquitto, waitFor, type Mosquitto, type Recorder } from "../../src/integrations/mqtt/mosquitto.test-helper.ts";
import { DRIVEWAY, leakedTokens, startVehicleProduct, type VehicleProduct } from "./http-vehicles-rig.ts";

const AWAKE = "5YJ3E1EA8KF000001";
const ASLEEP = "5YJ3E1EAXKF000002";
const topic = (vin: string, key: string): string => `TWCv/vehicle/${vin}/${key}`;

let broker: Mosquitto | null = null;
let p: VehicleProduct | null = null;
let all: Recorder | null = null;
const awake = fakeCar(AWAKE, { name: "Blue", soc: 54, limit: 80, timeToFull: 2.5, chargingState: "Charging", ...DRIVEWAY });
const asleep = fakeCar(ASLEEP, { name: "Red", state: "asleep", wakeAfter: 1000, ...DRIVEWAY });

before(async () => {
  if (skipWithoutMosquitto) return;
  broker = await startMosquitto();
  all = await recorder(broker.url, ["TWCv/#"]);
  p = await startVehicleProduct({
    cars: [awake, asleep],
    slaves: [{ twcID: "4142", maxAmps: 32, vin: AWAKE, car: { behaviour: "follow" } }],
    sections: { status: { MQTT: { enabled: true, brokerIP: "127.0.0.1", brokerPort: broker.port, topicPrefix: "TWCv", ratelimit: 60 } } },
  });
});

after(async () => {
  await all?.close();
  await p?.stop();
  await broker?.dispose();
});

test("each car's state of charge, limit, charging state, at home and time to full are published, retained", { skip: skipWithoutMosquitto, timeout: 120_000 }, async () => {
  const vp = p!;
  await vp.until(() => all!.last(topic(AWAKE, "batteryLevel")) === "54", "the state of charge on MQTT");
  // "Unknown" (from the vehicle list) went out first; "Charging" (read seconds later) waits for the
  // topic's rate-limit window and is then published, not dropped (config.md §5.2).
  await vp.until(() => all!.last(topic(AWAKE, "chargingState")) === "Charging", "the deferred charging state", 90_000);
  const late = await recorder(broker!.url, [`TWCv/vehicle/${AWAKE}/+`]);
  try {
    await waitFor(() => late.messages.length >= 5, "the retained car topics for a new subscriber");
    assert.ok(late.messages.every((m) => m.retain), "retained");
    assert.deepEqual(Object.fromEntries(late.messages.map((m) => [m.topic, m.payload])), {
      [topic(AWAKE, "batteryLevel")]: "54",
      [topic(AWAKE, "chargeLimit")]: "80",
      [topic(AWAKE, "chargingState")]: "Charging",
      [topic(AWAKE, "atHome")]: "1",
      [topic(AWAKE, "timeToFullCharge")]: "2.5",
    });
  } finally {
    await late.close();
  }
});

test("a car that was never read publishes only its charging state 'Unknown' (no made-up state of charge)", { skip: skipWithoutMosquitto, timeout: 60_000 }, async () => {
  await waitFor(() => all!.last(topic(ASLEEP, "chargingState")) === "Unknown", "the sleeping car's charging state");
  assert.equal(all!.last(topic(ASLEEP, "batteryLevel")), undefined);
  assert.equal(all!.last(topic(ASLEEP, "chargeLimit")), undefined);
});

test("a new state of charge is published after the car's next read (within the rate limit's window)", { skip: skipWithoutMosquitto, timeout: 120_000 }, async () => {
  awake.soc = 63;
  await p!.until(() => all!.last(topic(AWAKE, "batteryLevel")) === "63", "the new state of charge on MQTT", 8 * 60_000);
});

test("no coordinate and no token in any message the product published", { skip: skipWithoutMosquitto, timeout: 30_000 }, () => {
  const text = all!.messages.map((m) => `${m.topic} ${m.payload}`).join("\n");
  assert.ok(all!.messages.length > 10);
  for (const v of [String(DRIVEWAY.lat), String(DRIVEWAY.lon)]) assert.ok(!text.includes(v), v);
  assert.deepEqual(leakedTokens(p!.fake, text), []);
});
