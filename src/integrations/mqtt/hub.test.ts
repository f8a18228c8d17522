import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../../shared/clock.ts";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import type { ControlCounts } from "./control-counters.ts";
import { MqttHub } from "./hub.ts";

const counts = (received: number): ControlCounts => ({
  received,
  accepted: {},
  rejected: { retained: 0, unknownTopic: 0, malformed: 0, outOfRange: 0, failed: 0 },
});

test("one connection manager for every caller, created on first use with the hub's logger", async () => {
  const logger = captureLogger();
  const hub = new MqttHub({ logger, clock: new FakeClock(0) });
  assert.deepEqual(hub.states(), [], "nothing before a module asks");
  const [a, b] = await Promise.all([hub.connections(), hub.connections()]);
  assert.equal(a, b);
  assert.equal(await hub.connections(), a);
  assert.deepEqual(hub.states(), []);
});

test("reports: the tracked modules by name; a module created again replaces the old one", () => {
  const hub = new MqttHub({ logger: captureLogger(), clock: new FakeClock(0) });
  hub.track({ name: "status.MQTT", stats: () => counts(1), published: 7, deferred: 0 });
  hub.track({ name: "control.MQTT", stats: () => counts(2) });
  hub.track({ name: "control.MQTT", stats: () => counts(3) });
  assert.deepEqual(hub.reports(), [
    { module: "control.MQTT", commands: counts(3) },
    { module: "status.MQTT", commands: counts(1), published: 7, deferred: 0 },
  ]);
});
