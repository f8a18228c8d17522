/**
 * DSMR-reader source: the telegram formula (energy-sources.md §18) and a real mosquitto broker
 * (started and stopped by this test; skipped with a message when mosquitto is missing).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { MqttConnections } from "../integrations/mqtt/connections.ts";
import {
  recorder,
  skipWithoutMosquitto,
  startMosquitto,
  waitFor,
  type Mosquitto,
  type Recorder,
} from "../integrations/mqtt/mosquitto.test-helper.ts";
import { captureLogger } from "../shared/capture-logger.test-helper.ts";
import { systemClock } from "../shared/clock.ts";
import { DsmrEnergySource, parseDsmrTelegram } from "./dsmr-source.ts";

const TELEGRAM = {
  timestamp: "2024-05-01T10:00:10Z",
  electricity_currently_delivered: 0.412,
  electricity_currently_returned: 1.203,
  phase_currently_delivered_l1: 0.412,
  phase_currently_delivered_l2: 0.0,
  phase_currently_delivered_l3: 0.0,
  phase_currently_returned_l1: 0.0,
  phase_currently_returned_l2: 0.6,
  phase_currently_returned_l3: 0.603,
  phase_power_current_l1: 2,
  phase_power_current_l2: 3,
  phase_power_current_l3: 3,
};

test("the spec's telegram: 412 W consumed, 1203 W returned, 2 A on the importing phase", () => {
  const v = parseDsmrTelegram(JSON.stringify(TELEGRAM));
  assert.ok(v);
  assert.equal(Math.round(v.consumptionW), 412);
  assert.equal(Math.round(v.generationW), 1203);
  assert.equal(v.consumptionA, 2);
});

test("string numbers are read, missing phase fields count as 0, garbage is refused", () => {
  assert.deepEqual(
    parseDsmrTelegram(
      '{"electricity_currently_delivered":"1.5","electricity_currently_returned":"0","phase_currently_delivered_l2":"1.5","phase_power_current_l2":"7"}',
    ),
    { consumptionW: 1500, generationW: 0, consumptionA: 7 },
  );
  assert.deepEqual(parseDsmrTelegram("{}"), { consumptionW: 0, generationW: 0, consumptionA: 0 });
  for (const bad of [
    "not json",
    "[1]",
    "42",
    "null",
    '{"electricity_currently_delivered":"n/a"}',
    '{"phase_power_current_l1":true}',
  ]) {
    assert.equal(parseDsmrTelegram(bad), null, bad);
  }
});

let broker: Mosquitto | null = null;
let pub: Recorder | null = null;

before(async () => {
  if (skipWithoutMosquitto) return;
  broker = await startMosquitto();
  pub = await recorder(broker.url, []);
});

after(async () => {
  await pub?.close();
  await broker?.dispose();
});

test(
  "telegrams from mosquitto become readings; a non-JSON one keeps the last reading",
  { skip: skipWithoutMosquitto },
  async () => {
    const logger = captureLogger();
    const connections = new MqttConnections({ logger, backoffMinMs: 100 });
    const source = new DsmrEnergySource(
      { brokerIP: "127.0.0.1", brokerPort: broker!.port },
      { clock: systemClock, logger, connections },
    );
    source.start();
    await waitFor(() => broker!.log().includes("dsmr/json (QoS"), "the subscription");
    await pub!.client.publishAsync("dsmr/json", JSON.stringify(TELEGRAM));
    await waitFor(() => source.latest() !== null, "a reading");
    assert.equal(Math.round(source.latest()!.consumptionW), 412);
    assert.equal(source.latest()!.consumptionA, 2);
    const first = source.latest();
    await pub!.client.publishAsync("dsmr/json", "garbage");
    await waitFor(() => source.lastError() !== null, "the parse error");
    assert.deepEqual(source.latest(), first);
    await pub!.client.publishAsync("dsmr/other", JSON.stringify({ electricity_currently_delivered: 9 }));
    await pub!.client.publishAsync(
      "dsmr/json",
      JSON.stringify({ ...TELEGRAM, electricity_currently_delivered: "2.0" }),
    );
    await waitFor(() => source.latest()?.consumptionW === 2000, "the next telegram");
    assert.equal(source.lastError(), null);
    await source.stop();
    assert.equal(connections.size, 0);
  },
);
