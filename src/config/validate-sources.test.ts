import assert from "node:assert/strict";
import { test } from "node:test";
import { validate } from "./validate.ts";
import { runningSourceNames } from "./validate-sources.ts";

const CORE = { settingsPath: "/tmp/x", wiringMaxAmpsAllTWCs: 32, minAmpsPerTWC: 6 };

function run(sources: Record<string, unknown>, policy?: unknown) {
  const result = validate({ config: CORE, interface: { Dummy: { enabled: true } }, sources, ...(policy !== undefined ? { policy } : {}) });
  return {
    result,
    errors: result.issues.filter((i) => i.severity === "error").map((i) => i.message),
    warnings: result.issues.filter((i) => i.severity === "warning").map((i) => i.message),
  };
}

test("an enabled catalogue source is validated with its defaults and carried in AppConfig", () => {
  const { result, warnings, errors } = run({ Fronius: { enabled: true, serverIP: ["192.168.1.2", "192.168.1.3"], serverPort: "8080" } });
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings, []);
  assert.deepEqual(result.config?.sources.catalogue, [
    { key: "Fronius", config: { enabled: true, serverIP: ["192.168.1.2", "192.168.1.3"], serverPort: 8080, pollIntervalS: 10 } },
  ]);
  assert.deepEqual(runningSourceNames(result.config?.sources ?? { url: null, hass: null, mqtt: null, dsmr: null, catalogue: [] }), ["Fronius"]);
});

test("a disabled or absent catalogue source is not carried and not warned", () => {
  const { result, warnings } = run({ Fronius: { enabled: false }, Powerwall2: { serverIP: "x" } });
  assert.deepEqual(warnings, []);
  assert.deepEqual(result.config?.sources.catalogue, []);
});

test("a missing required key is a warning naming it; the source is not started, start-up continues", () => {
  const { result, warnings, errors } = run({ Powerwall2: { enabled: true, password: "secret" }, Fronius: { enabled: true, serverIP: [null, ""] } });
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings.sort(), [
    "sources.Fronius.serverIP: is required; sources.Fronius is not started",
    "sources.Powerwall2.serverIP: is required; sources.Powerwall2 is not started",
  ]);
  assert.deepEqual(result.config?.sources.catalogue, []);
});

test("schema errors carry the path and stop the load; secrets are not echoed", () => {
  const { errors, result } = run({ Powerwall2: { enabled: true, serverIP: "pw", serverPort: 70000, password: 12345 } });
  assert.deepEqual(errors, ["sources.Powerwall2.serverPort: must be an integer between 1 and 65535 (found 70000)"]);
  assert.equal(result.config, null);
});

test("ports given as numeric strings or numbers both load (§1.8)", () => {
  for (const serverPort of [443, "443", " 8443 "]) {
    const { errors, result } = run({ Powerwall2: { enabled: true, serverIP: "pw", serverPort } });
    assert.deepEqual(errors, []);
    assert.equal(typeof result.config?.sources.catalogue[0]?.config.serverPort, "number");
  }
});

test("refused modules get the spec's reason and what to use instead; no 'not supported by this version'", () => {
  const { warnings, errors } = run({
    Growatt: { enabled: true },
    DSMR: { enabled: true },
    Victron: { enabled: true },
    ScenarioEMS: { enabled: true },
    Fronius: { enabled: true, serverIP: "f" },
  });
  assert.deepEqual(errors, []);
  assert.equal(warnings.length, 4);
  assert.ok(warnings.every((w) => !w.includes("by this version")));
  assert.ok(warnings.some((w) => w.startsWith("sources.Growatt is not supported") && w.includes("sources.HASS")));
  assert.ok(warnings.some((w) => w.startsWith("sources.DSMR is not supported") && w.includes("sources.DSMRreader")));
  assert.ok(warnings.some((w) => w.startsWith("sources.Victron is not supported")));
  assert.ok(warnings.some((w) => w.includes("ScenarioEMS is a TWCManager test fixture")));
});

test("module macros in policies: unknown module, unknown attribute and not-enabled module are warned", () => {
  const policy = {
    extend: {
      before: [
        { name: "PW", match: ["modules.Powerwall2.batteryLevel", "modules.TeslaPowerwall2.nope"], condition: ["gte", "eq"], value: [80, 1], charge_amps: 16 },
        { name: "X", match: ["modules.NoSuch.x", "modules.Fronius.generatedW"], condition: ["eq", "gt"], value: [1, 0], charge_amps: 6 },
      ],
    },
  };
  const { warnings } = run({ Powerwall2: { enabled: true, serverIP: "pw" } }, policy);
  assert.deepEqual(warnings.sort(), [
    "policy: modules.Fronius.generatedW: module Fronius is not running (sources.Fronius is disabled or incomplete); the condition compares the macro text",
    "policy: modules.NoSuch.x: unknown module NoSuch; the condition compares the macro text",
    "policy: modules.TeslaPowerwall2.nope: module TeslaPowerwall2 has no attribute nope; the condition compares the macro text",
  ]);
});

test("Storm Watch (energy-sources.md §3.6) needs vehicle.teslaAPI: without it a condition on it is warned, with it not", () => {
  const policy = {
    extend: { emergency: [{ name: "Storm", match: ["modules.TeslaPowerwall2.stormWatch"], condition: ["eq"], value: [true], charge_amps: 32 }] },
  };
  const pw = { Powerwall2: { enabled: true, serverIP: "pw" } };
  assert.deepEqual(run(pw, policy).warnings, [
    "policy: modules.TeslaPowerwall2.stormWatch: Storm Watch is read with the Tesla Fleet API token; enable vehicle.teslaAPI, else the condition compares the macro text",
  ]);
  const withTesla = validate({ config: CORE, interface: { Dummy: { enabled: true } }, sources: pw, policy, vehicle: { teslaAPI: { enabled: true } } });
  assert.deepEqual(withTesla.issues.filter((i) => i.message.includes("stormWatch")), []);
  assert.equal(withTesla.config?.vehicle?.teslaApi?.cloudUpdateIntervalS, 1800, "config.cloudUpdateInterval's default");
});

test("modules.TeslaAPI.numCarsAtHome / minBatteryLevelAtHome (vehicles.md §2.13) need a vehicle module; other attributes are unknown", () => {
  const policy = {
    extend: {
      before: [
        { name: "Home", match: ["modules.TeslaAPI.numCarsAtHome", "modules.TeslaAPI.minBatteryLevelAtHome", "modules.TeslaAPI.soc"], condition: ["gt", "lt", "eq"], value: [0, 50, 1], charge_amps: 16 },
      ],
    },
  };
  assert.deepEqual(run({}, policy).warnings.sort(), [
    "policy: modules.TeslaAPI.minBatteryLevelAtHome: no vehicle module is configured (vehicle.teslaAPI, teslaBLE, HomeAssistant, TeslaMate or teslaFleetTelemetryMQTT); the condition compares the macro text",
    "policy: modules.TeslaAPI.numCarsAtHome: no vehicle module is configured (vehicle.teslaAPI, teslaBLE, HomeAssistant, TeslaMate or teslaFleetTelemetryMQTT); the condition compares the macro text",
    "policy: modules.TeslaAPI.soc: module TeslaAPI has no attribute soc; the condition compares the macro text",
  ]);
  const withTesla = validate({ config: CORE, interface: { Dummy: { enabled: true } }, policy, vehicle: { teslaAPI: { enabled: true } } });
  assert.deepEqual(
    withTesla.issues.filter((i) => i.message.startsWith("policy:")).map((i) => i.message),
    ["policy: modules.TeslaAPI.soc: module TeslaAPI has no attribute soc; the condition compares the macro text"],
  );
});

test("a block named after the registered name points to the key", () => {
  const { warnings } = run({ TeslaPowerwall2: { enabled: true, serverIP: "pw" } });
  assert.deepEqual(warnings, [
    "sources.TeslaPowerwall2 is not supported by this version and is ignored (this module is configured as sources.Powerwall2)",
  ]);
});

test("SolarEdge one-of keys (§5.2): Modbus with inverterHost, else the cloud with apiKey and siteID", () => {
  const none = run({ SolarEdge: { enabled: true } });
  assert.deepEqual(none.warnings, [
    "sources.SolarEdge: needs inverterHost (local inverter over Modbus TCP) or apiKey and siteID (monitoring cloud); sources.SolarEdge is not started",
  ]);
  assert.deepEqual(none.result.config?.sources.catalogue, []);
  assert.deepEqual(run({ SolarEdge: { enabled: true, apiKey: "k" } }).warnings, [
    "sources.SolarEdge.siteID: is required with apiKey for the SolarEdge cloud (or set inverterHost for Modbus TCP); sources.SolarEdge is not started",
  ]);
  const both = run({ SolarEdge: { enabled: true, inverterHost: "inv", apiKey: "k", siteID: 1, smartMeters: [{ name: "Meter1", type: "export" }, { name: "Meter1", type: "consumption" }] } });
  assert.deepEqual(both.warnings, [
    "sources.SolarEdge: apiKey and siteID are ignored: inverterHost is set, so the inverter is read over Modbus TCP",
    "sources.SolarEdge.smartMeters: Meter1 is listed more than once; its power would be counted twice",
  ]);
  assert.equal(both.result.config?.sources.catalogue.length, 1);
  const cloud = run({ SolarEdge: { enabled: true, apiKey: "k", siteID: "1", smartMeters: [{ name: "Meter1", type: "export" }], pollIntervalS: 30 } });
  assert.deepEqual(cloud.warnings, [
    "sources.SolarEdge.smartMeters: is ignored by the cloud API (it is read over Modbus TCP only, with inverterHost)",
    "sources.SolarEdge.pollIntervalS: 30 is below 90 s, too often for the cloud API's daily quota; 90 is used",
  ]);
  assert.ok(!JSON.stringify(cloud.warnings).includes('"k"'));
  assert.deepEqual(run({ SolarEdge: { enabled: true, apiKey: "k", siteID: "1" } }).warnings, []);
});

test("Enphase one-of keys (§6.2): the cloud with apiKey, userID and systemID wins, else the local Envoy", () => {
  assert.deepEqual(run({ Enphase: { enabled: true } }).warnings, [
    "sources.Enphase: needs serverIP (local Envoy) or apiKey, userID and systemID (Enphase cloud); sources.Enphase is not started",
  ]);
  const partial = run({ Enphase: { enabled: true, apiKey: "k", systemID: 5 } });
  assert.deepEqual(partial.warnings, [
    "sources.Enphase: userID is required for the Enphase cloud (or set serverIP for the local Envoy); sources.Enphase is not started",
  ]);
  assert.deepEqual(partial.result.config?.sources.catalogue, []);
  assert.deepEqual(run({ Enphase: { enabled: true, apiKey: "k", serverIP: "envoy" } }).warnings, [
    "sources.Enphase: the cloud keys are incomplete (userID and systemID missing), so the local Envoy at serverIP is read",
  ]);
  const cloudWins = run({ Enphase: { enabled: true, apiKey: "k", userID: "u", systemID: 5, serverIP: "envoy", token: "jwt" } });
  assert.deepEqual(cloudWins.warnings, [
    "sources.Enphase: serverIP and token are ignored: apiKey, userID and systemID are set, so the Enphase cloud is used (as in TWCManager)",
  ]);
  assert.equal(cloudWins.result.config?.sources.catalogue.length, 1);
  assert.deepEqual(run({ Enphase: { enabled: true, serverIP: "envoy", token: "jwt" } }).warnings, []);
});

test("sources.Iotawatt (TWCManager's documented spelling) is read as sources.IotaWatt with a warning", () => {
  const { result, warnings } = run({ Iotawatt: { enabled: true, serverIP: "iota", outputGeneration: "Solar" } });
  assert.deepEqual(warnings, ["sources.Iotawatt: read as sources.IotaWatt (TWCManager's code reads that spelling); rename the block"]);
  assert.equal(result.config?.sources.catalogue[0]?.key, "IotaWatt");
  assert.equal(result.config?.sources.catalogue[0]?.config.serverIP, "iota");
  const both = run({ IotaWatt: { enabled: true, serverIP: "a" }, Iotawatt: { enabled: true, serverIP: "b" } });
  assert.deepEqual(both.warnings, ["sources.Iotawatt: is ignored: sources.IotaWatt is present"]);
  assert.equal(both.result.config?.sources.catalogue[0]?.config.serverIP, "a");
  assert.deepEqual(run({ Iotawatt: { enabled: false } }).warnings, []);
});
