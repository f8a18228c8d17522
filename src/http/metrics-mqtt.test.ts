import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../shared/clock.ts";
import { v2App } from "./v2/v2-app.test-helper.ts";

/** The samples of `name` in a /metrics body: labels rendered as text → value. */
function samples(body: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of body.split("\n")) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name) out.set(m[2] ?? "", Number(m[3]));
  }
  return out;
}

test("/metrics: each MQTT connection, the command counters by module/command/reason, published and deferred", async () => {
  const { app, store } = v2App({
    clock: new FakeClock(Date.UTC(2026, 10, 23, 12, 0, 0)),
    metrics: {
      mqttModules: () => [
        {
          module: "control.MQTT",
          commands: { received: 5, accepted: { chargeNow: 2 }, rejected: { retained: 1, unknownTopic: 0, malformed: 2, outOfRange: 0, failed: 0 } },
        },
        {
          module: "status.MQTT",
          commands: { received: 1, accepted: { startCharging: 1 }, rejected: { retained: 0, unknownTopic: 0, malformed: 0, outOfRange: 0, failed: 0 } },
          published: 120,
          deferred: 3,
        },
      ],
    },
  });
  store.update((d) => {
    d.mqtt.connections = [
      { broker: "mqtt://127.0.0.1:1883", version: "3.1.1", connected: true, since: "2026-11-23T13:00:00.000+01:00", lastError: null, users: ["control.MQTT", "status.MQTT"], connects: 2 },
      { broker: "mqtts://other:8883", version: "5", connected: false, since: null, lastError: "ECONNREFUSED", users: ["sources.MQTT"], connects: 0 },
    ];
  });
  const res = await app.inject({ method: "GET", url: "/metrics" });
  assert.equal(res.statusCode, 200);
  const body = res.body;
  assert.match(body, /# TYPE twc_mqtt_connected gauge/);
  assert.match(body, /# TYPE twc_mqtt_commands_rejected_total counter/);
  assert.deepEqual(
    [...samples(body, "twc_mqtt_connected")],
    [['{broker="mqtt://127.0.0.1:1883"}', 1], ['{broker="mqtts://other:8883"}', 0]],
  );
  assert.equal(samples(body, "twc_mqtt_connects_total").get('{broker="mqtt://127.0.0.1:1883"}'), 2);
  assert.equal(samples(body, "twc_mqtt_commands_received_total").get('{module="control.MQTT"}'), 5);
  assert.equal(samples(body, "twc_mqtt_commands_accepted_total").get('{module="control.MQTT",command="chargeNow"}'), 2);
  assert.equal(samples(body, "twc_mqtt_commands_accepted_total").get('{module="status.MQTT",command="startCharging"}'), 1);
  assert.equal(samples(body, "twc_mqtt_commands_rejected_total").get('{module="control.MQTT",reason="malformed"}'), 2);
  assert.deepEqual([...samples(body, "twc_mqtt_status_published_total")], [['{module="status.MQTT"}', 120]]);
  assert.deepEqual([...samples(body, "twc_mqtt_status_deferred")], [['{module="status.MQTT"}', 3]]);
  await app.close();
});

test("/metrics without MQTT: the families are announced with no samples", async () => {
  const { app } = v2App({ clock: new FakeClock(Date.UTC(2026, 10, 23, 12, 0, 0)) });
  const body = (await app.inject({ method: "GET", url: "/metrics" })).body;
  assert.match(body, /# TYPE twc_mqtt_connected gauge/);
  assert.equal(samples(body, "twc_mqtt_connected").size, 0);
  await app.close();
});
