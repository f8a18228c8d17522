/**
 * `GET /api/getHistory` (http-api.md §6.7): exactly 576 five-minute entries, oldest first, from
 * floor5(now − 48 h + 5 min) to the current (live) bucket, zero-filled. Pure given the reader.
 */
import { isoLocal } from "../../policy/local-time.ts";
import { BUCKET_MS, floorBucket, type HistoryReader } from "../../history/history-db.ts";
import { isoSeries } from "../v2/history.ts";

/** Entries in the legacy history (48 h of 5-minute buckets). */
export const LEGACY_HISTORY_ENTRIES = 576;

/** One getHistory entry. */
export interface LegacyHistoryEntry {
  timestamp: string;
  charger_power: number;
}

/** Local time with offset at seconds precision, e.g. `2026-11-23T21:35:00+01:00`. */
export function isoSeconds(ms: number, timeZone?: string): string {
  const iso = isoLocal(ms, timeZone);
  return iso.slice(0, 19) + iso.slice(23);
}

/** The getHistory document (`reader` null: every bucket 0). */
export function legacyHistory(
  reader: HistoryReader | null,
  nowMs: number,
  timeZone?: string,
): LegacyHistoryEntry[] {
  const first = floorBucket(nowMs) - (LEGACY_HISTORY_ENTRIES - 1) * BUCKET_MS;
  const points = reader?.series(nowMs, LEGACY_HISTORY_ENTRIES) ?? [];
  const times = isoSeries(first, BUCKET_MS, LEGACY_HISTORY_ENTRIES, timeZone);
  const out: LegacyHistoryEntry[] = [];
  for (let i = 0; i < LEGACY_HISTORY_ENTRIES; i++) {
    const start = first + i * BUCKET_MS;
    const p = points[i];
    const w = p && p.startMs === start ? p.chargerW : 0;
    const iso = times[i] ?? isoLocal(start, timeZone);
    out.push({
      timestamp: iso.slice(0, 19) + iso.slice(23),
      charger_power: Number.isFinite(w) ? Math.round(w) : 0,
    });
  }
  return out;
}
