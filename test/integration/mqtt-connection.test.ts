/**
 * The shared MQTT connection manager against a real mosquitto (started by this test on free loopback
 * ports, stopped at the end): TLS with a test-made CA, three modules on one connection, a broker killed
 * mid-run and one that is down at start.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { MqttBrokerConfig, MqttStatusConfig } from "../../src/config/app-config.ts";
import { startHarness } from "../../src/engine/engine-harness.test-helper.ts";
import { MqttEnergySource } from "../../src/energy/mqtt-source.ts";
import { brokerSettings } from "../../src/integrations/mqtt/broker.ts";
import { MqttConnections } from "../../src/integrations/mqtt/connections.ts";
import { MqttControlModule } from "../../src/integrations/mqtt/control.ts";
import { harnessContext } from "../../src/integrations/mqtt/module-context.test-helper.ts";
import {
  freePort,
  makeTestCerts,
  recorder,
  skipWithoutMosquitto,
  startMosquitto,
  waitFor,
} from "../../src/integrations/mqtt/mosquitto.test-helper.ts";
import { MqttStatusModule } from "../../src/integrations/mqtt/status.ts";
import { captureLogger } from "../../src/shared/capture-logger.test-helper.ts";
import { systemClock } from "../../src/shared/clock.ts";

const base = (port: number): MqttBrokerConfig => ({
  brokerIP: "127.0.0.1",
  brokerPort: port,
  brokerTLS: false,
  brokerCAFile: null,
  topicPrefix: "TWC",
  username: null,
  password: null,
  mqttVersion: "3.1.1",
});
const status = (port: number): MqttStatusConfig => ({
  ...base(port),
  ratelimit: 0,
  homeassistantDiscovery: false,
  discoveryPrefix: "homeassistant",
  deviceNamePrefix: "TWC",
  homeassistantControls: true,
  configurationUrl: null,
});

test(
  "TLS to mosquitto with a test-made CA (brokerCAFile); an unknown CA is refused",
  { skip: skipWithoutMosquitto },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "twc-mqtt-tls-"));
    const certs = makeTestCerts(dir);
    const broker = await startMosquitto({ tls: certs, dir });
    const logger = captureLogger();
    const conns = new MqttConnections({ logger, backoffMinMs: 100 });
    const got: string[] = [];
    const lease = conns.acquire({
      owner: "t",
      broker: brokerSettings({
        brokerIP: "127.0.0.1",
        brokerPort: broker.port,
        brokerTLS: true,
        brokerCAFile: certs.caFile,
        mqttVersion: "5",
      }),
      handlers: { onMessage: (t, p) => got.push(`${t}=${p.toString()}`) },
    });
    lease.subscribe(["tls/test"]);
    await waitFor(() => lease.connected, "a TLS connection");
    assert.equal(conns.states()[0]!.broker, `mqtts://127.0.0.1:${broker.port}`);
    const pub = await recorder(broker.url, [], { ca: [readFileSync(certs.caFile)] });
    await pub.client.publishAsync("tls/test", "hello");
    await waitFor(() => got.includes("tls/test=hello"), "a message over TLS");
    await pub.close();
    await lease.release();
    // Without the CA (system CAs only) the self-made certificate is not trusted.
    const refused = conns.acquire({
      owner: "u",
      broker: brokerSettings({ brokerIP: "127.0.0.1", brokerPort: broker.port, brokerTLS: true }),
      handlers: {},
    });
    await waitFor(() => (conns.states()[0]?.lastError ?? "") !== "", "the certificate error");
    assert.match(conns.states()[0]!.lastError!, /certificate|self.signed|issuer/i);
    assert.equal(refused.connected, false);
    await refused.release();
    await broker.dispose();
    rmSync(dir, { recursive: true, force: true });
  },
);

test(
  "control, status and sources.MQTT (upstream key names) share one connection; a broker killed mid-run and restarted",
  { skip: skipWithoutMosquitto },
  async () => {
    const broker = await startMosquitto();
    const h = await startHarness({ withSource: false });
    await h.run(2000);
    const ctx = harnessContext(h);
    const conns = new MqttConnections({ logger: ctx.logger, backoffMinMs: 100 });
    const control = new MqttControlModule(base(broker.port), ctx, { connections: conns });
    const stat = new MqttStatusModule(status(broker.port), ctx, { connections: conns });
    const source = new MqttEnergySource(
      {
        brokerIP: "127.0.0.1",
        brokerPort: broker.port,
        topicGeneration: "solar/w",
        topicConsumption: "house/w",
      },
      { clock: systemClock, logger: ctx.logger, connections: conns },
    );
    control.start();
    stat.start();
    source.start();
    await waitFor(() => control.connected && stat.connected, "connected");
    assert.equal(conns.size, 1);
    assert.deepEqual(conns.states()[0]!.users, ["control.MQTT", "sources.MQTT", "status.MQTT"]);
    assert.equal(
      broker.log().split("New client connected").length - 1,
      1,
      "one client connection on the broker",
    );
    const pub = await recorder(broker.url, ["TWC/all/currentPolicy"]);
    await pub.client.publishAsync("solar/w", "2500");
    await pub.client.publishAsync("house/w", "1.2kW");
    await waitFor(() => source.latest() !== null, "an energy reading over the shared connection");
    assert.deepEqual([source.latest()!.generationW, source.latest()!.consumptionW], [2500, 1200]);
    await pub.client.publishAsync("TWC/control/chargeNow", "10,600");
    await waitFor(
      () => pub.last("TWC/all/currentPolicy") === "Charge Now",
      "control → engine → status on one connection",
    );
    await pub.close();

    await broker.kill();
    await waitFor(() => !conns.states()[0]!.connected, "the kill noticed");
    assert.equal(control.connected, false);
    assert.notEqual(source.lastError(), null);
    h.commands.cancelChargeNow(); // state changes while the broker is away are not queued
    await broker.start();
    await waitFor(() => conns.states()[0]!.connected, "reconnected by itself", 20_000);
    const after = await recorder(broker.url, ["TWC/all/currentPolicy"]);
    await waitFor(
      () => after.last("TWC/all/currentPolicy") === "Non Scheduled Charging",
      "the current state published again",
    );
    await after.client.publishAsync("TWC/control/chargeNow", "11,600");
    await waitFor(() => h.settings.get().chargeNowAmps === 11, "control works again (resubscribed)");
    await after.close();
    await Promise.all([control.stop(), stat.stop(), source.stop()]);
    assert.equal(conns.size, 0);
    await h.stop();
    await broker.dispose();
  },
);

test(
  "a broker that is down at start delays nothing; it connects once the broker is up",
  { skip: skipWithoutMosquitto },
  async () => {
    const port = await freePort();
    const h = await startHarness();
    const ctx = harnessContext(h);
    const conns = new MqttConnections({ logger: ctx.logger, backoffMinMs: 100 });
    const mod = new MqttStatusModule(status(port), ctx, { connections: conns });
    const t0 = performance.now();
    mod.start();
    assert.ok(performance.now() - t0 < 1000, "start returns at once");
    await waitFor(() => (conns.states()[0]?.lastError ?? null) !== null, "the connection error kept");
    assert.match(conns.states()[0]!.lastError!, /ECONNREFUSED/);
    await h.run(1000); // the engine runs on meanwhile
    assert.equal(h.engine.state.snapshot.chargers.length, 1);
    await mod.stop();
    await h.stop();
  },
);
