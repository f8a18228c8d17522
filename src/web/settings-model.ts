/**
 * The settings values the browser knows: those mirrored in the state document, overlaid with the
 * optional settings endpoint (GET /api/v2/settings) when the server offers it.
 */
import type { StateDocument } from "../state/types.ts";
import { getJson } from "./api.ts";

/** Settings keys mirrored in the state document. */
export function settingsFromState(s: StateDocument): Record<string, unknown> {
  const endsAt = s.chargeNow.endsAt === null ? NaN : Date.parse(s.chargeNow.endsAt);
  return {
    chargeNowAmps: s.chargeNow.amps,
    chargeNowTimeEnd: Number.isFinite(endsAt) ? endsAt / 1000 : 0,
    sunrise: s.schedule.sunriseHour,
    sunset: s.schedule.sunsetHour,
    hourResumeTrackGreenEnergy: s.schedule.resumeGreenEnergyHour,
    nonScheduledAction: s.schedule.nonScheduledAction,
    nonScheduledAmpsMax: s.schedule.nonScheduledAmps,
    scheduledAmpsMax: s.schedule.amps,
    scheduledAmpsStartHour: s.schedule.startMinute < 0 ? -1 : s.schedule.startMinute / 60,
    scheduledAmpsEndHour: s.schedule.endMinute < 0 ? -1 : s.schedule.endMinute / 60,
    scheduledAmpsFlexStart: s.schedule.flexStart.enabled ? 1 : 0,
    scheduledAmpsBatterySize: s.schedule.flexStart.batteryKWh,
  };
}

/**
 * Fetches the full settings when the server offers them: the settings object, null when it could not be
 * read now, or "unsupported" when the server has no such endpoint (404: do not ask again).
 */
export async function fetchSettings(): Promise<Record<string, unknown> | null | "unsupported"> {
  const r = await getJson("/api/v2/settings");
  if (!r.ok && r.status === 404) return "unsupported";
  if (!r.ok || typeof r.data !== "object" || r.data === null || Array.isArray(r.data)) return null;
  const d = r.data as Record<string, unknown>;
  // Accept either the bare settings object or {settings: {...}}.
  const inner = d.settings;
  return typeof inner === "object" && inner !== null && !Array.isArray(inner)
    ? (inner as Record<string, unknown>)
    : d;
}

/** Reads a 0/1/boolean-like setting; null when unknown. */
export function flag(settings: Readonly<Record<string, unknown>>, key: string): boolean | null {
  if (!Object.hasOwn(settings, key)) return null;
  const v = settings[key];
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return ["1", "true", "on", "yes"].includes(v.trim().toLowerCase());
  return null;
}

/** Reads a numeric setting; null when unknown. */
export function num(settings: Readonly<Record<string, unknown>>, key: string): number | null {
  const v = settings[key];
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
}
