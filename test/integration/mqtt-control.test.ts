/**
 * MQTT control against a real mosquitto (started on a free loopback port by this test, stopped at the
 * end): every control topic with good and bad payloads, retained commands ignored, counters.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MqttBrokerConfig } from "../../src/config/app-config.ts";
import { startHarness, type Harness } from "../../src/engine/engine-harness.test-helper.ts";
import { MqttConnections } from "../../src/integrations/mqtt/connections.ts";
import { MqttControlModule } from "../../src/integrations/mqtt/control.ts";
import { harnessContext } from "../../src/integrations/mqtt/module-context.test-helper.ts";
import {
  recorder,
  skipWithoutMosquitto,
  startMosquitto,
  waitFor,
  type Mosquitto,
  type Recorder,
} from "../../src/integrations/mqtt/mosquitto.test-helper.ts";

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

const cfg = (port: number): MqttBrokerConfig => ({
  brokerIP: "127.0.0.1",
  brokerPort: port,
  brokerTLS: false,
  brokerCAFile: null,
  topicPrefix: "TWC",
  username: null,
  password: null,
  mqttVersion: "3.1.1",
});

async function running(h: Harness, stops: number[]): Promise<MqttControlModule> {
  const ctx = harnessContext(h);
  const mod = new MqttControlModule(cfg(broker!.port), ctx, {
    connections: new MqttConnections({ logger: ctx.logger, backoffMinMs: 100 }),
    requestShutdown: () => stops.push(Date.now()),
  });
  mod.start();
  await waitFor(
    () => mod.connected && broker!.log().includes("TWC/control/+ (QoS 0)"),
    "the control subscription",
  );
  return mod;
}

async function send(name: string, payload: string, retain = false): Promise<void> {
  await pub!.client.publishAsync(`TWC/control/${name}`, payload, { qos: 0, retain });
}

test(
  "a retained command is never run; each topic with good and bad payloads",
  { skip: skipWithoutMosquitto },
  async () => {
    const h = await startHarness();
    await h.run(2000);
    const stops: number[] = [];
    await send("chargeNow", "20,600", true);
    const mod = await running(h, stops);
    await waitFor(() => mod.stats().rejected.retained === 1, "the retained command refused");
    assert.equal(h.settings.get().chargeNowAmps, 0);
    await send("chargeNow", "", true); // clears the retained message (and reaches us live: malformed)
    await waitFor(() => mod.stats().received === 2, "the clearing message");

    const received = (n: number): Promise<void> => waitFor(() => mod.stats().received >= n, `message ${n}`);
    let n = mod.stats().received;
    const step = async (name: string, payload: string): Promise<void> => {
      await send(name, payload);
      await received(++n);
    };
    await step("chargeNow", "8,3600");
    assert.equal(h.settings.get().chargeNowAmps, 8);
    assert.equal(h.engine.state.snapshot.policy.active, "Charge Now");
    await step("chargeNow", "40,3600");
    await step("chargeNow", "8;3600");
    await step("chargeNow", "8,99999999");
    assert.equal(h.settings.get().chargeNowAmps, 8, "refused ones change nothing");
    await step("chargeNowEnd", "1");
    assert.equal(h.settings.get().chargeNowAmps, 0);
    await step("nonScheduledAmpsMax", "12");
    assert.equal(h.settings.get().nonScheduledAmpsMax, 12);
    await step("nonScheduledAmpsMax", "33");
    await step("nonScheduledAmpsMax", "12A");
    assert.equal(h.settings.get().nonScheduledAmpsMax, 12);
    await step("nonScheduledAction", "3");
    assert.equal(h.settings.get().nonScheduledAction, 3);
    await step("nonScheduledAction", "0");
    await step("nonScheduledAction", "");
    assert.equal(h.settings.get().nonScheduledAction, 3);
    await step("nope", "1");
    await step("stop", "");
    assert.equal(stops.length, 1);
    const s = mod.stats();
    assert.deepEqual(s.accepted, {
      chargeNow: 1,
      chargeNowEnd: 1,
      nonScheduledAmpsMax: 1,
      nonScheduledAction: 1,
      stop: 1,
    });
    assert.deepEqual(s.rejected, { retained: 1, unknownTopic: 1, malformed: 4, outOfRange: 4, failed: 0 });
    await mod.stop();
    await h.stop();
  },
);
