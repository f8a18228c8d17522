/**
 * The engine's own alert rules (the bus controller raises the bus alerts itself): which of them hold
 * for what the engine sees at a refresh. Pure; the engine applies the result to its AlertSet.
 */
import type { AlertCode } from "../state/types.ts";

/** What the engine's alert rules look at. */
export interface EngineAlertInput {
  /** Some energy reading is stale (controller.md §17.1). */
  anyStale: boolean;
  settingsSaveFailed: boolean;
  settingsRecovered: boolean;
  minAmpsPerTWC: number;
  wiringMaxAmpsPerTWC: number;
  linkedChargers: number;
  /** Milliseconds since the engine started. */
  runningForMs: number;
}

/** One rule's verdict: the alert is raised (`on`) or cleared, with its message. */
export interface AlertVerdict {
  code: AlertCode;
  on: boolean;
  message: string;
}

/** How long after the start "No charger has linked" waits. */
export const NO_CHARGERS_AFTER_MS = 30_000;

/** The verdicts of every engine alert rule, in a stable order. */
export function engineAlerts(i: EngineAlertInput): AlertVerdict[] {
  return [
    { code: "ENERGY_DATA_STALE", on: i.anyStale, message: "Energy data is stale: green budget and grid limit are 0 until fresh data arrives" },
    { code: "SETTINGS_SAVE_FAILED", on: i.settingsSaveFailed, message: "settings.json could not be saved" },
    { code: "SETTINGS_RECOVERED", on: i.settingsRecovered, message: "settings.json was corrupt and was recovered from its backup" },
    {
      code: "MIN_ABOVE_WIRING",
      on: i.minAmpsPerTWC > i.wiringMaxAmpsPerTWC,
      message: "minAmpsPerTWC is above wiringMaxAmpsPerTWC: charging can never start",
    },
    { code: "NO_CHARGERS", on: i.linkedChargers === 0 && i.runningForMs > NO_CHARGERS_AFTER_MS, message: "No charger has linked" },
  ];
}
