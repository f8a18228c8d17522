/**
 * `vehicle.teslaAPI` (vehicles.md §2.1): enabled when the section is present with `enabled` absent or
 * true; its keys live in the `config` section (upstream reads only `enabled` from the section). Each
 * key is checked only when the module is on, so a stray value in a config without the module is no
 * error. Pure.
 */
import type { TeslaApiConfig, TeslaApiRegion } from "./app-config.ts";
import { coerceBooleanLike, coerceNumber } from "./coerce.ts";
import { addError, isRecord, show, type Issue } from "./schema-walk.ts";
import { readEnabled } from "./validate-bus.ts";

/** The default scopes of the login (vehicles.md §2.1). */
export const DEFAULT_TESLA_SCOPE = "openid offline_access vehicle_device_data vehicle_cmds vehicle_location vehicle_charging_cmds";

const REGIONS: readonly TeslaApiRegion[] = ["NA", "EU", "CN"];

function str(core: Record<string, unknown>, key: string, issues: Issue[]): string {
  const v = core[key];
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") {
    addError(issues, `config.${key}`, `must be a string (found ${show(v)})`);
    return "";
  }
  return v.trim();
}

function num(core: Record<string, unknown>, key: string, dflt: number, min: number, max: number, issues: Issue[]): number {
  const v = core[key];
  if (v === undefined || v === null || v === "") return dflt;
  const c = coerceNumber(v);
  if (!c.ok || c.value < min || c.value > max) {
    addError(issues, `config.${key}`, `must be a number between ${String(min)} and ${String(max)} (found ${show(v)})`);
    return dflt;
  }
  return c.value;
}

function bool(core: Record<string, unknown>, key: string, dflt: boolean, issues: Issue[]): boolean {
  const v = core[key];
  if (v === undefined || v === null) return dflt;
  const c = coerceBooleanLike(v);
  if (!c.ok) {
    addError(issues, `config.${key}`, `must be true or false (found ${show(v)})`);
    return dflt;
  }
  return c.value;
}

/** `teslaProxyCert`: true (system CAs), false (no verification) or the path of a PEM bundle. */
function proxyCert(core: Record<string, unknown>, issues: Issue[]): boolean | string {
  const v = core.teslaProxyCert;
  if (v === undefined || v === null || v === "") return true;
  if (typeof v === "string") {
    const b = coerceBooleanLike(v);
    if (b.ok && /^(true|false|yes|no|on|off|0|1)$/i.test(v.trim())) return b.value;
    return v.trim();
  }
  if (typeof v === "boolean") return v;
  addError(issues, "config.teslaProxyCert", `must be true, false or the path of a PEM file (found ${show(v)})`);
  return true;
}

/** Builds the Fleet API module's config: null when off, "error" on an error. */
export function buildTeslaApi(section: unknown, rawCore: unknown, issues: Issue[]): TeslaApiConfig | null | "error" {
  if (section === undefined || section === null) return null;
  const before = issues.length;
  if (!readEnabled(section, "vehicle.teslaAPI", true, issues))
    return issues.slice(before).some((i) => i.severity === "error") ? "error" : null;
  const core = isRecord(rawCore) ? rawCore : {};
  const region = str(core, "teslaApiRegion", issues).toUpperCase();
  if (region !== "" && !REGIONS.includes(region as TeslaApiRegion))
    addError(issues, "config.teslaApiRegion", `must be NA, EU or CN (found ${show(core.teslaApiRegion)})`);
  const proxy = str(core, "teslaProxy", issues).replace(/\/+$/, "");
  if (proxy !== "" && !/^https?:\/\/[^/\s]+/i.test(proxy))
    addError(issues, "config.teslaProxy", `must be an http(s) URL such as https://localhost:4443 (found ${show(core.teslaProxy)})`);
  const scope = str(core, "teslaApiScope", issues);
  const config: TeslaApiConfig = {
    clientId: str(core, "teslaApiClientID", issues),
    redirectUri: str(core, "teslaApiRedirectUri", issues),
    clientSecret: str(core, "teslaApiClientSecret", issues),
    region: REGIONS.includes(region as TeslaApiRegion) ? (region as TeslaApiRegion) : "NA",
    scope: scope === "" ? DEFAULT_TESLA_SCOPE : scope,
    proxy: proxy === "" ? null : proxy,
    proxyCert: proxyCert(core, issues),
    cloudUpdateIntervalS: num(core, "cloudUpdateInterval", 1800, 0, 86400 * 7, issues),
    wakeDelayMins: num(core, "wakeDelayMins", 3, 0, 1440, issues),
    atHomeRadiusFt: num(core, "atHomeRadius", 10560, 1, 10_000_000, issues),
    minChargeLevel: num(core, "minChargeLevel", -1, -1, 100, issues),
    respectVehicleSchedule: bool(core, "respectVehicleSchedule", true, issues),
  };
  return issues.slice(before).some((i) => i.severity === "error") ? "error" : config;
}
