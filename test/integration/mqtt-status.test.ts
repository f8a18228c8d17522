/**
 * MQTT status and Home Assistant discovery against a real mosquitto (started on a free loopback port by
 * this test, stopped at the end), with a linked simulated charger from the engine harness: every status
 * topic retained, discovery configs, republish after a broker restart and after `homeassistant/status`
 * `online`, the last will when the connection is lost, a Home Assistant command.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MqttStatusConfig } from "../../src/config/app-config.ts";
import { startHarness } from "../../src/engine/engine-harness.test-helper.ts";
import { MqttConnections } from "../../src/integrations/mqtt/connections.ts";
import { harnessContext } from "../../src/integrations/mqtt/module-context.test-helper.ts";
import {
  recorder,
  skipWithoutMosquitto,
  startCutProxy,
  startMosquitto,
  waitFor,
  type Mosquitto,
} from "../../src/integrations/mqtt/mosquitto.test-helper.ts";
import { MqttStatusModule } from "../../src/integrations/mqtt/status.ts";

let broker: Mosquitto | null = null;

before(async () => {
  if (skipWithoutMosquitto) return;
  broker = await startMosquitto();
});

after(async () => {
  await broker?.dispose();
});

const cfg = (port: number): MqttStatusConfig => ({
  brokerIP: "127.0.0.1",
  brokerPort: port,
  brokerTLS: false,
  brokerCAFile: null,
  topicPrefix: "TWC",
  username: null,
  password: null,
  mqttVersion: "3.1.1",
  ratelimit: 60,
  homeassistantDiscovery: true,
  discoveryPrefix: "homeassistant",
  deviceNamePrefix: "TWC",
  homeassistantControls: true,
  configurationUrl: "http://twc.test:8080/",
});

const STATUS_TOPICS = [
  "TWC/4142/ampsMax",
  "TWC/4142/ampsInUse",
  "TWC/4142/state",
  "TWC/4142/ampsOffered",
  "TWC/4142/ampsDesired",
  "TWC/4142/carsCharging",
  "TWC/4142/chargerLoadInW",
  "TWC/4142/lifetimekWh",
  "TWC/4142/voltagePhaseA",
  "TWC/4142/voltagePhaseB",
  "TWC/4142/voltagePhaseC",
  "TWC/4142/currentVehicleVIN",
  "TWC/4142/lastVehicleVIN",
  "TWC/all/totalAmpsInUse",
  "TWC/all/maxAmpsForSlaves",
  "TWC/all/currentPolicy",
  "TWC/config/minAmpsPerTWC",
  "TWC/availability",
];
/** What a late subscriber finds: everything but the empty VINs (an empty retained message clears a topic). */
const RETAINED = STATUS_TOPICS.filter((t) => !t.endsWith("VIN"));

test(
  "every topic retained, discovery for the linked charger, republish after a broker restart and HA online",
  { skip: skipWithoutMosquitto },
  async () => {
    const h = await startHarness();
    await h.run(2000);
    h.commands.chargeNow(16, 3600);
    await h.run(20_000);
    const ctx = harnessContext(h);
    const mod = new MqttStatusModule(cfg(broker!.port), ctx, {
      connections: new MqttConnections({ logger: ctx.logger, backoffMinMs: 100 }),
    });
    mod.start();
    await waitFor(() => mod.connected, "connected");
    // A late subscriber gets everything retained.
    const late = await recorder(broker!.url, ["TWC/#", "homeassistant/#"]);
    await waitFor(() => RETAINED.every((t) => late.last(t) !== undefined), "every status topic");
    assert.ok(late.messages.filter((m) => STATUS_TOPICS.includes(m.topic)).every((m) => m.retain));
    assert.equal(
      late.last("TWC/4142/currentVehicleVIN"),
      undefined,
      "an empty retained payload (no VIN) deletes the retained value",
    );
    assert.equal(late.last("TWC/availability"), "online");
    assert.equal(late.last("TWC/4142/carsCharging"), "1");
    assert.equal(late.last("TWC/all/currentPolicy"), "Charge Now");
    const cfgDoc = JSON.parse(late.last("homeassistant/sensor/TWC_4142/4142_amps_in_use/config")!) as Record<
      string,
      unknown
    >;
    assert.equal(cfgDoc.state_topic, "TWC/4142/ampsInUse");
    assert.equal(cfgDoc.unique_id, "twcmanager_TWC_4142_amps_in_use");
    for (const t of [
      "homeassistant/number/TWC_controller/controller_charge_now_amps/config",
      "homeassistant/button/TWC_controller/controller_charge_now_cancel/config",
      "homeassistant/select/TWC_controller/controller_non_scheduled_action/config",
      "homeassistant/sensor/TWC_all/all_current_policy/config",
    ]) {
      assert.ok(late.last(t) !== undefined, t);
    }
    await late.close();

    // Home Assistant restarted: its birth message brings everything again.
    const watch = await recorder(broker!.url, ["TWC/#", "homeassistant/sensor/#"]);
    watch.clear();
    await watch.client.publishAsync("homeassistant/status", "online");
    await waitFor(
      () =>
        watch.last("homeassistant/sensor/TWC_4142/4142_state/config") !== undefined &&
        watch.last("TWC/4142/ampsMax") !== undefined,
      "republish on online",
    );
    await waitFor(
      () => watch.last("TWC/4142/currentVehicleVIN") === "" && watch.last("TWC/4142/lastVehicleVIN") === "",
      "the VIN topics, live",
    );
    // A Home Assistant command comes back through the facade.
    await watch.client.publishAsync("TWC/ha/chargeNowCancel/set", "PRESS");
    await waitFor(
      () => !h.engine.state.snapshot.chargeNow.active,
      "Charge Now cancelled from Home Assistant",
    );
    await watch.close();

    // The broker restarts without persistence: every retained value is gone until we publish again.
    await broker!.stop();
    await waitFor(() => !mod.connected, "the loss noticed");
    await broker!.start();
    await waitFor(() => mod.connected, "reconnected", 20_000);
    const again = await recorder(broker!.url, ["TWC/#", "homeassistant/#"]);
    await waitFor(
      () =>
        RETAINED.every((t) => again.last(t) !== undefined) &&
        again.last("homeassistant/sensor/TWC_4142/4142_state/config") !== undefined,
      "everything after the restart",
    );
    assert.equal(again.last("TWC/availability"), "online");
    await again.close();
    await mod.stop();
    const end = await recorder(broker!.url, ["TWC/availability"]);
    await waitFor(() => end.last("TWC/availability") === "offline", "offline at stop");
    await end.close();
    await h.stop();
  },
);

test(
  "the last will: a connection lost without goodbye leaves availability offline, then online again",
  { skip: skipWithoutMosquitto },
  async () => {
    const proxy = await startCutProxy(broker!.port);
    const h = await startHarness();
    const ctx = harnessContext(h);
    const mod = new MqttStatusModule({ ...cfg(proxy.port), homeassistantDiscovery: false }, ctx, {
      connections: new MqttConnections({ logger: ctx.logger, backoffMinMs: 100 }),
    });
    mod.start();
    await waitFor(() => mod.connected, "connected");
    const watch = await recorder(broker!.url, ["TWC/availability"]);
    await waitFor(() => watch.last("TWC/availability") === "online", "online");
    proxy.cutAll();
    await waitFor(() => watch.on("TWC/availability").includes("offline"), "the will");
    await waitFor(() => watch.last("TWC/availability") === "online", "online after the reconnect", 20_000);
    await watch.close();
    await mod.stop();
    await proxy.close();
    await h.stop();
  },
);
