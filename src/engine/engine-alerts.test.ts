import assert from "node:assert/strict";
import { test } from "node:test";
import { engineAlerts, NO_CHARGERS_AFTER_MS, type EngineAlertInput } from "./engine-alerts.ts";

const calm: EngineAlertInput = {
  anyStale: false,
  settingsSaveFailed: false,
  settingsRecovered: false,
  minAmpsPerTWC: 6,
  wiringMaxAmpsPerTWC: 32,
  linkedChargers: 1,
  runningForMs: 60_000,
};
const raised = (i: EngineAlertInput): string[] => engineAlerts(i).filter((v) => v.on).map((v) => v.code);

test("nothing is raised when all is well, and every rule gives a verdict (so a recovered alert clears)", () => {
  assert.deepEqual(raised(calm), []);
  assert.deepEqual(
    engineAlerts(calm).map((v) => v.code),
    ["ENERGY_DATA_STALE", "SETTINGS_SAVE_FAILED", "SETTINGS_RECOVERED", "MIN_ABOVE_WIRING", "NO_CHARGERS"],
  );
});

test("each rule raises its alert", () => {
  assert.deepEqual(raised({ ...calm, anyStale: true }), ["ENERGY_DATA_STALE"]);
  assert.deepEqual(raised({ ...calm, settingsSaveFailed: true, settingsRecovered: true }), ["SETTINGS_SAVE_FAILED", "SETTINGS_RECOVERED"]);
  assert.deepEqual(raised({ ...calm, minAmpsPerTWC: 33 }), ["MIN_ABOVE_WIRING"]);
  assert.deepEqual(raised({ ...calm, minAmpsPerTWC: 32 }), [], "equal is fine");
});

test("no charger: only after the start grace", () => {
  assert.deepEqual(raised({ ...calm, linkedChargers: 0, runningForMs: NO_CHARGERS_AFTER_MS }), []);
  assert.deepEqual(raised({ ...calm, linkedChargers: 0, runningForMs: NO_CHARGERS_AFTER_MS + 1 }), ["NO_CHARGERS"]);
});
