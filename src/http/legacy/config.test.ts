import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { v2App } from "../v2/v2-app.test-helper.ts";
import { HIDDEN, redactSecrets, renderConfig } from "./config.ts";

describe("getConfig redaction", () => {
  it("hides every example key of http-api §6.3, whatever the value type", () => {
    const keys = [
      "password",
      "passwordHash",
      "apiKey",
      "APIKey",
      "api_key",
      "teslaApiClientSecret",
      "tokens",
      "longLivedToken",
      "DSN",
      "mqtt_pass",
    ];
    const values = ["s3cret", 42, true, null, ["a", "b"], { nested: "x" }];
    for (const k of keys) {
      for (const v of values) {
        assert.deepEqual(redactSecrets({ [k]: v }), { [k]: HIDDEN }, `${k}=${JSON.stringify(v)}`);
      }
    }
  });

  it("keeps username, brokerIP and serverIP", () => {
    const c = { username: "admin", brokerIP: "10.0.0.2", serverIP: "10.0.0.3" };
    assert.deepEqual(redactSecrets(c), c);
  });

  it("redacts at any depth inside objects and arrays and keeps structure and key order", () => {
    const input = {
      config: { settingsPath: "/etc/twcmanager", wiringMaxAmpsAllTWCs: 32 },
      sources: { HASS: { enabled: true, serverIP: "hass.local", apiKey: "abc" } },
      control: {
        HTTP: { enabled: true, auth: { tokens: ["t1", "t2"], username: "u", password: "p" } },
        MQTT: { brokers: [{ brokerIP: "m", mqtt_pass: "x", extra: [{ secretThing: { deep: 1 } }] }] },
      },
      zebra: 1,
      alpha: [1, [2, { credentials: "c" }]],
    };
    const out = redactSecrets(input);
    assert.deepEqual(out, {
      config: { settingsPath: "/etc/twcmanager", wiringMaxAmpsAllTWCs: 32 },
      sources: { HASS: { enabled: true, serverIP: "hass.local", apiKey: HIDDEN } },
      control: {
        HTTP: { enabled: true, auth: { tokens: HIDDEN, username: "u", password: HIDDEN } },
        MQTT: { brokers: [{ brokerIP: "m", mqtt_pass: HIDDEN, extra: [{ secretThing: HIDDEN }] }] },
      },
      zebra: 1,
      alpha: [1, [2, { credentials: HIDDEN }]],
    });
    const text = renderConfig(input);
    assert.deepEqual(Object.keys(JSON.parse(text) as object), [
      "config",
      "sources",
      "control",
      "zebra",
      "alpha",
    ]);
    assert.ok(text.indexOf('"serverIP"') < text.indexOf('"apiKey"'));
    assert.ok(!text.includes("abc") && !text.includes('"p"') && !text.includes("t1"));
  });

  it("does not mutate the input and keeps a __proto__ key as data", () => {
    const input = JSON.parse('{"a":{"password":"x"},"__proto__":{"token":"y","z":1}}') as Record<
      string,
      unknown
    >;
    const text = renderConfig(input);
    assert.equal((input.a as { password: string }).password, "x");
    assert.equal(text, '{"a":{"password":"(hidden)"},"__proto__":{"token":"(hidden)","z":1}}');
  });

  it("is served by GET /api/getConfig", async () => {
    const { app } = v2App({
      views: {
        config: () => ({
          config: { wiringMaxAmpsAllTWCs: 32 },
          control: { HTTP: { auth: { password: "pw" } } },
        }),
      },
    });
    const res = await app.inject({ method: "GET", url: "/api/getConfig" });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(
      res.body,
      '{"config":{"wiringMaxAmpsAllTWCs":32},"control":{"HTTP":{"auth":{"password":"(hidden)"}}}}',
    );
    await app.close();
  });
});
