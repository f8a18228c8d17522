/**
 * The vehicle-state modules' sections (vehicles.md §5.1, §6.1, §7.1): `vehicle.TeslaMate`,
 * `vehicle.teslaFleetTelemetryMQTT` and `vehicle.HomeAssistant`. Each is on only with `enabled: true`
 * and is checked only then. A missing part that only turns a feature off (a database key, the broker)
 * is a warning naming what stays off; a wrong type is an error. Pure.
 */
import type { FleetTelemetryConfig, HassVehicleConfig, TelemetryMqttConfig, TeslaMateConfig } from "./app-config.ts";
import { coerceBooleanLike, coerceInteger, coerceNumber } from "./coerce.ts";
import { addError, addWarning, isRecord, joinPath, show, type Issue } from "./schema-walk.ts";
import { readEnabled } from "./validate-bus.ts";

/** TeslaMate's sample placeholder for `encryption_key` (sic). */
export const SAMPLE_ENCRYPTION_KEY = "chanegme";

type Section = Record<string, unknown>;

function str(s: Section, key: string, path: string, issues: Issue[]): string {
  const v = s[key];
  if (v === undefined || v === null) return "";
  if (typeof v === "number") return String(v);
  if (typeof v !== "string") {
    addError(issues, joinPath(path, key), `must be a string (found ${show(v)})`);
    return "";
  }
  return v.trim();
}

function bool(s: Section, key: string, path: string, issues: Issue[]): boolean {
  const v = s[key];
  if (v === undefined || v === null) return false;
  const c = coerceBooleanLike(v);
  if (!c.ok) {
    addError(issues, joinPath(path, key), `must be true or false (found ${show(v)})`);
    return false;
  }
  return c.value;
}

function port(s: Section, key: string, dflt: number, path: string, issues: Issue[]): number {
  const v = s[key];
  if (v === undefined || v === null || v === "") return dflt;
  const c = coerceInteger(v);
  if (!c.ok || c.value < 1 || c.value > 65535) {
    addError(issues, joinPath(path, key), `must be a port number 1–65535 (found ${show(v)})`);
    return dflt;
  }
  return c.value;
}

/** `config.atHomeRadius` (feet, default 10560 as the Fleet API module). */
function homeRadius(rawCore: unknown): number {
  const v = isRecord(rawCore) ? rawCore.atHomeRadius : undefined;
  const c = v === undefined || v === null || v === "" ? null : coerceNumber(v);
  return c?.ok && c.value > 0 ? c.value : 10560;
}

/** The section when enabled, null when off; "error" when `enabled` itself is wrong. */
function enabledSection(section: unknown, path: string, issues: Issue[]): Section | null | "error" {
  if (section === undefined || section === null) return null;
  const before = issues.length;
  const on = readEnabled(section, path, false, issues);
  if (issues.slice(before).some((i) => i.severity === "error")) return "error";
  return on && isRecord(section) ? section : null;
}

/** §7.1 broker keys; null (with a warning) when `syncTelemetry` is on without `mqtt_host`. */
function telemetryBroker(s: Section, path: string, issues: Issue[]): TelemetryMqttConfig | null {
  if (!bool(s, "syncTelemetry", path, issues)) return null;
  const host = str(s, "mqtt_host", path, issues);
  if (host === "") {
    addWarning(issues, joinPath(path, "mqtt_host"), "is missing: telemetry stays off (syncTelemetry needs the MQTT broker's host)");
    return null;
  }
  const user = str(s, "mqtt_user", path, issues);
  const pass = str(s, "mqtt_pass", path, issues);
  const both = user !== "" && pass !== "";
  return {
    host,
    port: port(s, "mqtt_port", 1883, path, issues),
    username: both ? user : null,
    password: both ? pass : null,
    prefix: str(s, "mqtt_prefix", path, issues).replace(/^\/+|\/+$/g, ""),
  };
}

const failed = (issues: Issue[], before: number): boolean => issues.slice(before).some((i) => i.severity === "error");

/** vehicle.TeslaMate (§5.1): null when off, "error" on an error. */
export function buildTeslaMate(section: unknown, rawCore: unknown, issues: Issue[]): TeslaMateConfig | null | "error" {
  const path = "vehicle.TeslaMate";
  const before = issues.length;
  const s = enabledSection(section, path, issues);
  if (s === null || s === "error") return s;
  let db: TeslaMateConfig["db"] = null;
  const encryptionKey = str(s, "encryption_key", path, issues);
  if (bool(s, "syncTokens", path, issues)) {
    const keys = { host: str(s, "db_host", path, issues), database: str(s, "db_name", path, issues), user: str(s, "db_user", path, issues), password: str(s, "db_pass", path, issues) };
    const missing = (["db_host", "db_name", "db_user", "db_pass"] as const).filter((_, i) => [keys.host, keys.database, keys.user, keys.password][i] === "");
    if (missing.length > 0) addWarning(issues, path, `${missing.join(", ")} missing: token sync stays off (syncTokens needs TeslaMate's PostgreSQL host, database, user and password)`);
    else if (encryptionKey === "") addWarning(issues, joinPath(path, "encryption_key"), "is missing: token sync stays off (it must be TeslaMate's ENCRYPTION_KEY)");
    else {
      if (encryptionKey === SAMPLE_ENCRYPTION_KEY) addWarning(issues, joinPath(path, "encryption_key"), "is the sample's placeholder: set it to TeslaMate's ENCRYPTION_KEY");
      db = { ...keys, port: port(s, "db_port", 5432, path, issues) };
    }
  }
  const telemetry = telemetryBroker(s, path, issues);
  if (failed(issues, before)) return "error";
  return { db, encryptionKey, telemetry, atHomeRadiusFt: homeRadius(rawCore) };
}

/** vehicle.teslaFleetTelemetryMQTT (§7.2): null when off, "error" on an error. */
export function buildFleetTelemetry(section: unknown, rawCore: unknown, issues: Issue[]): FleetTelemetryConfig | null | "error" {
  const path = "vehicle.teslaFleetTelemetryMQTT";
  const before = issues.length;
  const s = enabledSection(section, path, issues);
  if (s === null || s === "error") return s;
  const telemetry = telemetryBroker(s, path, issues);
  if (telemetry !== null && telemetry.prefix === "") addWarning(issues, joinPath(path, "mqtt_prefix"), "is empty: every topic of the broker is read as Fleet Telemetry (set it to the server's topic_base)");
  if (failed(issues, before)) return "error";
  return { telemetry, atHomeRadiusFt: homeRadius(rawCore) };
}

/** vehicle.HomeAssistant (§6.1): null when off (or incomplete, with a warning), "error" on an error. */
export function buildHassVehicle(section: unknown, rawCore: unknown, issues: Issue[]): HassVehicleConfig | null | "error" {
  const path = "vehicle.HomeAssistant";
  const before = issues.length;
  const s = enabledSection(section, path, issues);
  if (s === null || s === "error") return s;
  const url = str(s, "url", path, issues).replace(/\/+$/, "");
  const token = str(s, "longLivedToken", path, issues);
  if (failed(issues, before)) return "error";
  if (!/^https?:\/\/[^/\s]+/i.test(url)) {
    addWarning(issues, joinPath(path, "url"), `must be Home Assistant's http(s) base URL such as http://homeassistant.local:8123 (found ${show(s.url)}): the module stays off`);
    return null;
  }
  if (token.length < 20) {
    addWarning(issues, joinPath(path, "longLivedToken"), "must be a long-lived access token (at least 20 characters; HA profile → Security): the module stays off");
    return null;
  }
  return { url, token, atHomeRadiusFt: homeRadius(rawCore) };
}
