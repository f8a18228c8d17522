/**
 * The vehicle-state sections of config.json (vehicles.md §5.1, §6.1, §7.1) through the real loader: on
 * only with `enabled: true`, an incomplete part turns only that part off with a warning naming the key,
 * a wrong type is an error, and every secret of these sections is hidden by the getConfig redaction.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfigText } from "./load.ts";
import { redactSecrets } from "../shared/redact.ts";

const base = (vehicle: Record<string, unknown>): string =>
  JSON.stringify({ config: { settingsPath: "/tmp/x", wiringMaxAmpsAllTWCs: 32, wiringMaxAmpsPerTWC: 32, minAmpsPerTWC: 6 }, interface: { Dummy: { enabled: true } }, vehicle });

function load(vehicle: Record<string, unknown>): { config: ReturnType<typeof loadConfigText>["config"]; warnings: string[]; errors: string[] } {
  try {
    const r = loadConfigText(base(vehicle), "config.json");
    return { config: r.config, warnings: r.warnings, errors: [] };
  } catch (err) {
    const ctx = (err as { context?: { errors?: string[]; warnings?: string[] } }).context;
    return { config: null as never, warnings: ctx?.warnings ?? [], errors: ctx?.errors ?? [String(err)] };
  }
}

const TM = {
  enabled: true,
  syncTokens: true,
  db_host: "tm-db",
  db_name: "teslamate",
  db_user: "teslamate",
  db_pass: "pg-secret-pw",
  encryption_key: "enc-secret-key",
  syncTelemetry: true,
  mqtt_host: "broker",
  mqtt_user: "u",
  mqtt_pass: "mqtt-secret",
  mqtt_prefix: "/home/",
};

test("TeslaMate: all keys → db, key, broker with credentials and a trimmed namespace; port defaults", () => {
  const { config, warnings } = load({ TeslaMate: TM });
  const c = config.vehicle?.teslaMate;
  assert.deepEqual(c?.db, { host: "tm-db", database: "teslamate", user: "teslamate", password: "pg-secret-pw", port: 5432 });
  assert.equal(c?.encryptionKey, "enc-secret-key");
  assert.deepEqual(c?.telemetry, { host: "broker", port: 1883, username: "u", password: "mqtt-secret", prefix: "home" });
  assert.deepEqual(warnings.filter((w) => w.includes("TeslaMate")), []);
});

test("TeslaMate: a missing db key or key turns token sync off with a warning; one MQTT credential alone is not used", () => {
  const noPass = load({ TeslaMate: { ...TM, db_pass: undefined, mqtt_pass: "" } });
  assert.equal(noPass.config.vehicle?.teslaMate?.db, null);
  assert.ok(noPass.warnings.some((w) => w.includes("db_pass missing: token sync stays off")), noPass.warnings.join("\n"));
  assert.equal(noPass.config.vehicle?.teslaMate?.telemetry?.username, null);
  const noKey = load({ TeslaMate: { ...TM, encryption_key: "" } });
  assert.equal(noKey.config.vehicle?.teslaMate?.db, null);
  assert.ok(noKey.warnings.some((w) => w.includes("encryption_key") && w.includes("token sync stays off")));
  const sample = load({ TeslaMate: { ...TM, encryption_key: "chanegme" } });
  assert.ok(sample.warnings.some((w) => w.includes("sample's placeholder")));
  const noHost = load({ TeslaMate: { ...TM, mqtt_host: "" } });
  assert.equal(noHost.config.vehicle?.teslaMate?.telemetry, null);
  assert.ok(noHost.warnings.some((w) => w.includes("mqtt_host") && w.includes("telemetry stays off")));
});

test("off unless enabled: true; a wrong type is an error", () => {
  assert.equal(load({ TeslaMate: { ...TM, enabled: false } }).config.vehicle?.teslaMate ?? null, null);
  assert.equal(load({ teslaFleetTelemetryMQTT: { syncTelemetry: true, mqtt_host: "b" } }).config.vehicle?.fleetTelemetry ?? null, null);
  const bad = load({ TeslaMate: { ...TM, syncTokens: "perhaps" } });
  assert.ok(bad.errors.some((e) => e.includes("vehicle.TeslaMate.syncTokens") && e.includes("true or false")), bad.errors.join("\n"));
});

test("Fleet Telemetry: broker and prefix; an empty prefix is warned about", () => {
  const ft = load({ teslaFleetTelemetryMQTT: { enabled: true, syncTelemetry: true, mqtt_host: "b", mqtt_port: 1884, mqtt_prefix: "telemetry" } });
  assert.deepEqual(ft.config.vehicle?.fleetTelemetry?.telemetry, { host: "b", port: 1884, username: null, password: null, prefix: "telemetry" });
  const empty = load({ teslaFleetTelemetryMQTT: { enabled: true, syncTelemetry: true, mqtt_host: "b" } });
  assert.ok(empty.warnings.some((w) => w.includes("mqtt_prefix") && w.includes("every topic")));
});

test("Home Assistant: URL without the trailing slash; a short token or a bad URL leaves it off with a warning", () => {
  const ok = load({ HomeAssistant: { enabled: true, url: "http://ha.local:8123/", longLivedToken: "x".repeat(40) } });
  assert.deepEqual(ok.config.vehicle?.homeAssistant, { url: "http://ha.local:8123", token: "x".repeat(40), atHomeRadiusFt: 10560 });
  const short = load({ HomeAssistant: { enabled: true, url: "http://ha.local:8123", longLivedToken: "short" } });
  assert.equal(short.config.vehicle?.homeAssistant ?? null, null);
  assert.ok(short.warnings.some((w) => w.includes("longLivedToken") && w.includes("at least 20 characters")));
  const url = load({ HomeAssistant: { enabled: true, url: "ha.local", longLivedToken: "x".repeat(40) } });
  assert.equal(url.config.vehicle?.homeAssistant ?? null, null);
  assert.ok(url.warnings.some((w) => w.includes("http(s) base URL")));
});

test("getConfig's redaction hides every secret of these sections (§5.1: encryption_key too)", () => {
  const raw = { vehicle: { TeslaMate: TM, HomeAssistant: { enabled: true, url: "http://ha", longLivedToken: "ha-token-secret-0123456789" } } };
  const text = JSON.stringify(redactSecrets(raw));
  for (const secret of ["pg-secret-pw", "enc-secret-key", "mqtt-secret", "ha-token-secret-0123456789"]) assert.ok(!text.includes(secret), `${secret} is shown: ${text}`);
  assert.ok(text.includes("tm-db") && text.includes("http://ha"), "non-secrets stay");
});
