/**
 * Scheduled charging (controller.md §18): the window check behind `checkScheduledCharging()`, the
 * flex start, and the schedule fields of `GET /api/getStatus` (http-api.md §6.1).
 */
import { finiteOr, numericValue, round2 } from "./numbers.ts";
import type { FlexVehicleData, LocalTime, PolicySettings } from "./types.ts";

/** The schedule settings with their defaults applied (config.md §2.2). */
export interface ScheduleSettings {
  ampsMax: number;
  /** Fractional hours; −1 = unset. */
  startHour: number;
  /** Fractional hours; −1 = unset. */
  endHour: number;
  /** Bit 0 = Monday … bit 6 = Sunday. */
  daysBitmap: number;
  flexEnabled: boolean;
  /** kWh. */
  batterySize: number;
}

/** The effective start of the window and the days it starts on (after the flex start). */
export interface EffectiveStart {
  startHour: number;
  daysBitmap: number;
  /** True when the flex start replaced the configured start. */
  flexApplied: boolean;
}

/** Reads the schedule settings defensively (numeric strings accepted; garbage → defaults). */
export function scheduleSettings(settings: PolicySettings): ScheduleSettings {
  const flex = settings["scheduledAmpsFlexStart"];
  const battery = finiteOr(settings["scheduledAmpsBatterySize"], 100);
  return {
    ampsMax: finiteOr(settings["scheduledAmpsMax"], 0),
    startHour: finiteOr(settings["scheduledAmpsStartHour"], -1),
    endHour: finiteOr(settings["scheduledAmpsEndHour"], -1),
    daysBitmap: Math.trunc(finiteOr(settings["scheduledAmpsDaysBitmap"], 127)) & 127,
    flexEnabled: flex === true || (numericValue(flex) ?? 0) !== 0,
    batterySize: battery > 0 ? battery : 100,
  };
}

function bit(bitmap: number, day: number): boolean {
  return ((bitmap >> day) & 1) === 1;
}

/** Rotates a 7-bit days bitmap left by one day (Mon→Tue … Sun→Mon). */
export function rotateDaysLeft(bitmap: number): number {
  const b = bitmap & 127;
  return ((b << 1) | (b >> 6)) & 127;
}

/** Rotates a 7-bit days bitmap right by one day (Tue→Mon … Mon→Sun). */
export function rotateDaysRight(bitmap: number): number {
  const b = bitmap & 127;
  return ((b >> 1) | ((b & 1) << 6)) & 127;
}

/**
 * The flex start (controller.md §18). Without vehicle data (or when a precondition fails) the
 * configured start and days are returned unchanged. Vehicle preconditions (vehicle module, exactly one
 * slave, VIN known) are the caller's: it passes `vehicle` only when they hold.
 */
export function flexStart(settings: PolicySettings, vehicle?: FlexVehicleData | null): EffectiveStart {
  const s = scheduleSettings(settings);
  const configured: EffectiveStart = { startHour: s.startHour, daysBitmap: s.daysBitmap, flexApplied: false };
  if (!vehicle || !s.flexEnabled || s.startHour < 0 || s.endHour < 0 || s.ampsMax <= 0) return configured;
  const level = vehicle.batteryLevel;
  const limit = vehicle.chargeLimit;
  if (!Number.isFinite(level) || !Number.isFinite(limit)) return configured;
  const kW =
    (s.ampsMax * (vehicle.voltage ?? 240) * (vehicle.phases ?? 1) * (vehicle.realPowerFactor ?? 1)) / 1000;
  if (!Number.isFinite(kW) || kW <= 0) return configured;
  const hoursFull = s.batterySize / kW;
  const factor = (limit - level) / 100;
  let f = round2(s.endHour - hoursFull * factor) - 0.25;
  if (limit >= 98) f -= 0.5;
  if (f < 0) f += 24;
  // Beyond the spec (which adds 24 once): a charge needing more than a day, or a car above its limit
  // with a late end, would leave F outside 0 ≤ F < 24; wrap it into the day.
  f = ((f % 24) + 24) % 24;
  f = round2(f);
  if (f >= 24) f = 0;
  let days = s.daysBitmap;
  if (s.startHour > s.endHour && f < s.endHour) days = rotateDaysLeft(days);
  else if (s.startHour < s.endHour && f > s.endHour) days = rotateDaysRight(days);
  return { startHour: f, daysBitmap: days, flexApplied: true };
}

/**
 * `checkScheduledCharging()` → 1 inside the scheduled window, else 0. A window with start > end crosses
 * midnight and belongs to the day it starts on; start == end never matches. `effective` replaces the
 * configured start and days (flex start).
 */
export function checkScheduledCharging(
  settings: PolicySettings,
  local: LocalTime,
  effective?: Pick<EffectiveStart, "startHour" | "daysBitmap">,
): 0 | 1 {
  const s = scheduleSettings(settings);
  const start = effective?.startHour ?? s.startHour;
  const days = effective?.daysBitmap ?? s.daysBitmap;
  const end = s.endHour;
  if (!(s.ampsMax > 0) || !(start > -1) || !(end > -1) || !(days > 0)) return 0;
  const h = local.hour + local.min / 60;
  const today = ((local.wday % 7) + 7) % 7;
  const yesterday = (today + 6) % 7;
  if (start > end) {
    return (h >= start && bit(days, today)) || (h < end && bit(days, yesterday)) ? 1 : 0;
  }
  return start <= h && h < end && bit(days, today) ? 1 : 0;
}

const DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
const FLEX_DAY_NAMES = [
  "flexMonday",
  "flexTuesday",
  "flexWednesday",
  "flexThursday",
  "flexFriday",
  "flexSaturday",
  "flexSunday",
] as const;

type Days<K extends string> = Record<K, boolean>;

/** The `ScheduledCharging` object of getStatus (keys in the order of http-api.md §6.1). */
export type ScheduledChargingView = {
  enabled: boolean;
  amps: number;
  startingMinute: number;
  endingMinute: number;
} & Days<(typeof DAY_NAMES)[number]> & {
    flexStartEnabled: 0 | 1;
    flexStartingMinute: number;
    flexEndingMinute: number;
  } & Days<(typeof FLEX_DAY_NAMES)[number]> & { flexBatterySize: number };

/** The schedule fields of getStatus (#12–#15 of http-api.md §6.1), keys in order. */
export interface ScheduleView {
  scheduledChargingStartHour: number;
  scheduledChargingFlexStart: number;
  scheduledChargingEndHour: number;
  ScheduledCharging: ScheduledChargingView;
}

/** Builds the schedule part of getStatus from the settings and optional flex vehicle data. */
export function scheduleView(settings: PolicySettings, vehicle?: FlexVehicleData | null): ScheduleView {
  const s = scheduleSettings(settings);
  const eff = flexStart(settings, vehicle);
  const toMinute = (h: number): number => (h < 0 ? -1 : Math.round(h * 60));
  const view: Record<string, unknown> = {
    enabled: s.startHour >= 0 && s.endHour >= 0 && s.daysBitmap > 0 && s.ampsMax > 0,
    amps: Math.trunc(s.ampsMax),
    startingMinute: toMinute(s.startHour),
    endingMinute: toMinute(s.endHour),
  };
  DAY_NAMES.forEach((name, i) => (view[name] = bit(s.daysBitmap, i)));
  view["flexStartEnabled"] = s.flexEnabled ? 1 : 0;
  view["flexStartingMinute"] = s.startHour < 0 ? -1 : toMinute(eff.startHour);
  view["flexEndingMinute"] = toMinute(s.endHour);
  FLEX_DAY_NAMES.forEach((name, i) => (view[name] = bit(eff.daysBitmap, i)));
  view["flexBatterySize"] = s.batterySize;
  return {
    scheduledChargingStartHour: s.startHour < 0 ? -1 : Math.trunc(s.startHour),
    scheduledChargingFlexStart: eff.flexApplied ? round2(eff.startHour) : s.startHour,
    scheduledChargingEndHour: s.endHour,
    ScheduledCharging: view as ScheduledChargingView,
  };
}
