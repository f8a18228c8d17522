/**
 * The MQTT part of the state document (issue 10 item 4): the engine reads its MQTT input on every
 * refresh, so a connection that comes up or goes down reaches `/api/v2/state` (and the SSE patches)
 * although nothing else changed, and an unchanged one rebuilds nothing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startHarness } from "./engine-harness.test-helper.ts";
import type { MqttInput } from "./state-projection.ts";

test("an MQTT connection going up and down reaches the document on the next refresh; unchanged, nothing is rebuilt", async () => {
  let connected = false;
  const mqtt = (): MqttInput => ({
    connections: [
      {
        broker: "mqtt://127.0.0.1:1883",
        version: "3.1.1",
        connected,
        connectedSinceMs: connected ? Date.UTC(2026, 10, 23, 12, 0, 30) : null,
        lastError: connected ? null : "connect ECONNREFUSED 127.0.0.1:1883",
        users: ["control.MQTT", "status.MQTT"],
        connects: connected ? 1 : 0,
      },
    ],
    controlTopicPrefix: "TWC",
    statusTopicPrefix: "TWC",
    homeAssistantControls: true,
  });
  const h = await startHarness({ startMs: Date.UTC(2026, 10, 23, 12, 0, 5), slaves: [], policyCheckIntervalS: 3600, mqtt });
  try {
    await h.run(3000);
    const doc = h.engine.state.snapshot;
    assert.equal(doc.mqtt.connections[0]?.connected, false);
    assert.equal(doc.mqtt.connections[0]?.lastError, "connect ECONNREFUSED 127.0.0.1:1883");
    assert.equal(doc.mqtt.controlTopicPrefix, "TWC");
    const revision = h.engine.state.revision;
    await h.run(1100);
    assert.equal(h.engine.state.revision, revision, "an unchanged connection changes nothing");
    connected = true;
    await h.run(1100);
    const up = h.engine.state.snapshot.mqtt.connections[0];
    assert.equal(up?.connected, true);
    assert.equal(up?.lastError, null);
    assert.match(up?.since ?? "", /^2026-11-23T/);
    assert.ok(h.engine.state.revision > revision);
  } finally {
    await h.stop();
  }
});
