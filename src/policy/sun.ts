/**
 * Sunrise and sunset hours (controller.md §21), computed locally with the NOAA solar-position
 * algorithm (the equations of NOAA's Solar Calculator: Meeus-based sun longitude, declination and
 * equation of time; zenith 90.833° for refraction and the solar disc). No network access.
 */
import { localOffsetMinutes, toLocalTime } from "./local-time.ts";
import { finiteOr } from "./numbers.ts";

/** Integer local hours used by the Track Green Energy policy. */
export interface SunHours {
  sunrise: number;
  sunset: number;
}

/** Hours used for an unknown home location (lat/lon 10000) or invalid coordinates. */
export const DEFAULT_SUN_HOURS: Readonly<SunHours> = { sunrise: 6, sunset: 20 };

/** The value of `homeLat` / `homeLon` meaning "unknown". */
export const UNKNOWN_LOCATION = 10000;

/**
 * Polar day: the sun never sets → the widest window the 0–23 settings range can express.
 * Polar night: it never rises → an empty window (hour ≥ 12 and hour < 12 never holds), so the daytime
 * green policy does not match.
 */
export const POLAR_DAY_HOURS: Readonly<SunHours> = { sunrise: 0, sunset: 23 };
/** See `POLAR_DAY_HOURS`. */
export const POLAR_NIGHT_HOURS: Readonly<SunHours> = { sunrise: 12, sunset: 12 };

/** Sun events of one date in minutes after 00:00 UTC of that date, or the polar case. */
export type SunEvents = { sunrise: number; sunset: number } | { polar: "day" | "night" };

const rad = (d: number): number => (d * Math.PI) / 180;
const deg = (r: number): number => (r * 180) / Math.PI;

function sunParams(jd: number): { declination: number; eqTimeMin: number } {
  const t = (jd - 2451545.0) / 36525.0;
  const l0 = (((280.46646 + t * (36000.76983 + t * 0.0003032)) % 360) + 360) % 360;
  const m = 357.52911 + t * (35999.05029 - 0.0001537 * t);
  const e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
  const mr = rad(m);
  const c =
    Math.sin(mr) * (1.914602 - t * (0.004817 + 0.000014 * t)) +
    Math.sin(2 * mr) * (0.019993 - 0.000101 * t) +
    Math.sin(3 * mr) * 0.000289;
  const omega = 125.04 - 1934.136 * t;
  const lambda = l0 + c - 0.00569 - 0.00478 * Math.sin(rad(omega));
  const seconds = 21.448 - t * (46.815 + t * (0.00059 - t * 0.001813));
  const e0 = 23 + (26 + seconds / 60) / 60;
  const eps = e0 + 0.00256 * Math.cos(rad(omega));
  const declination = deg(Math.asin(Math.sin(rad(eps)) * Math.sin(rad(lambda))));
  const y = Math.tan(rad(eps) / 2) ** 2;
  const l0r = rad(l0);
  const eqTime =
    y * Math.sin(2 * l0r) -
    2 * e * Math.sin(mr) +
    4 * e * y * Math.sin(mr) * Math.cos(2 * l0r) -
    0.5 * y * y * Math.sin(4 * l0r) -
    1.25 * e * e * Math.sin(2 * mr);
  return { declination, eqTimeMin: deg(eqTime) * 4 };
}

/** Minutes after 00:00 UTC of the event, or the polar case; `jd` = Julian day of 00:00 UTC (+ guess). */
function eventUtc(rise: boolean, jd: number, lat: number, lon: number): number | "day" | "night" {
  const { declination, eqTimeMin } = sunParams(jd);
  const latR = rad(lat);
  const decR = rad(declination);
  const cosHa = Math.cos(rad(90.833)) / (Math.cos(latR) * Math.cos(decR)) - Math.tan(latR) * Math.tan(decR);
  if (cosHa > 1) return "night";
  if (cosHa < -1) return "day";
  const ha = deg(Math.acos(cosHa));
  return 720 - 4 * (lon + (rise ? ha : -ha)) - eqTimeMin;
}

function refined(rise: boolean, jd0: number, lat: number, lon: number): number | "day" | "night" {
  const first = eventUtc(rise, jd0, lat, lon);
  if (typeof first !== "number") return first;
  // NOAA refines once with the sun's parameters at the estimated moment of the event.
  const second = eventUtc(rise, jd0 + first / 1440, lat, lon);
  return typeof second === "number" ? second : first;
}

/** NOAA sunrise/sunset for a calendar date (lat north-positive, lon east-positive, degrees). */
export function sunEvents(lat: number, lon: number, year: number, mon: number, mday: number): SunEvents {
  const jd0 = Date.UTC(year, mon - 1, mday) / 86_400_000 + 2440587.5;
  const rise = refined(true, jd0, lat, lon);
  const set = refined(false, jd0, lat, lon);
  if (typeof rise === "number" && typeof set === "number") return { sunrise: rise, sunset: set };
  const polar = typeof rise === "string" ? rise : typeof set === "string" ? set : "night";
  return { polar };
}

/** Rounds local minutes-after-midnight to an hour in 0–23 (minutes ≥ 30 round up; whole minutes). */
function roundToHour(localMinutes: number): number {
  const h = Math.floor((Math.floor(localMinutes) + 30) / 60);
  return Math.min(23, Math.max(0, h));
}

/**
 * Sunrise and sunset as integer local hours for the home location on a local calendar date;
 * `offsetMinutes` is the local UTC offset on that date (e.g. 120 for CEST). Unknown (10000) or invalid
 * coordinates → 6 / 20. Values are clamped to 0–23 (an event before local midnight → 0, after → 23).
 */
export function sunHours(
  homeLat: unknown,
  homeLon: unknown,
  date: { year: number; mon: number; mday: number },
  offsetMinutes: number,
): SunHours {
  const lat = finiteOr(homeLat, UNKNOWN_LOCATION);
  const lon = finiteOr(homeLon, UNKNOWN_LOCATION);
  if (lat === UNKNOWN_LOCATION || lon === UNKNOWN_LOCATION || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
    return { ...DEFAULT_SUN_HOURS };
  }
  const ev = sunEvents(lat, lon, date.year, date.mon, date.mday);
  if ("polar" in ev) return { ...(ev.polar === "day" ? POLAR_DAY_HOURS : POLAR_NIGHT_HOURS) };
  const offset = Number.isFinite(offsetMinutes) ? offsetMinutes : 0;
  return { sunrise: roundToHour(ev.sunrise + offset), sunset: roundToHour(ev.sunset + offset) };
}

/** `sunHours` for the local date of an instant in a time zone (default: the process's zone). */
export function sunHoursAt(homeLat: unknown, homeLon: unknown, epochMs: number, timeZone?: string): SunHours {
  const local = toLocalTime(epochMs, timeZone);
  // The offset at local noon of that date is the one in force during daylight (DST switches at night).
  const noonGuess =
    Date.UTC(local.year, local.mon - 1, local.mday, 12) - localOffsetMinutes(epochMs, timeZone) * 60_000;
  return sunHours(homeLat, homeLon, local, localOffsetMinutes(noonGuess, timeZone));
}
