/**
 * The Settings page's car settings (vehicles.md §8.3, §4.9), pure: which vehicle modules the loaded
 * config.json turns on, whether it hard-sets `vehicle.commandPolicy`, and the policy choices.
 */
import type { StateDocument } from "../state/types.ts";

/** A command policy (vehicles.md §4.9). */
export type CommandPolicy = "prefer_ble" | "ble_only" | "api_only";

/** The Settings page's policy choices, in upstream's words. */
export const POLICY_CHOICES: readonly { value: CommandPolicy; label: string }[] = [
  { value: "prefer_ble", label: "Prefer BLE, fall back to Tesla API" },
  { value: "ble_only", label: "BLE only - never send billed API commands" },
  { value: "api_only", label: "Tesla API only - never use BLE" },
];

/** What the page needs from config.json. */
export interface VehicleConfig {
  /** The vehicle sections config.json turns on (e.g. "teslaAPI", "teslaBLE"). */
  modules: string[];
  /** `vehicle.commandPolicy` when config.json sets a valid one (it overrides the setting), else null. */
  commandPolicy: CommandPolicy | null;
}

const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** A policy from any case ("BLE_ONLY" counts, as for the server), else null. */
export function asPolicy(v: unknown): CommandPolicy | null {
  if (typeof v !== "string") return null;
  const p = v.trim().toLowerCase();
  return POLICY_CHOICES.some((c) => c.value === p) ? (p as CommandPolicy) : null;
}

/**
 * Reads GET /api/getConfig's answer (config.json as loaded, secrets hidden). A section is on with
 * `enabled: true`; `teslaBLE` also when `enabled` is absent (vehicles.md §4.1).
 */
export function vehicleConfigOf(config: unknown): VehicleConfig {
  const v = obj(obj(config)?.vehicle);
  if (!v) return { modules: [], commandPolicy: null };
  const modules = Object.entries(v)
    .filter(([name, sec]) => {
      const s = obj(sec);
      if (!s) return false;
      return s.enabled === true || (name === "teslaBLE" && !Object.hasOwn(s, "enabled"));
    })
    .map(([name]) => name)
    .sort();
  return { modules, commandPolicy: asPolicy(v.commandPolicy) };
}

/**
 * A vehicle module runs: the Fleet API module (its account in the state), a car from any module, or a
 * section config.json turns on (the server may still have turned an incomplete one off).
 */
export function hasVehicleModule(state: StateDocument | null, config: VehicleConfig | null): boolean {
  return (state !== null && (state.teslaAccount !== null || state.vehicles.length > 0)) || (config?.modules.length ?? 0) > 0;
}
