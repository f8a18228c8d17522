import assert from "node:assert/strict";
import { test } from "node:test";
import type { MqttStatusConfig } from "../../config/app-config.ts";
import { startHarness, type Harness } from "../../engine/engine-harness.test-helper.ts";
import { MqttConnections } from "./connections.ts";
import { fakeMqtt, settle, type FakeClient } from "./fake-mqtt.test-helper.ts";
import { harnessContext } from "./module-context.test-helper.ts";
import { MqttStatusModule, SWEEP_WINDOW_MS, webInterfaceUrl } from "./status.ts";

const CFG: MqttStatusConfig = {
  brokerIP: "b",
  brokerPort: 1883,
  brokerTLS: false,
  brokerCAFile: null,
  topicPrefix: "TWC",
  username: null,
  password: null,
  mqttVersion: "3.1.1",
  ratelimit: 60,
  homeassistantDiscovery: false,
  discoveryPrefix: "homeassistant",
  deviceNamePrefix: "TWC",
  homeassistantControls: true,
  configurationUrl: null,
};

interface Setup {
  h: Harness;
  mod: MqttStatusModule;
  client: FakeClient;
}

async function setup(cfg: Partial<MqttStatusConfig> = {}): Promise<Setup> {
  const h = await startHarness();
  await h.run(2000);
  const mqtt = fakeMqtt();
  const ctx = harnessContext(h);
  const mod = new MqttStatusModule({ ...CFG, ...cfg }, ctx, {
    connections: new MqttConnections({ clock: h.clock, logger: ctx.logger, load: mqtt.load }),
    configurationUrl: "http://twc:8080/",
  });
  mod.start();
  h.clock.advance(0);
  await settle();
  const client = mqtt.clients[0]!;
  client.up();
  return { h, mod, client };
}

test("on connect: online, every topic retained; the will is offline; stop publishes offline", async () => {
  const { h, mod, client } = await setup();
  assert.deepEqual(client.options.will, {
    topic: "TWC/availability",
    payload: Buffer.from("offline"),
    qos: 0,
    retain: true,
  });
  assert.deepEqual(client.published[0], { topic: "TWC/availability", payload: "online", retain: true });
  const topics = new Set(client.published.map((p) => p.topic));
  for (const t of [
    "TWC/4142/ampsMax",
    "TWC/4142/ampsInUse",
    "TWC/4142/state",
    "TWC/4142/carsCharging",
    "TWC/4142/chargerLoadInW",
    "TWC/4142/voltagePhaseA",
    "TWC/4142/currentVehicleVIN",
    "TWC/all/totalAmpsInUse",
    "TWC/all/maxAmpsForSlaves",
    "TWC/all/currentPolicy",
    "TWC/config/minAmpsPerTWC",
  ]) {
    assert.ok(topics.has(t), t);
  }
  assert.ok(client.published.every((p) => p.retain));
  assert.ok(!topics.has("TWC/all/policyDetails"), "the policy details belong to discovery");
  await mod.stop();
  assert.deepEqual(client.published.at(-1), { topic: "TWC/availability", payload: "offline", retain: true });
  await h.stop();
});

test("rate limit on the fake clock: deferred, nothing lost; carsCharging and currentPolicy bypass", async () => {
  const { h, mod, client } = await setup();
  client.published.splice(0);
  h.commands.chargeNow(16, 3600);
  assert.deepEqual(client.on_("TWC/all/currentPolicy"), ["Charge Now"], "policy change bypasses at once");
  await h.run(20_000);
  assert.deepEqual(client.on_("TWC/4142/carsCharging"), ["1"], "carsCharging transition bypasses");
  const offered = client.on_("TWC/4142/ampsOffered");
  assert.ok(offered.length <= 1, `ampsOffered within the window: ${offered.join(",")}`);
  assert.ok(mod.deferred > 0, "later changes wait for the window");
  await h.run(60_000);
  const snap = h.engine.state.snapshot.chargers[0]!;
  assert.equal(
    client.last("TWC/4142/ampsOffered"),
    String(snap.ampsOffered),
    "the latest value arrives when the window ends",
  );
  assert.equal(client.last("TWC/4142/ampsInUse"), String(snap.reportedAmpsActual));
  h.commands.cancelChargeNow();
  await h.run(30_000);
  const zeroAt = client.published.findIndex((p) => p.topic === "TWC/4142/carsCharging" && p.payload === "0");
  assert.ok(zeroAt >= 0, "carsCharging 1→0 at once");
  assert.ok(
    client.published
      .slice(zeroAt - 1, zeroAt + 2)
      .some((p) => p.topic === "TWC/4142/ampsInUse" && p.payload === "0"),
    "ampsInUse 0 with it",
  );
  await mod.stop();
  await h.stop();
});

test("nothing is queued while disconnected; everything again on reconnect", async () => {
  const { h, mod, client } = await setup();
  client.down();
  const n = client.published.length;
  h.commands.chargeNow(16, 3600);
  await h.run(5000);
  assert.equal(client.published.length, n);
  await h.run(1000);
  client.up();
  assert.deepEqual(client.published[n], { topic: "TWC/availability", payload: "online", retain: true });
  assert.equal(client.last("TWC/all/currentPolicy"), "Charge Now");
  assert.equal(
    client.last("TWC/4142/carsCharging"),
    String(h.engine.state.snapshot.chargers[0]!.charging ? 1 : 0),
  );
  await mod.stop();
  await h.stop();
});

test("discovery: configs on connect and for a new charger; again on homeassistant/status online; cleared when it goes", async () => {
  const { h, mod, client } = await setup({ homeassistantDiscovery: true });
  const cfgTopic = "homeassistant/sensor/TWC_4142/4142_amps_in_use/config";
  const doc = JSON.parse(client.last(cfgTopic)!) as { device: Record<string, unknown> };
  assert.equal(doc.device.via_device, "twcmanager_TWC_controller");
  const ctl = JSON.parse(client.last("homeassistant/sensor/TWC_all/all_current_policy/config")!) as {
    device: Record<string, unknown>;
  };
  assert.equal(ctl.device.sw_version, "test");
  assert.equal(ctl.device.configuration_url, "http://twc:8080/");
  const controllerAt = client.published.findIndex((p) => p.topic.includes("TWC_all"));
  const chargerAt = client.published.findIndex((p) => p.topic === cfgTopic);
  assert.ok(controllerAt < chargerAt, "the via_device target first");
  assert.ok(client.last("TWC/all/policyDetails") !== undefined);
  assert.equal(client.last("TWC/ha/nonScheduledAction"), "Charge at non-scheduled amps");
  assert.ok(client.subscriptions.has("homeassistant/status"));
  assert.ok(client.subscriptions.has("TWC/ha/+/set"));

  client.published.splice(0);
  client.deliver("homeassistant/status", "online", true);
  assert.equal(
    client.published.length,
    0,
    "a retained birth message right after our connect is not a restart",
  );
  client.deliver("homeassistant/status", "online");
  assert.ok(
    client.published.some((p) => p.topic === cfgTopic),
    "configs again",
  );
  assert.ok(
    client.published.some((p) => p.topic === "TWC/4142/ampsMax"),
    "states again",
  );

  h.commands.chargeNow(16, 3600);
  await h.run(20_000);
  assert.equal(client.last("TWC/4142/carsCharging"), "1");
  client.published.splice(0);
  h.sim.removeSlave("4142");
  await h.run(40_000);
  assert.equal(h.engine.state.snapshot.chargers.length, 0);
  assert.equal(client.last(cfgTopic), "", "retained config cleared");
  assert.equal(client.last("TWC/4142/carsCharging"), "0");
  assert.equal(client.last("TWC/4142/ampsInUse"), "0");
  await mod.stop();
  await h.stop();
});

test("Home Assistant controls go through the commands facade; bad ones are counted", async () => {
  const { h, mod, client } = await setup({ homeassistantDiscovery: true });
  client.deliver("TWC/ha/chargeNowAmps/set", "12");
  assert.equal(client.last("TWC/ha/chargeNowAmps"), "12");
  client.deliver("TWC/ha/chargeNowDuration/set", "2.5");
  assert.equal(client.last("TWC/ha/chargeNowDuration"), "2.5");
  client.deliver("TWC/ha/chargeNowStart/set", "PRESS");
  assert.equal(h.engine.state.snapshot.chargeNow.amps, 12);
  assert.equal(h.settings.get().chargeNowTimeEnd, h.clock.now() / 1000 + 9000);
  client.deliver("TWC/ha/chargeNowAmps/set", "20");
  assert.equal(h.engine.state.snapshot.chargeNow.amps, 20, "a running Charge Now follows the amps");
  client.deliver("TWC/ha/chargeNowCancel/set", "PRESS");
  assert.equal(h.engine.state.snapshot.chargeNow.active, false);
  client.deliver("TWC/ha/nonScheduledAction/set", "Do not charge");
  assert.equal(h.settings.get().nonScheduledAction, 2);
  assert.equal(client.last("TWC/ha/nonScheduledAction"), "Do not charge");
  client.deliver("TWC/ha/nonScheduledAmpsMax/set", "8");
  assert.equal(h.settings.get().nonScheduledAmpsMax, 8);
  client.deliver("TWC/ha/stopCharging/set", "PRESS");
  client.deliver("TWC/ha/startCharging/set", "PRESS");
  client.deliver("TWC/ha/chargeNowAmps/set", "99");
  client.deliver("TWC/ha/nonScheduledAction/set", "Sometimes");
  client.deliver("TWC/ha/chargeNowStart/set", "PRESS", true);
  client.deliver("TWC/ha/other/set", "1");
  const s = mod.stats();
  assert.deepEqual(s.accepted, {
    chargeNowAmps: 2,
    chargeNowDuration: 1,
    chargeNowStart: 1,
    chargeNowCancel: 1,
    nonScheduledAction: 1,
    nonScheduledAmpsMax: 1,
    stopCharging: 1,
    startCharging: 1,
  });
  assert.deepEqual(s.rejected, { retained: 1, unknownTopic: 1, malformed: 1, outOfRange: 1, failed: 0 });
  await mod.stop();
  await h.stop();
});

test("discovery off: retained configs of ours found after connect are cleared, others are left alone", async () => {
  const { h, mod, client } = await setup();
  assert.ok(client.subscriptions.has("homeassistant/+/+/+/config"));
  client.published.splice(0);
  client.deliver(
    "homeassistant/sensor/TWC_4142/4142_state/config",
    JSON.stringify({ unique_id: "twcmanager_TWC_4142_state" }),
    true,
  );
  client.deliver(
    "homeassistant/sensor/TWC_all/all_current_policy/config",
    JSON.stringify({ unique_id: "twcmanager_TWC_all_current_policy" }),
    true,
  );
  client.deliver(
    "homeassistant/sensor/kitchen/temp/config",
    JSON.stringify({ unique_id: "kitchen_temp" }),
    true,
  );
  assert.deepEqual(client.published, [
    { topic: "homeassistant/sensor/TWC_4142/4142_state/config", payload: "", retain: true },
    { topic: "homeassistant/sensor/TWC_all/all_current_policy/config", payload: "", retain: true },
  ]);
  h.clock.advance(SWEEP_WINDOW_MS);
  assert.ok(!client.subscriptions.has("homeassistant/+/+/+/config"), "the sweep ends");
  await mod.stop();
  await h.stop();
});

test("the web interface URL from control.HTTP", () => {
  assert.equal(webInterfaceUrl(null, "h"), null);
  assert.equal(webInterfaceUrl({ listenPort: 8080, tls: null }, "twc.local"), "http://twc.local:8080/");
  assert.equal(webInterfaceUrl({ listenPort: 8443, tls: {} }, "::1"), "https://[::1]:8443/");
});

test("a charger's own start/stop buttons: discovered with controls, commands reach that charger; published is counted", async () => {
  const { h, mod, client } = await setup({ homeassistantDiscovery: true });
  assert.ok(client.subscriptions.has("TWC/ha/+/+/set"));
  const cfg = client.last("homeassistant/button/TWC_4142/4142_start_charging/config");
  assert.equal((JSON.parse(cfg ?? "{}") as { command_topic?: string }).command_topic, "TWC/ha/4142/startCharging/set");
  assert.ok(mod.published >= client.published.length, "every message the broker took is counted");
  const stops = (): number => h.sim.receivedFrames.filter((f) => f.kind === "stopCharging").length;
  const before = stops();
  client.deliver("TWC/ha/4142/stopCharging/set", "PRESS");
  client.deliver("TWC/ha/9999/stopCharging/set", "PRESS");
  await h.run(3000);
  assert.equal(stops() - before, 1);
  assert.deepEqual(mod.stats().accepted, { stopCharging: 1 });
  assert.equal(mod.stats().rejected.failed, 1, "a charger that is not linked is refused by the facade");
  await mod.stop();
  await h.stop();
});
