/**
 * Number, time and duration formatting for the web UI (pure; locale from the browser). Clock times are
 * shown in the controller's time zone (issue 12 §8): `setDisplayTimeZone` is called with the state
 * document's `clock.timeZone` (controller-zone.ts); until then, and for an unknown zone, the browser's.
 */

const nf0 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const nf1 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const nf2 = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const nfMax2 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

/** Watts: "850 W", "3.84 kW". */
export function fmtW(w: number): string {
  if (!Number.isFinite(w)) return "—";
  return Math.abs(w) >= 1000 ? `${nf2.format(w / 1000)} kW` : `${nf0.format(w)} W`;
}

/** Signed watts with a real minus sign: "+1.20 kW", "−500 W". */
export function fmtSignedW(w: number): string {
  if (!Number.isFinite(w)) return "—";
  const s = fmtW(Math.abs(w));
  return w > 0 ? `+${s}` : w < 0 ? `−${s}` : s;
}

/** Amps with at most two decimals: "15.62 A", "6 A". */
export function fmtA(a: number | null): string {
  if (a === null || !Number.isFinite(a)) return "—";
  return `${nfMax2.format(a)} A`;
}

/** Kilowatt-hours: "1,234 kWh", "7.5 kWh". */
export function fmtKWh(k: number | null, digits: 0 | 1 | 2 = 1): string {
  if (k === null || !Number.isFinite(k)) return "—";
  const f = digits === 0 ? nf0 : digits === 1 ? nf1 : nfMax2;
  return `${f.format(k)} kWh`;
}

/** Volts: "240 V". */
export function fmtV(v: number): string {
  return `${nf0.format(v)} V`;
}

/** A duration in milliseconds: "45 s", "5 min 09 s", "1 h 05 min", "2 d 3 h". */
export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number): string => String(n).padStart(2, "0");
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${two(m)} min`;
  if (m > 0) return `${m} min ${two(sec)} s`;
  return `${sec} s`;
}

/** Epoch milliseconds of an ISO string (NaN when invalid or null). */
export function isoMs(iso: string | null): number {
  return iso === null ? NaN : Date.parse(iso);
}

let displayZone: string | undefined;

/** True when Intl knows the IANA zone name. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Shows clock times in `zone` (the controller's); undefined or an unknown zone: the browser's. */
export function setDisplayTimeZone(zone: string | undefined): void {
  displayZone = zone !== undefined && isKnownTimeZone(zone) ? zone : undefined;
}

/** The zone clock times are shown in (undefined: the browser's). */
export function displayTimeZone(): string | undefined {
  return displayZone;
}

/** "times are Europe/Amsterdam (UTC+01:00), the controller's" from the state document's clock. */
export function zoneNote(clock: { timeZone: string; utcOffset: string } | undefined): string {
  if (!clock) return "times are this device's";
  return `times are ${clock.timeZone} (UTC${clock.utcOffset}), the controller's`;
}

/** Clock time "21:35" of an ISO string or epoch ms, in the controller's zone. */
export function fmtClock(t: string | number | null, timeZone: string | undefined = displayZone): string {
  const ms = typeof t === "number" ? t : isoMs(t);
  if (!Number.isFinite(ms)) return "—";
  return new Date(ms).toLocaleTimeString(undefined, {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    ...(timeZone !== undefined ? { timeZone } : {}),
  });
}

/** Date and time "Mon 23 Nov, 21:35", in the controller's zone. */
export function fmtDateTime(t: string | number | null, timeZone: string | undefined = displayZone): string {
  const ms = typeof t === "number" ? t : isoMs(t);
  if (!Number.isFinite(ms)) return "—";
  return new Date(ms).toLocaleString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    ...(timeZone !== undefined ? { timeZone } : {}),
  });
}

/** Minute of the day → "HH:MM" ("" for −1 / unset). */
export function minuteToHHMM(m: number): string {
  if (!Number.isInteger(m) || m < 0 || m > 1439) return "";
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** "HH:MM" → minute of the day, −1 when empty or invalid. */
export function hhmmToMinute(s: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)/.exec(s.trim());
  if (!m) return -1;
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Whole hour → "07:00". */
export function hourLabel(h: number): string {
  return `${String(h).padStart(2, "0")}:00`;
}
