import assert from "node:assert/strict";
import { test } from "node:test";
import type { MqttBrokerConfig } from "../../config/app-config.ts";
import { startHarness } from "../../engine/engine-harness.test-helper.ts";
import { MqttConnections } from "./connections.ts";
import { MqttControlModule } from "./control.ts";
import { fakeMqtt, settle } from "./fake-mqtt.test-helper.ts";
import { harnessContext } from "./module-context.test-helper.ts";

const CFG: MqttBrokerConfig = {
  brokerIP: "b",
  brokerPort: 1883,
  brokerTLS: false,
  brokerCAFile: null,
  topicPrefix: "TWC",
  username: null,
  password: null,
  mqttVersion: "3.1.1",
};

async function setup(): Promise<{
  h: Awaited<ReturnType<typeof startHarness>>;
  mod: MqttControlModule;
  send: (name: string, payload: string, retain?: boolean) => void;
  stops: number[];
  ctx: ReturnType<typeof harnessContext>;
}> {
  const h = await startHarness();
  await h.run(2000);
  const mqtt = fakeMqtt();
  const ctx = harnessContext(h);
  const stops: number[] = [];
  const mod = new MqttControlModule(CFG, ctx, {
    connections: new MqttConnections({ clock: h.clock, logger: ctx.logger, load: mqtt.load }),
    requestShutdown: () => stops.push(1),
  });
  mod.start();
  h.clock.advance(0);
  await settle();
  const client = mqtt.clients[0]!;
  client.up();
  assert.deepEqual([...client.subscriptions], ["TWC/control/+"]);
  return {
    h,
    mod,
    stops,
    ctx,
    send: (name, payload, retain = false) => client.deliver(`TWC/control/${name}`, payload, retain),
  };
}

test("every control topic with a good payload acts through the commands facade", async () => {
  const { h, mod, send, stops } = await setup();
  send("chargeNow", " 16 , 3600");
  assert.equal(h.engine.state.snapshot.policy.active, "Charge Now", "evaluated at once");
  assert.equal(h.settings.get().chargeNowAmps, 16);
  send("chargeNowEnd", "");
  assert.equal(h.settings.get().chargeNowAmps, 0);
  assert.notEqual(h.engine.state.snapshot.policy.active, "Charge Now");
  send("nonScheduledAmpsMax", "10");
  assert.equal(h.settings.get().nonScheduledAmpsMax, 10);
  send("nonScheduledAction", "2");
  assert.equal(h.settings.get().nonScheduledAction, 2);
  send("stop", "now");
  assert.deepEqual(stops, [1]);
  assert.deepEqual(mod.stats(), {
    received: 5,
    accepted: { chargeNow: 1, chargeNowEnd: 1, nonScheduledAmpsMax: 1, nonScheduledAction: 1, stop: 1 },
    rejected: { retained: 0, unknownTopic: 0, malformed: 0, outOfRange: 0, failed: 0 },
  });
  await mod.stop();
  await h.stop();
});

test("bad payloads, unknown topics and retained messages are logged with the reason, counted and change nothing", async () => {
  const { h, mod, send, stops, ctx } = await setup();
  const before = JSON.stringify(h.settings.get());
  send("chargeNow", "16");
  send("chargeNow", "33,3600");
  send("chargeNow", "16,0");
  send("nonScheduledAmpsMax", "abc");
  send("nonScheduledAmpsMax", "40");
  send("nonScheduledAction", "4");
  send("chargeLater", "1");
  send("chargeNow", "16,3600", true);
  send("stop", "", true);
  send("chargeNow", "x".repeat(2000));
  assert.equal(JSON.stringify(h.settings.get()), before);
  assert.deepEqual(stops, []);
  assert.deepEqual(mod.stats().rejected, {
    retained: 2,
    unknownTopic: 1,
    malformed: 3,
    outOfRange: 4,
    failed: 0,
  });
  assert.equal(mod.stats().received, 10);
  const warnings = ctx.logger.records.filter((r) => r.level === "warn").map((r) => r.msg ?? "");
  assert.equal(warnings.length, 10);
  assert.match(
    warnings[1]!,
    /TWC\/control\/chargeNow ignored: chargeNow amps must be between 1 and 32 \(found 33\)/,
  );
  assert.match(warnings[7]!, /retained control messages are ignored/);
  await mod.stop();
  await h.stop();
});

test("stop without a shutdown hook is a counted failure, not a crash", async () => {
  const h = await startHarness();
  const mqtt = fakeMqtt();
  const ctx = harnessContext(h);
  const mod = new MqttControlModule(CFG, ctx, {
    connections: new MqttConnections({ clock: h.clock, logger: ctx.logger, load: mqtt.load }),
  });
  mod.start();
  h.clock.advance(0);
  await settle();
  mqtt.clients[0]!.up();
  mqtt.clients[0]!.deliver("TWC/control/stop", "");
  assert.equal(mod.stats().rejected.failed, 1);
  await mod.stop();
  await h.stop();
});
