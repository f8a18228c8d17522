/**
 * `commandPolicy` (vehicles.md §4.9): which backends a command or a state read may use, where the
 * policy comes from, and how often a backend is tried. Pure.
 */
import type { CommandPolicy } from "../../config/app-config.ts";
import type { BackendKind } from "./backend.ts";

/** The default policy. */
export const DEFAULT_POLICY: CommandPolicy = "prefer_ble";

/**
 * May a backend of `kind` serve this call? Commands: `ble_only` skips the cloud paths (Fleet API, Home
 * Assistant: billed or cloud commands), `api_only` skips BLE. State reads (§4.8): only `api_only` skips
 * BLE (reads through the cloud are never skipped).
 */
export function allowed(kind: BackendKind, policy: CommandPolicy, command: boolean): boolean {
  if (kind === "ble") return policy !== "api_only";
  if (kind === "api") return !command || policy !== "ble_only";
  return true;
}

/** §4.9: `vehicle.commandPolicy` from config.json wins; else `settings.commandPolicy`; an invalid value is the default. */
export function effectivePolicy(fromConfig: CommandPolicy | null | undefined, fromSettings: unknown): CommandPolicy {
  if (fromConfig) return fromConfig;
  const v = typeof fromSettings === "string" ? fromSettings.trim().toLowerCase() : "";
  return v === "prefer_ble" || v === "ble_only" || v === "api_only" ? v : DEFAULT_POLICY;
}

/** §4.9: attempts per backend = priority div 10 + 1 (BLE 3, Home Assistant 2, Fleet API 2). */
export function attemptsFor(priority: number): number {
  return Math.max(1, Math.floor(priority / 10) + 1);
}
