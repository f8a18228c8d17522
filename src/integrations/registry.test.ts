import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfigText } from "../config/load.ts";
import { DemoEnergySource } from "../energy/demo-source.ts";
import { startHarness, type Harness } from "../engine/engine-harness.test-helper.ts";
import { captureLogger } from "../shared/capture-logger.test-helper.ts";
import type { EnergyMeter } from "./capabilities.ts";
import { moduleContext } from "./context.ts";
import { ModuleHost } from "./host.ts";
import type { Module } from "./module.ts";
import { MqttHub } from "./mqtt/hub.ts";
import { createModules, line, type RegistryDeps, type RegistryLine } from "./registry.ts";

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A config.json with the Dummy interface plus `extra` sections. */
function config(extra: Record<string, unknown> = {}) {
  return loadConfigText(
    JSON.stringify({
      config: { settingsPath: "/tmp/twcm-registry-test", wiringMaxAmpsAllTWCs: 32, minAmpsPerTWC: 6 },
      interface: { Dummy: { enabled: true } },
      ...extra,
    }),
  ).config;
}

const history: Module = { name: "history", start: () => undefined, stop: () => undefined };

/** Registry deps over a harness engine; `meters` collects what the registry announces. */
function deps(h: Harness, cfg: ReturnType<typeof config>, host: ModuleHost, demo: RegistryDeps["demo"] = false) {
  const meters: EnergyMeter[] = [];
  const logger = captureLogger();
  const d: RegistryDeps = {
    config: cfg,
    context: (name) =>
      moduleContext(name, { clock: h.clock, logger, state: h.engine.state, commands: h.commands, fail: (n, err) => host.fail(n, err) }),
    history,
    meters: { add: (m) => meters.push(m) },
    energyLogger: logger,
    demo,
    mqtt: new MqttHub({ logger, clock: h.clock }),
  };
  return { d, meters, logger };
}

function newHost(h: Harness): ModuleHost {
  return new ModuleHost({ clock: h.clock, logger: captureLogger(), alert: () => undefined });
}

void test("a config with no source creates the history recorder only", async () => {
  const h = await startHarness();
  try {
    const { d, meters } = deps(h, config(), newHost(h));
    const modules = await createModules(d);
    assert.deepEqual(modules.map((m) => m.name), ["history"]);
    assert.equal(modules[0], history);
    assert.deepEqual(meters, []);
  } finally {
    await h.stop();
  }
});

void test("createModules instantiates enabled sections only, plus the demo source, in the poller's order", async () => {
  const h = await startHarness();
  try {
    const cfg = config({
      sources: {
        URL: { enabled: true, url: "http://127.0.0.1:1/x", generationItem: "g" },
        HASS: { enabled: false, serverIP: "127.0.0.1", apiKey: "k" },
        MQTT: { enabled: true, brokerIP: "127.0.0.1", generationTopic: "g" },
      },
    });
    const { d, meters } = deps(h, cfg, newHost(h), { timeOffsetHours: 0 });
    const modules = await createModules(d);
    assert.deepEqual(modules.map((m) => m.name), ["history", "sources.URL", "sources.MQTT", "demo"]);
    assert.deepEqual(
      meters.map((s) => s.name),
      ["URL", "MQTT", "Demo"],
    );
    assert.ok(meters[2] instanceof DemoEnergySource);
  } finally {
    await h.stop();
  }
});

void test("HASS creates its source; demo true gives the default sunny day", async () => {
  const h = await startHarness();
  try {
    const cfg = config({ sources: { HASS: { enabled: true, serverIP: "127.0.0.1", apiKey: "k", hassEntityGeneration: "sensor.pv" } } });
    const { d, meters } = deps(h, cfg, newHost(h), true);
    const modules = await createModules(d);
    assert.deepEqual(modules.map((m) => m.name), ["history", "sources.HASS", "demo"]);
    assert.deepEqual(meters.map((m) => m.name), ["HASS", "Demo"]);
  } finally {
    await h.stop();
  }
});

void test("a line whose section is not configured is never created (its files are not loaded)", async () => {
  const h = await startHarness();
  try {
    let loaded = 0;
    const lines: RegistryLine[] = [
      line("never", () => null, () => {
        loaded++;
        return Promise.resolve(history);
      }),
    ];
    const { d } = deps(h, config(), newHost(h));
    assert.deepEqual(await createModules(d, lines), []);
    assert.equal(loaded, 0);
  } finally {
    await h.stop();
  }
});

void test("a module whose creation fails is stood in for, and created at a later restart by the host", async () => {
  const h = await startHarness();
  try {
    const host = newHost(h);
    let attempts = 0;
    let started = 0;
    const lines: RegistryLine[] = [
      line("flaky", () => ({}), () => {
        attempts++;
        if (attempts < 3) return Promise.reject(new Error("cannot load"));
        return Promise.resolve({ name: "flaky", start: () => void started++, stop: () => undefined });
      }),
    ];
    const { d, logger } = deps(h, config(), host);
    const modules = await createModules(d, lines);
    assert.deepEqual(modules.map((m) => m.name), ["flaky"]);
    assert.equal(attempts, 1);
    assert.ok(logger.records.some((r) => r.obj.code === "MODULE_FAILED"));
    await host.start(modules);
    assert.equal(attempts, 2);
    assert.equal(host.status()[0]?.state, "failed");
    assert.equal(host.status()[0]?.lastError, "cannot load");
    h.clock.advance(1000);
    await flush();
    await flush();
    assert.equal(attempts, 3);
    assert.equal(started, 1);
    assert.equal(host.status()[0]?.state, "running");
    await host.stop();
  } finally {
    await h.stop();
  }
});

void test("every MQTT module gets the one connection manager of the deps: one shared connection, counters reported", async () => {
  const h = await startHarness();
  try {
    const broker = { enabled: true, brokerIP: "127.0.0.1", brokerPort: 1 };
    const cfg = config({
      sources: { MQTT: { ...broker, generationTopic: "g" } },
      control: { MQTT: { ...broker, topicPrefix: "TWC" } },
      status: { MQTT: { ...broker, topicPrefix: "TWC" } },
    });
    const { d } = deps(h, cfg, newHost(h));
    const modules = await createModules(d);
    assert.deepEqual(modules.map((m) => m.name), ["history", "sources.MQTT", "control.MQTT", "status.MQTT"]);
    for (const m of modules) await m.start();
    const states = d.mqtt.states();
    assert.equal(states.length, 1, "one connection for the three modules");
    assert.deepEqual(states[0]?.users, ["control.MQTT", "sources.MQTT", "status.MQTT"]);
    assert.deepEqual(d.mqtt.reports().map((r) => r.module), ["control.MQTT", "status.MQTT"]);
    for (const m of modules.reverse()) await m.stop();
    assert.deepEqual(d.mqtt.states(), []);
  } finally {
    await h.stop();
  }
});

void test("an enabled catalogue source becomes a meter module from its descriptor line (issue 11)", async () => {
  const h = await startHarness();
  try {
    const cfg = config({ sources: { Fronius: { enabled: true, serverIP: "192.0.2.9" }, Powerwall2: { enabled: false, serverIP: "x" } } });
    const { d, meters } = deps(h, cfg, newHost(h));
    const modules = await createModules(d);
    assert.deepEqual(modules.map((m) => m.name), ["history", "sources.Fronius"]);
    assert.deepEqual(meters.map((m) => m.name), ["Fronius"]);
  } finally {
    await h.stop();
  }
});
