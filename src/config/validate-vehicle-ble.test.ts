/**
 * `vehicle.teslaBLE` and `vehicle.commandPolicy` in config.json (vehicles.md §4.1, §4.9): the defaults,
 * the keys from `config` and `config.moduleConfiguration.TeslaBLE`, errors naming the key, a disabled
 * section, and the policy (case-insensitive; an invalid one warned about and ignored).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { validate } from "./validate.ts";

const CORE = { settingsPath: "/tmp/x", wiringMaxAmpsAllTWCs: 32, minAmpsPerTWC: 6 };

function run(vehicle: unknown, core: Record<string, unknown> = {}) {
  const r = validate({ config: { ...CORE, ...core }, interface: { Dummy: { enabled: true } }, vehicle });
  return {
    errors: r.issues.filter((i) => i.severity === "error").map((i) => i.message),
    warnings: r.issues.filter((i) => i.severity === "warning").map((i) => i.message),
    vehicle: r.config?.vehicle,
  };
}

test("teslaBLE enabled with nothing else: the spec's defaults, no 'not supported' warning", () => {
  const r = run({ teslaBLE: { enabled: true } });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.vehicle?.teslaBle, {
    controlPath: "~/gobin/tesla-control",
    commandTimeoutS: 5,
    maxRetries: 3,
    retryDelayS: 2,
    circuitBreakerThreshold: 5,
    circuitBreakerTimeoutS: 60,
    minChargeLevel: -1,
    respectVehicleSchedule: true,
  });
  assert.equal(r.vehicle?.commandPolicy, null);
});

test("the keys in config and moduleConfiguration.TeslaBLE are read; enabled false is off", () => {
  const r = run({ teslaBLE: {} }, { teslaControlPath: "/opt/tc/tesla-control", minChargeLevel: 40, moduleConfiguration: { TeslaBLE: { commandTimeout: 10, maxRetries: "1", retryDelay: 1, circuitBreakerThreshold: 2, circuitBreakerTimeout: 30, statsReporting: false } } });
  assert.deepEqual(r.errors, []);
  assert.equal(r.vehicle?.teslaBle?.controlPath, "/opt/tc/tesla-control");
  assert.equal(r.vehicle?.teslaBle?.commandTimeoutS, 10);
  assert.equal(r.vehicle?.teslaBle?.maxRetries, 1);
  assert.equal(r.vehicle?.teslaBle?.circuitBreakerThreshold, 2);
  assert.equal(r.vehicle?.teslaBle?.minChargeLevel, 40);
  assert.equal(run({ teslaBLE: { enabled: false } }).vehicle?.teslaBle, null);
});

test("a bad value is an error naming the key", () => {
  const r = run({ teslaBLE: { enabled: true } }, { teslaControlPath: 7, moduleConfiguration: { TeslaBLE: { maxRetries: "many", commandTimeout: -1 } } });
  assert.ok(r.errors.some((e) => e.includes("config.teslaControlPath")), r.errors.join("\n"));
  assert.ok(r.errors.some((e) => e.includes("config.moduleConfiguration.TeslaBLE.maxRetries")), r.errors.join("\n"));
  assert.ok(r.errors.some((e) => e.includes("config.moduleConfiguration.TeslaBLE.commandTimeout")), r.errors.join("\n"));
});

test("commandPolicy: case-insensitive; an invalid one is warned about and ignored", () => {
  assert.equal(run({ teslaBLE: { enabled: true }, commandPolicy: "BLE_Only" }).vehicle?.commandPolicy, "ble_only");
  const bad = run({ teslaBLE: { enabled: true }, commandPolicy: "cheapest" });
  assert.deepEqual(bad.errors, []);
  assert.equal(bad.vehicle?.commandPolicy, null);
  assert.ok(bad.warnings.some((w) => w.includes("vehicle.commandPolicy") && w.includes("prefer_ble, ble_only or api_only")), bad.warnings.join("\n"));
});
