/**
 * The v2 history and sessions documents (http-api.md §8.3, §8.4) and their query parameters. Pure given
 * the reader.
 */
import { coerceInteger } from "../../config/coerce.ts";
import { isoLocal, localOffsetMinutes } from "../../policy/local-time.ts";
import { BUCKET_MS, fillSeries, floorBucket, type HistoryReader } from "../../history/history-db.ts";
import type { HistoryDoc, SessionDoc } from "../../state/types.ts";

/** Result of parsing one integer query parameter. */
export type QueryInt = { ok: true; value: number } | { ok: false; message: string };

/** An integer query parameter (§4.4 integer rule) within [min, max]; absent → `dflt`. */
export function queryInt(query: unknown, name: string, min: number, max: number, dflt: number): QueryInt {
  const raw =
    typeof query === "object" && query !== null ? (query as Record<string, unknown>)[name] : undefined;
  if (raw === undefined) return { ok: true, value: dflt };
  const c = typeof raw === "string" ? coerceInteger(raw) : { ok: false as const };
  if (!c.ok || c.value < min || c.value > max)
    return { ok: false, message: `${name} must be between ${min} and ${max}` };
  return { ok: true, value: c.value };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

function isoWithOffset(ms: number, off: number): string {
  const d = new Date(ms + off * 60_000);
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:` +
    `${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}${sign}${pad(Math.trunc(a / 60))}:${pad(a % 60)}`
  );
}

/** Chunk within which the offset is assumed constant when it is equal at both ends (DST changes are months apart). */
const CHUNK = 288;

/**
 * `isoLocal` of `count` instants `startMs + i × stepMs` (same output), computing the zone offset only at
 * chunk ends unless it changes inside the chunk: 90 days of buckets take milliseconds, not a second.
 */
export function isoSeries(startMs: number, stepMs: number, count: number, timeZone?: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i += CHUNK) {
    const end = Math.min(count, i + CHUNK);
    const a = localOffsetMinutes(startMs + i * stepMs, timeZone);
    const b = localOffsetMinutes(startMs + (end - 1) * stepMs, timeZone);
    for (let j = i; j < end; j++) {
      const ms = startMs + j * stepMs;
      out.push(a === b && ms >= 0 ? isoWithOffset(ms, a) : isoLocal(ms, timeZone));
    }
  }
  return out;
}

/** Buckets of the last `hours` hours, the last one the live current bucket. */
export function historyDoc(
  reader: HistoryReader | null,
  nowMs: number,
  hours: number,
  timeZone?: string,
): HistoryDoc {
  const count = hours * 12;
  const cur = floorBucket(nowMs);
  const first = cur - (count - 1) * BUCKET_MS;
  const series = reader?.series(nowMs, count) ?? fillSeries([], first, count);
  const times = isoSeries(first, BUCKET_MS, count, timeZone);
  const points = series.map((p, i) => ({
    t:
      p.startMs === first + i * BUCKET_MS
        ? (times[i] ?? isoLocal(p.startMs, timeZone))
        : isoLocal(p.startMs, timeZone),
    chargerW: p.chargerW,
    generationW: p.generationW,
    consumptionW: p.consumptionW,
  }));
  return {
    stepS: 300,
    from: isoLocal(first, timeZone),
    to: isoLocal(cur, timeZone),
    points,
    gaps: gapsOf(series),
  };
}

/** Index ranges (`from` inclusive, `to` exclusive) of the points without recorded data. Pure. */
export function gapsOf(series: readonly { recorded?: boolean }[]): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let i = 0; i < series.length; i++) {
    if (series[i]?.recorded !== false) continue;
    const last = out.at(-1);
    if (last && last.to === i) last.to = i + 1;
    else out.push({ from: i, to: i + 1 });
  }
  return out;
}

const round3 = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);

/** `GET /api/v2/sessions` body, newest first. */
export function sessionsDoc(
  reader: HistoryReader | null,
  limit: number,
  timeZone?: string,
): { sessions: SessionDoc[] } {
  return {
    sessions: (reader?.sessions(limit) ?? []).map((s) => ({
      id: s.id,
      twcId: s.twcId,
      vin: s.vin,
      startedAt: isoLocal(s.startedAt, timeZone),
      endedAt: s.endedAt === null ? null : isoLocal(s.endedAt, timeZone),
      startKWh: s.startKWh,
      endKWh: s.endKWh,
      energyKWh: round3(s.energyKWh),
      endReason: s.endReason,
      ...(s.stoppedBy ? { stoppedBy: s.stoppedBy } : {}),
    })),
  };
}
