import { test } from "node:test";
import assert from "node:assert/strict";
import { Compile } from "typebox/compile";
import { loadConfigText } from "./load.ts";
import { CoreSectionSchema, HttpSchema } from "./schema.ts";
import { debugLevelToLogLevel, logLevelName, validate } from "./validate.ts";

const CORE = { settingsPath: "/tmp/x", wiringMaxAmpsAllTWCs: 32, minAmpsPerTWC: 6 };
const DUMMY = { Dummy: { enabled: true } };

function run(raw: Record<string, unknown>): {
  errors: string[];
  warnings: string[];
  result: ReturnType<typeof validate>;
} {
  const result = validate({ config: CORE, interface: DUMMY, ...raw });
  return {
    errors: result.issues.filter((i) => i.severity === "error").map((i) => i.message),
    warnings: result.issues.filter((i) => i.severity === "warning").map((i) => i.message),
    result,
  };
}

test("config.md §3.10 minimal real installation loads", () => {
  const text = `{
  "config": {
    "settingsPath": "/var/lib/twcmanager",
    "wiringMaxAmpsAllTWCs": 32,      # 40 A breaker × 0.8
    "wiringMaxAmpsPerTWC": 32,
    "minAmpsPerTWC": 6,
    "fakeMaster": 1
  },
  "interface": { "RS485": { "port": "/dev/ttyUSB0" } },
  "control": { "HTTP": { "enabled": true, "listenPort": 8080,
                         "auth": { "tokens": ["change-me-to-a-long-random-string"] } } },
  "sources": { "URL": { "enabled": true, "url": "http://192.168.1.20:1880/energy",
                        "generationItem": "solar", "consumptionItem": "house" } }
}`;
  const { config, warnings } = loadConfigText(text);
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.bus, { kind: "RS485", path: "/dev/ttyUSB0", baud: 9600 });
  assert.equal(config.slaveTimeoutS, 26);
  assert.equal(config.http?.listenPort, 8080);
  assert.deepEqual(config.http?.auth?.tokens, ["change-me-to-a-long-random-string"]);
  assert.deepEqual(config.sources.url, {
    url: "http://192.168.1.20:1880/energy",
    consumptionItem: "house",
    generationItem: "solar",
    pollIntervalS: 10,
  });
  assert.equal(config.sources.hass, null);
  assert.equal(config.core.wiringMaxAmpsPerTWC, 32);
  assert.equal(config.core.maxAmpsAllowedFromGrid, null);
  assert.equal(config.logLevel, "info");
});

test("config.md §3.10 simulator example yields a Dummy bus with one slave AB", () => {
  const text = `{
  "config": { "settingsPath": "./data", "wiringMaxAmpsAllTWCs": 80, "wiringMaxAmpsPerTWC": 80,
              "minAmpsPerTWC": 12, "greenEnergyAmpsOffset": 1.05, "defaultVoltage": 240,
              "numberOfPhases": 1, "fakeMaster": 1 },
  "interface": { "Dummy": { "enabled": true, "twcID": "AB" }, "RS485": { "enabled": false } },
  "control": { "HTTP": { "enabled": true, "listenPort": 8088 } }
}`;
  const { config, warnings } = loadConfigText(text, "config.json", "/srv/twc");
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.bus, {
    kind: "Dummy",
    slaves: [{ twcID: "AB" }],
    seed: null,
    realisticTiming: false,
  });
  assert.equal(config.http?.listenPort, 8088);
  assert.equal(config.http?.auth, null);
  assert.equal(config.core.settingsPath, "/srv/twc/data");
  assert.equal(config.core.greenEnergyAmpsOffset, 1.05);
  assert.equal(config.core.wiringMaxAmpsAllTWCs, 80);
});

test("defaults are applied and the normalised sections satisfy the TypeBox schemas", () => {
  const { result } = run({ control: { HTTP: { enabled: true } } });
  const c = result.config!;
  assert.equal(c.core.wiringMaxAmpsPerTWC, 6);
  assert.equal(c.core.startStopDelay, 60);
  assert.equal(c.core.defaultVoltage, 240);
  assert.equal(c.core.numberOfPhases, 1);
  assert.equal(c.core.energyStaleAfterS, 300);
  assert.equal(c.core.historyRetentionDays, 90);
  assert.equal(c.core.webhookMethod, "POST");
  assert.equal(c.core.greenEnergyLatch, null);
  assert.equal(c.http?.maxBodyBytes, 65536);
  assert.deepEqual(c.http?.allowedHosts, []);
  assert.equal(c.policy.policyCheckIntervalS, 30);
  assert.deepEqual(c.logging, { console: { enabled: true, simple: false }, file: null });
  assert.ok(Compile(CoreSectionSchema).Check(c.core.section));
  assert.ok(
    Compile(HttpSchema).Check({
      enabled: true,
      ...c.http,
      listenAddress: undefined,
      tls: undefined,
      auth: undefined,
    }),
  );
});

test("message formats of config.md §3.2", () => {
  const r = validate({
    config: { ...CORE, minAmpsPerTWC: "abc" },
    interface: DUMMY,
    control: { HTTP: { enabled: true, listenPot: 8080, listenPort: "8080" } },
    // SolarEdge is implemented now (issue 11); a module that is not in the catalogue shows the format.
    sources: { Sungrow: { enabled: true }, Fronius: { enabled: false }, Enphase: {} },
  });
  const messages = r.issues.map((i) => `${i.severity}: ${i.message}`);
  assert.deepEqual(messages.sort(), [
    'error: config.minAmpsPerTWC: must be a number ≥ 0 (found "abc")',
    'warning: control.HTTP.listenPort: "8080" is a string, using 8080',
    "warning: control.HTTP.listenPot: unknown key, ignored",
    "warning: sources.Sungrow is not supported by this version and is ignored",
  ]);
  assert.equal(r.config, null);
});

test("every error is collected, with path and the value found", () => {
  const { errors } = run({
    config: {
      wiringMaxAmpsAllTWCs: 0,
      minAmpsPerTWC: -1,
      numberOfPhases: 4,
      webhookMethod: "PUT",
      useFlexAmpsToStartCharge: "maybe",
    },
    control: { HTTP: { enabled: true, listenPort: 70000, maxBodyBytes: 10 } },
  });
  assert.deepEqual(errors.sort(), [
    "config.minAmpsPerTWC: must be a number ≥ 0 (found -1)",
    "config.numberOfPhases: must be an integer between 1 and 3 (found 4)",
    "config.settingsPath: is required",
    'config.useFlexAmpsToStartCharge: must be true or false (found "maybe")',
    'config.webhookMethod: must be one of "POST", "GET" (found "PUT")',
    "config.wiringMaxAmpsAllTWCs: must be a number > 0 (found 0)",
    "control.HTTP.listenPort: must be an integer between 1 and 65535 (found 70000)",
    "control.HTTP.maxBodyBytes: must be an integer between 1024 and 10485760 (found 10)",
  ]);
});

test("coercions with warnings: boolean-like strings, fractional integers, numbers for strings", () => {
  const { warnings, result } = run({
    config: { ...CORE, subtractChargerLoad: "yes", numberOfPhases: 2.5 },
    control: { HTTP: { enabled: "true", listenAddress: 127 } },
  });
  assert.deepEqual(
    warnings.sort(),
    [
      'config.subtractChargerLoad: "yes" is not a boolean, using true',
      "config.numberOfPhases: 2.5 is not an integer, using 2",
      'control.HTTP.enabled: "true" is not a boolean, using true',
      'control.HTTP.listenAddress: 127 is a number, using "127"',
    ].sort(),
  );
  assert.equal(result.config?.core.subtractChargerLoad, true);
  assert.equal(result.config?.core.numberOfPhases, 2);
  assert.equal(result.config?.http?.listenAddress, "127");
});

test("fakeMaster 0 is refused; debugLevel is deprecated; unknown sections warn", () => {
  const { errors, warnings } = run({ config: { ...CORE, fakeMaster: 0, debugLevel: 2 }, stuff: {} });
  assert.deepEqual(errors, ["fakeMaster 0 (fake slave) is not supported"]);
  assert.deepEqual(warnings.sort(), [
    "config.debugLevel: is deprecated; use config.logLevel",
    "stuff: unknown section, ignored",
  ]);
});

test("log level: logLevel or the mapped debugLevel → pino level (config.md §3.4)", () => {
  assert.deepEqual([0, 1, 2, 7, 8, 9, 10, 11].map(debugLevelToLogLevel), [40, 20, 19, 14, 13, 12, 10, 9]);
  assert.deepEqual([50, 40, 39, 30, 29, 20, 19, 13, 12, 5].map(logLevelName), [
    "error",
    "error",
    "warn",
    "warn",
    "info",
    "info",
    "debug",
    "debug",
    "trace",
    "trace",
  ]);
  const level = (core: Record<string, unknown>): string | undefined =>
    run({ config: { ...CORE, ...core } }).result.config?.logLevel;
  assert.equal(level({}), "info");
  assert.equal(level({ debugLevel: 0 }), "error");
  assert.equal(level({ debugLevel: 9 }), "trace");
  assert.equal(level({ debugLevel: 3 }), "debug");
  assert.equal(level({ logLevel: 30, debugLevel: 10 }), "warn");
});

test("one warning per enabled unsupported module, none for disabled or implicit ones", () => {
  const { warnings, errors } = run({
    control: { OCPP: { enabled: true }, WebIPC: { enabled: false } },
    status: { HASS: { enabled: false }, Other: { enabled: "yes" } },
    vehicle: { TeslaAPI: { enabled: true }, TeslaMate: {}, BLE: { enabled: false } },
    logging: {
      CSV: { enabled: true, path: "/tmp/csv" },
      MySQL: { enabled: false },
      SQLite: { enabled: true },
      Sentry: { enabled: true },
    },
    "controller.Gen3TWCs": { enabled: true },
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings.sort(), [
    "control.OCPP is not supported by this version and is ignored",
    "controller.Gen3TWCs is not supported by this version and is ignored (Gen3 Wall Connectors are not supported)",
    "status.Other is not supported by this version and is ignored",
  ]);
});

test("control.HTTP: missing section or enabled false → null; enabled is required", () => {
  assert.equal(run({}).result.config?.http, null);
  assert.equal(
    run({ control: { HTTP: { enabled: false, listenPort: "garbage" } } }).result.config?.http,
    null,
  );
  assert.deepEqual(run({ control: { HTTP: { listenPort: 8080 } } }).errors, [
    "control.HTTP.enabled: is required",
  ]);
});

test("control.HTTP.auth rules, never echoing secrets", () => {
  const auth = (a: unknown): string[] => run({ control: { HTTP: { enabled: true, auth: a } } }).errors;
  assert.deepEqual(auth({}), [
    "control.HTTP.auth: configures neither tokens nor a username with a password or passwordHash",
  ]);
  assert.deepEqual(auth({ tokens: ["short-secret"] }), [
    "control.HTTP.auth.tokens[0]: must be a string of at least 16 characters",
  ]);
  assert.deepEqual(auth({ username: "admin" }), [
    "control.HTTP.auth.username: needs a password or passwordHash",
  ]);
  assert.deepEqual(auth({ password: "pw" }), [
    "control.HTTP.auth.username: is required with a password or passwordHash",
  ]);
  assert.deepEqual(
    auth({ username: "a", password: "pw", passwordHash: "scrypt:16384:8:1:c2FsdA==:aGFzaA==" }),
    ["control.HTTP.auth: set either password or passwordHash, not both"],
  );
  assert.match(
    auth({ username: "a", passwordHash: "md5:xyz" })[0]!,
    /^control\.HTTP\.auth\.passwordHash: must be a hash of the form scrypt:/,
  );
  const ok = run({
    control: {
      HTTP: {
        enabled: true,
        auth: { username: "a", passwordHash: "scrypt:16384:8:1:c2FsdA==:aGFzaA==", protectReads: true },
      },
    },
  });
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.result.config?.http?.auth, {
    tokens: [],
    username: "a",
    password: null,
    passwordHash: "scrypt:16384:8:1:c2FsdA==:aGFzaA==",
    protectReads: true,
    sessionTtlHours: 168,
  });
});

test("MQTT control and status: required keys only when enabled; port 1883 or 8883 with TLS", () => {
  assert.deepEqual(run({ control: { MQTT: { enabled: false } } }).errors, []);
  assert.deepEqual(run({ control: { MQTT: { enabled: true, brokerIP: "b" } } }).errors, [
    "control.MQTT.topicPrefix: is required",
  ]);
  const c = run({
    control: { MQTT: { enabled: true, brokerIP: "b", topicPrefix: "TWC" } },
    status: { MQTT: { enabled: true, brokerIP: "b", topicPrefix: "TWC", brokerTLS: true } },
  }).result.config!;
  assert.equal(c.mqttControl?.brokerPort, 1883);
  assert.equal(c.mqttStatus?.brokerPort, 8883);
  assert.equal(c.mqttStatus?.ratelimit, 60);
  assert.equal(c.mqttStatus?.discoveryPrefix, "homeassistant");
  assert.equal(c.mqttStatus?.deviceNamePrefix, "TWC");
});

test("energy sources: HASS port as a numeric string without warning, MQTT source defaults", () => {
  const { warnings, errors, result } = run({
    sources: {
      HASS: { enabled: true, serverIP: "ha", serverPort: "8124", apiKey: "k" },
      MQTT: { enabled: true, brokerIP: "b", generationTopic: "solar/w", pollIntervalS: 5 },
    },
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings, []);
  assert.equal(result.config?.sources.hass?.serverPort, 8124);
  assert.equal(result.config?.sources.hass?.hassEntityGeneration, "");
  assert.deepEqual(result.config?.sources.mqtt, {
    brokerIP: "b",
    brokerPort: 1883,
    brokerTLS: false,
    brokerCAFile: null,
    username: null,
    password: null,
    mqttVersion: "3.1.1",
    generationTopic: "solar/w",
    consumptionTopic: "",
  });
  assert.deepEqual(run({ sources: { URL: { enabled: true, url: "ftp://x" } } }).errors, [
    'sources.URL.url: must be an http:// or https:// URL (found "ftp://x")',
  ]);
  assert.deepEqual(run({ sources: { HASS: { enabled: true, serverIP: "ha", apiKey: 12 } } }).warnings, [
    "sources.HASS.apiKey: a number was given, using it as a string",
  ]);
});

test("logging: console on by default, FileLogger needs a path when enabled", () => {
  assert.deepEqual(run({ logging: { FileLogger: { enabled: true } } }).errors, [
    "logging.FileLogger.path: is required",
  ]);
  const c = run({
    logging: {
      Console: { enabled: true, simple: true, mute: {} },
      FileLogger: { enabled: true, path: "/var/log/twc" },
    },
  }).result.config!;
  assert.deepEqual(c.logging, {
    console: { enabled: true, simple: true },
    file: { enabled: true, path: "/var/log/twc" },
  });
  assert.deepEqual(run({ logging: { Console: { enabled: false } } }).result.config?.logging.console, {
    enabled: false,
    simple: false,
  });
});

test("a value echoed in an error has its URL userinfo and tokens redacted", () => {
  const { errors } = run({
    sources: { URL: { enabled: true, url: "http://h/e", pollIntervalS: "http://u:ECHOPASS@h/?token=ECHOTOKEN" } },
  });
  const text = errors.join("\n");
  assert.match(text, /sources\.URL\.pollIntervalS: .*\(found "http:\/\/\(hidden\)@h\/\?token=\(hidden\)"\)/);
  assert.ok(!text.includes("ECHOPASS") && !text.includes("ECHOTOKEN"), text);
});

test("status.HASS (upstream HASSStatus) is validated and built, without the old warning", () => {
  const { warnings, errors, result } = run({
    status: { HASS: { enabled: true, serverIP: "192.168.1.6", serverPort: "8123", apiKey: "long-lived-token" } },
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings, []);
  assert.deepEqual(result.config?.hassStatus, {
    serverIP: "192.168.1.6",
    serverPort: 8123,
    useHttps: false,
    apiKey: "long-lived-token",
    msgRateInSeconds: 60,
    resendRateInSeconds: 3600,
    retryRateInSeconds: 60,
  });
  assert.deepEqual(run({ status: { HASS: { enabled: true, serverIP: "ha" } } }).errors, ["status.HASS.apiKey: is required"]);
  assert.equal(run({ status: { HASS: { enabled: false } } }).result.config?.hassStatus, null);
});

test("sources.MQTT reads upstream's topicGeneration / topicConsumption; ours are aliases; a conflict is warned", () => {
  const up = run({ sources: { MQTT: { enabled: true, brokerIP: "b", topicGeneration: "solar/w", topicConsumption: "house/w", username: "u", password: "p" } } });
  assert.deepEqual(up.warnings, []);
  assert.equal(up.result.config?.sources.mqtt?.generationTopic, "solar/w");
  assert.equal(up.result.config?.sources.mqtt?.consumptionTopic, "house/w");
  assert.equal(up.result.config?.sources.mqtt?.username, "u");
  const both = run({ sources: { MQTT: { enabled: true, brokerIP: "b", topicGeneration: "a", generationTopic: "b" } } });
  assert.deepEqual(both.warnings, ["sources.MQTT.generationTopic: conflicts with topicGeneration; using topicGeneration"]);
  assert.equal(both.result.config?.sources.mqtt?.generationTopic, "a");
  const tls = run({ sources: { MQTT: { enabled: true, brokerIP: "b", brokerTLS: true, topicGeneration: "a" } } });
  assert.equal(tls.result.config?.sources.mqtt?.brokerPort, 8883);
});

test("sources.DSMRreader: implemented, topic dsmr/json by default", () => {
  const { warnings, errors, result } = run({ sources: { DSMRreader: { enabled: true, brokerIP: "10.0.0.5" } } });
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings, []);
  assert.deepEqual(result.config?.sources.dsmr, {
    brokerIP: "10.0.0.5",
    brokerPort: 1883,
    brokerTLS: false,
    brokerCAFile: null,
    username: null,
    password: null,
    mqttVersion: "3.1.1",
    topic: "dsmr/json",
  });
  assert.deepEqual(run({ sources: { DSMRreader: { enabled: true } } }).errors, ["sources.DSMRreader.brokerIP: is required"]);
  assert.equal(run({ sources: { DSMRreader: { brokerIP: "x" } } }).result.config?.sources.dsmr, null, "upstream: a block without enabled is off");
});

test("MQTT sections: mqttVersion 3.1.1 or 5; status.MQTT Home Assistant controls on by default, configurationUrl", () => {
  const c = run({
    control: { MQTT: { enabled: true, brokerIP: "b", topicPrefix: "TWC", mqttVersion: "5" } },
    status: { MQTT: { enabled: true, brokerIP: "b", topicPrefix: "TWC", configurationUrl: "http://twc.local:8080/" } },
  }).result.config!;
  assert.equal(c.mqttControl?.mqttVersion, "5");
  assert.equal(c.mqttStatus?.mqttVersion, "3.1.1");
  assert.equal(c.mqttStatus?.homeassistantControls, true);
  assert.equal(c.mqttStatus?.configurationUrl, "http://twc.local:8080/");
  assert.deepEqual(run({ control: { MQTT: { enabled: true, brokerIP: "b", topicPrefix: "TWC", mqttVersion: "4" } } }).errors, [
    'control.MQTT.mqttVersion: must be one of "3.1.1", "5" (found "4")',
  ]);
  assert.deepEqual(run({ status: { MQTT: { enabled: true, brokerIP: "b", topicPrefix: "TWC", configurationUrl: "twc.local" } } }).errors, [
    'status.MQTT.configurationUrl: must be an http:// or https:// URL (found "twc.local")',
  ]);
});
