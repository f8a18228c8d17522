/**
 * Local-time conversion with Intl (pure given the time zone; no clock access). `timeZone` undefined
 * means the process's default zone (TZ environment variable or system setting).
 */
import type { LocalTime } from "./types.ts";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? "";
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short",
    });
    formatters.set(key, f);
  }
  return f;
}

/** The fields Intl gives directly; wday, yday and isdst are derived from them. */
type WallClock = Pick<LocalTime, "year" | "mon" | "mday" | "hour" | "min" | "sec">;

/** Recent results by zone and whole second: Intl formatting is slow and the same second is converted often. */
const recent = new Map<string, Readonly<WallClock>>();

/** The latest second converted per zone: the common case (the same second again) builds no key string. */
const latest = new Map<string, { sec: number; w: Readonly<WallClock> }>();

const HOUR_MS = 3_600_000;

/** The zone's offset from UTC (ms) through one whole UTC hour, or null when it changes inside that hour. */
const hourOffsets = new Map<string, { hour: number; offsetMs: number | null }>();

/** The offset Intl gives at a whole second: local wall clock read as UTC, minus the instant. */
function intlOffsetMs(wholeSecondMs: number, timeZone: string | undefined): number {
  return wallClockAsUtcMs(formatWallClock(wholeSecondMs, timeZone)) - wholeSecondMs;
}

// Zones change their offset at most once within an hour, so equal offsets at an hour's first and last
// second hold for the whole hour: the wall clock is then plain arithmetic, and Intl (slow, and its
// time-zone data costs resident memory when touched) runs twice an hour per zone (issue 9 §7).
function offsetThroughHour(epochMs: number, timeZone: string | undefined): number | null {
  const hour = Math.floor(epochMs / HOUR_MS);
  const key = timeZone ?? "";
  const known = hourOffsets.get(key);
  if (known !== undefined && known.hour === hour) return known.offsetMs;
  const first = intlOffsetMs(hour * HOUR_MS, timeZone);
  const last = intlOffsetMs((hour + 1) * HOUR_MS - 1000, timeZone);
  const offsetMs = first === last ? first : null;
  if (known !== undefined) {
    known.hour = hour;
    known.offsetMs = offsetMs;
  } else {
    if (hourOffsets.size >= 16) hourOffsets.clear();
    hourOffsets.set(key, { hour, offsetMs });
  }
  return offsetMs;
}

function arithmeticWallClock(wholeSecondMs: number, offsetMs: number): WallClock {
  const d = new Date(wholeSecondMs + offsetMs);
  return {
    year: d.getUTCFullYear(),
    mon: d.getUTCMonth() + 1,
    mday: d.getUTCDate(),
    hour: d.getUTCHours(),
    min: d.getUTCMinutes(),
    sec: d.getUTCSeconds(),
  };
}

function wallClock(epochMs: number, timeZone: string | undefined): Readonly<WallClock> {
  const sec = Math.floor(epochMs / 1000);
  const last = latest.get(timeZone ?? "");
  if (last !== undefined && last.sec === sec) return last.w;
  const w = recentWallClock(epochMs, sec, timeZone);
  if (last !== undefined) {
    last.sec = sec;
    last.w = w;
  } else {
    if (latest.size >= 16) latest.clear();
    latest.set(timeZone ?? "", { sec, w });
  }
  return w;
}

function recentWallClock(epochMs: number, sec: number, timeZone: string | undefined): Readonly<WallClock> {
  const key = `${timeZone ?? ""}|${sec}`;
  let w = recent.get(key);
  if (w === undefined) {
    const offsetMs = offsetThroughHour(epochMs, timeZone);
    w = Object.freeze(offsetMs === null ? formatWallClock(epochMs, timeZone) : arithmeticWallClock(sec * 1000, offsetMs));
    if (recent.size >= 16) recent.clear();
    recent.set(key, w);
  }
  return w;
}

function formatWallClock(epochMs: number, timeZone: string | undefined): WallClock {
  const out: WallClock = { year: 1970, mon: 1, mday: 1, hour: 0, min: 0, sec: 0 };
  let bc = false;
  for (const p of formatter(timeZone).formatToParts(epochMs)) {
    const n = Number(p.value);
    switch (p.type) {
      case "year":
        out.year = n;
        break;
      case "month":
        out.mon = n;
        break;
      case "day":
        out.mday = n;
        break;
      case "hour":
        out.hour = n % 24;
        break;
      case "minute":
        out.min = n;
        break;
      case "second":
        out.sec = n;
        break;
      case "era":
        bc = p.value.startsWith("B");
        break;
      case "dayPeriod":
      case "fractionalSecond":
      case "literal":
      case "timeZoneName":
      case "unknown":
      case "weekday":
        break;
    }
  }
  if (bc) out.year = 1 - out.year;
  return out;
}

function wallClockAsUtcMs(w: WallClock): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.mon - 1, w.mday);
  d.setUTCHours(w.hour, w.min, w.sec, 0);
  return d.getTime();
}

/** Offset of local time from UTC in minutes at the given instant (e.g. +60 for CET, +120 for CEST). */
export function localOffsetMinutes(epochMs: number, timeZone?: string): number {
  const ms = Math.floor(epochMs);
  const wholeSecondMs = ms - (((ms % 1000) + 1000) % 1000);
  return Math.round((wallClockAsUtcMs(wallClock(ms, timeZone)) - wholeSecondMs) / 60000);
}

const standardOffsets = new Map<string, number>();

function standardOffset(year: number, timeZone: string | undefined): number {
  const key = `${timeZone ?? ""}|${year}`;
  let off = standardOffsets.get(key);
  if (off === undefined) {
    const jan = localOffsetMinutes(Date.UTC(year, 0, 1, 12), timeZone);
    const jul = localOffsetMinutes(Date.UTC(year, 6, 1, 12), timeZone);
    off = Math.min(jan, jul);
    if (standardOffsets.size > 256) standardOffsets.clear();
    standardOffsets.set(key, off);
  }
  return off;
}

/** Converts an instant to broken-down local time (Monday = 0, months 1–12, yday 1–366). */
export function toLocalTime(epochMs: number, timeZone?: string): LocalTime {
  const w = wallClock(Math.floor(epochMs), timeZone);
  const dayMs = wallClockAsUtcMs({ ...w, hour: 0, min: 0, sec: 0 });
  const jan1Ms = wallClockAsUtcMs({ year: w.year, mon: 1, mday: 1, hour: 0, min: 0, sec: 0 });
  const sundayFirst = new Date(dayMs).getUTCDay();
  // DST: the offset is above the year's standard offset (the smaller of January's and July's, which
  // also works on the southern hemisphere).
  const isdst = localOffsetMinutes(epochMs, timeZone) > standardOffset(w.year, timeZone) ? 1 : 0;
  return {
    ...w,
    wday: (sundayFirst + 6) % 7,
    yday: Math.round((dayMs - jan1Ms) / 86_400_000) + 1,
    isdst,
  };
}

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, "0");
}

/** The text of the latest second per zone around its milliseconds: `2026-11-23T21:36:05.` and `+01:00`. */
const isoParts = new Map<string, { sec: number; head: string; tail: string }>();

/** ISO 8601 local time with milliseconds and offset, e.g. `2026-11-23T21:36:05.123+01:00`. */
export function isoLocal(epochMs: number, timeZone?: string): string {
  const ms = Math.floor(epochMs);
  const sec = Math.floor(ms / 1000);
  const frac = ms - sec * 1000;
  let parts = isoParts.get(timeZone ?? "");
  if (parts === undefined || parts.sec !== sec) {
    const w = wallClock(ms, timeZone);
    const off = localOffsetMinutes(ms, timeZone);
    const sign = off < 0 ? "-" : "+";
    const year = w.year < 0 ? `-${pad(w.year, 6)}` : pad(w.year, 4);
    const next = {
      sec,
      head: `${year}-${pad(w.mon)}-${pad(w.mday)}T${pad(w.hour)}:${pad(w.min)}:${pad(w.sec)}.`,
      tail: `${sign}${pad(Math.trunc(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`,
    };
    if (parts === undefined && isoParts.size >= 16) isoParts.clear();
    isoParts.set(timeZone ?? "", next);
    parts = next;
  }
  return parts.head + (frac < 10 ? "00" : frac < 100 ? "0" : "") + String(frac) + parts.tail;
}
