import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BACKOFF_MAX_MS,
  backoffDelayMs,
  brokerKey,
  brokerSettings,
  brokerUrl,
  topicMatches,
} from "./broker.ts";

test("back-off doubles from 1 s and stops at 120 s", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 40].map((n) => backoffDelayMs(n)),
    [1000, 2000, 4000, 8000, 16000, 32000, 64000, 120000, 120000, BACKOFF_MAX_MS],
  );
  assert.equal(backoffDelayMs(0), 1000);
  assert.equal(backoffDelayMs(3, 100), 400);
});

test("topic filters: + one level, # the rest, $ topics not matched by a leading wildcard", () => {
  const cases: [string, string, boolean][] = [
    ["TWC/control/+", "TWC/control/chargeNow", true],
    ["TWC/control/+", "TWC/control/chargeNow/x", false],
    ["TWC/control/+", "TWC/control", false],
    ["homeassistant/+/+/+/config", "homeassistant/sensor/TWC_4142/4142_state/config", true],
    ["homeassistant/+/+/+/config", "homeassistant/sensor/x/config", false],
    ["a/#", "a", true],
    ["a/#", "a/b/c", true],
    ["#", "$SYS/broker", false],
    ["+/x", "$SYS/x", false],
    ["dsmr/json", "dsmr/json", true],
    ["dsmr/json", "dsmr/json2", false],
  ];
  for (const [f, t, want] of cases) assert.equal(topicMatches(f, t), want, `${f} ~ ${t}`);
});

test("broker settings: 1883 or 8883 with TLS, empty credentials dropped, IPv6 bracketed, key covers the password", () => {
  const plain = brokerSettings({ brokerIP: " 10.0.0.2 ", username: "", password: "" });
  assert.deepEqual(plain, {
    host: "10.0.0.2",
    port: 1883,
    tls: false,
    caFile: null,
    username: null,
    password: null,
    version: "3.1.1",
  });
  const tls = brokerSettings({
    brokerIP: "::1",
    brokerTLS: true,
    brokerCAFile: "/ca.pem",
    username: "u",
    password: "p",
    mqttVersion: "5",
  });
  assert.equal(tls.port, 8883);
  assert.equal(brokerUrl(tls), "mqtts://[::1]:8883");
  assert.equal(brokerSettings({ brokerIP: "b", brokerPort: "1884" }).port, 1884);
  assert.notEqual(brokerKey(tls), brokerKey({ ...tls, password: "q" }));
  assert.equal(brokerKey(plain), brokerKey(brokerSettings({ brokerIP: "10.0.0.2", brokerPort: 1883 })));
});
