/** Pure schedule geometry for the weekly grids and their text descriptions (controller.md §18). */
import type { Days, StateDocument } from "../state/types.ts";
import { hourLabel, minuteToHHMM } from "./format.ts";

/** Weekday keys, Monday first (Monday = 0, as the policy engine counts). */
export const DAY_KEYS = [
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
] as const;
/** Short weekday names, Monday first. */
export const DAY_SHORT = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
/** Long weekday names, Monday first. */
export const DAY_LONG = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
] as const;

/** The schedule fields the grid needs. */
export type ScheduleShape = Pick<
  StateDocument["schedule"],
  "enabled" | "amps" | "startMinute" | "endMinute" | "days"
>;

/** A coloured stretch of one day: minutes [from, to). */
export interface Segment {
  day: number;
  from: number;
  to: number;
}

/** True when the schedule actually charges (what the server stores as an active schedule). */
export function scheduleEffective(s: ScheduleShape): boolean {
  return (
    s.enabled &&
    s.amps > 0 &&
    s.startMinute >= 0 &&
    s.endMinute >= 0 &&
    s.startMinute !== s.endMinute &&
    DAY_KEYS.some((k) => s.days[k])
  );
}

/** The charging windows of a week; a window crossing midnight continues on the next day. */
export function scheduleSegments(s: ScheduleShape): Segment[] {
  if (!scheduleEffective(s)) return [];
  const out: Segment[] = [];
  DAY_KEYS.forEach((k, d) => {
    if (!s.days[k]) return;
    if (s.startMinute < s.endMinute) out.push({ day: d, from: s.startMinute, to: s.endMinute });
    else {
      out.push({ day: d, from: s.startMinute, to: 1440 });
      if (s.endMinute > 0) out.push({ day: (d + 1) % 7, from: 0, to: s.endMinute });
    }
  });
  return out;
}

/** The green-tracking hours of each day (default policy list, controller.md §16.2). */
export function greenSegments(o: {
  nonScheduledAction: number;
  sunriseHour: number;
  sunsetHour: number;
  resumeGreenEnergyHour: number;
}): Segment[] {
  if (o.nonScheduledAction === 2) return [];
  if (o.nonScheduledAction === 3) return DAY_KEYS.map((_, d) => ({ day: d, from: 0, to: 1440 }));
  const from = Math.max(o.sunriseHour, o.resumeGreenEnergyHour) * 60;
  const to = o.sunsetHour * 60;
  if (!(to > from)) return [];
  return DAY_KEYS.map((_, d) => ({ day: d, from, to }));
}

/** "Mon–Fri", "Mon, Wed, Sat", "every day", "no days". */
export function describeDays(days: Days): string {
  const on = DAY_KEYS.map((k) => days[k]);
  const n = on.filter(Boolean).length;
  if (n === 7) return "every day";
  if (n === 0) return "no days";
  // A single run of consecutive days (Monday-first) reads best as a range.
  const first = on.indexOf(true);
  const last = on.lastIndexOf(true);
  if (n >= 3 && last - first + 1 === n) return `${DAY_SHORT[first]}–${DAY_SHORT[last]}`;
  return DAY_KEYS.filter((k) => days[k])
    .map((k) => DAY_SHORT[DAY_KEYS.indexOf(k)])
    .join(", ");
}

/** One sentence describing the schedule. */
export function describeSchedule(s: ScheduleShape): string {
  if (!scheduleEffective(s)) return "No charging schedule is set.";
  const overnight = s.startMinute > s.endMinute ? " (next day)" : "";
  return `Charges at ${s.amps} A ${describeDays(s.days)} from ${minuteToHHMM(s.startMinute)} to ${minuteToHHMM(s.endMinute)}${overnight}.`;
}

/** One sentence describing the green-tracking hours. */
export function describeGreen(o: {
  nonScheduledAction: number;
  sunriseHour: number;
  sunsetHour: number;
  resumeGreenEnergyHour: number;
}): string {
  if (o.nonScheduledAction === 2) return "Solar tracking is off (non-scheduled action: do not charge).";
  if (o.nonScheduledAction === 3) return "Follows solar surplus at all hours.";
  const from = Math.max(o.sunriseHour, o.resumeGreenEnergyHour);
  if (!(o.sunsetHour > from)) return "No solar tracking hours today.";
  return `Follows solar surplus from ${hourLabel(from)} to ${hourLabel(o.sunsetHour)}.`;
}

/** Monday-first weekday index (0…6) of a local date. */
export function mondayIndex(d: Date): number {
  return (d.getDay() + 6) % 7;
}
