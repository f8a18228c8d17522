/**
 * `vehicle.teslaBLE` and `vehicle.commandPolicy` (vehicles.md §4.1, §4.9). The BLE module is on when
 * the section is present with `enabled` absent or true; its keys live in the `config` section
 * (`teslaControlPath`, `moduleConfiguration.TeslaBLE.*`, and the shared `minChargeLevel` /
 * `respectVehicleSchedule`). Each key is checked only when the module is on. Pure.
 */
import type { CommandPolicy, TeslaBleConfig } from "./app-config.ts";
import { coerceBooleanLike, coerceNumber } from "./coerce.ts";
import { addError, addWarning, isRecord, show, type Issue } from "./schema-walk.ts";
import { readEnabled } from "./validate-bus.ts";

/** Upstream's default location of the binary (`go install` into ~/gobin). */
export const DEFAULT_TESLA_CONTROL_PATH = "~/gobin/tesla-control";

/** The three routing policies (vehicles.md §4.9). */
export const COMMAND_POLICIES: readonly CommandPolicy[] = ["prefer_ble", "ble_only", "api_only"];

function num(sec: Record<string, unknown>, path: string, key: string, dflt: number, min: number, max: number, issues: Issue[]): number {
  const v = sec[key];
  if (v === undefined || v === null || v === "") return dflt;
  const c = coerceNumber(v);
  if (!c.ok || c.value < min || c.value > max) {
    addError(issues, `${path}.${key}`, `must be a number between ${String(min)} and ${String(max)} (found ${show(v)})`);
    return dflt;
  }
  return c.value;
}

function bool(sec: Record<string, unknown>, path: string, key: string, dflt: boolean, issues: Issue[]): boolean {
  const v = sec[key];
  if (v === undefined || v === null) return dflt;
  const c = coerceBooleanLike(v);
  if (!c.ok) {
    addError(issues, `${path}.${key}`, `must be true or false (found ${show(v)})`);
    return dflt;
  }
  return c.value;
}

/** Builds the BLE module's config: null when off, "error" on an error. */
export function buildTeslaBle(section: unknown, rawCore: unknown, issues: Issue[]): TeslaBleConfig | null | "error" {
  if (section === undefined || section === null) return null;
  const before = issues.length;
  if (!readEnabled(section, "vehicle.teslaBLE", true, issues))
    return issues.slice(before).some((i) => i.severity === "error") ? "error" : null;
  const core = isRecord(rawCore) ? rawCore : {};
  let controlPath = DEFAULT_TESLA_CONTROL_PATH;
  const p = core.teslaControlPath;
  if (typeof p === "string" && p.trim() !== "") controlPath = p.trim();
  else if (p !== undefined && p !== null && p !== "") addError(issues, "config.teslaControlPath", `must be the path of the tesla-control program (found ${show(p)})`);
  const mc = core.moduleConfiguration;
  if (mc !== undefined && mc !== null && !isRecord(mc)) addError(issues, "config.moduleConfiguration", `must be an object (found ${show(mc)})`);
  const rawBle = isRecord(mc) ? mc.TeslaBLE : undefined;
  if (rawBle !== undefined && rawBle !== null && !isRecord(rawBle)) addError(issues, "config.moduleConfiguration.TeslaBLE", `must be an object (found ${show(rawBle)})`);
  const ble = isRecord(rawBle) ? rawBle : {};
  const path = "config.moduleConfiguration.TeslaBLE";
  // Read for compatibility, no effect (vehicles.md §4.1): checked so a typo is still reported.
  for (const k of ["processGroupManagement", "dockerCompatibility", "statsReporting"]) bool(ble, path, k, true, issues);
  const config: TeslaBleConfig = {
    controlPath,
    commandTimeoutS: num(ble, path, "commandTimeout", 5, 0.05, 300, issues),
    maxRetries: Math.trunc(num(ble, path, "maxRetries", 3, 0, 10, issues)),
    retryDelayS: num(ble, path, "retryDelay", 2, 0, 60, issues),
    circuitBreakerThreshold: Math.max(1, Math.trunc(num(ble, path, "circuitBreakerThreshold", 5, 1, 1000, issues))),
    circuitBreakerTimeoutS: num(ble, path, "circuitBreakerTimeout", 60, 0, 86400, issues),
    minChargeLevel: num(core, "config", "minChargeLevel", -1, -1, 100, issues),
    respectVehicleSchedule: bool(core, "config", "respectVehicleSchedule", true, issues),
  };
  return issues.slice(before).some((i) => i.severity === "error") ? "error" : config;
}

/**
 * `vehicle.commandPolicy` (case-insensitive): the policy, or null when absent. An invalid value is
 * warned about and ignored (null: settings.commandPolicy, else prefer_ble, applies).
 */
export function buildCommandPolicy(raw: unknown, issues: Issue[]): CommandPolicy | null {
  if (raw === undefined || raw === null || raw === "") return null;
  const v = typeof raw === "string" ? raw.trim().toLowerCase() : null;
  const hit = COMMAND_POLICIES.find((p) => p === v);
  if (hit) return hit;
  addWarning(issues, "vehicle.commandPolicy", `must be prefer_ble, ble_only or api_only (found ${show(raw)}); ignored`);
  return null;
}
