/**
 * The Logs page's model (issue 13 §2): the entries of /api/v2/logs and its stream merged by sequence
 * number into a bounded list, the level and module filters, the download text. Pure.
 */

/** One record as /api/v2/logs sends it (http/v2/logs.ts LogEntryDoc). */
export interface LogEntry {
  seq: number;
  level: string;
  module: string | null;
  line: string;
}

/** The levels of the filter, lowest first, with pino's numbers. */
export const LOG_LEVELS = [
  { name: "trace", n: 10 },
  { name: "debug", n: 20 },
  { name: "info", n: 30 },
  { name: "warn", n: 40 },
  { name: "error", n: 50 },
  { name: "fatal", n: 60 },
] as const;

/** Entries the page keeps (the server's ring holds 2000 by default). */
export const MAX_ENTRIES = 2000;

/** A value of the stream or the document that is a LogEntry, else null. */
export function asLogEntry(v: unknown): LogEntry | null {
  if (typeof v !== "object" || v === null) return null;
  const e = v as Record<string, unknown>;
  if (typeof e.seq !== "number" || typeof e.level !== "string" || typeof e.line !== "string") return null;
  return { seq: e.seq, level: e.level, module: typeof e.module === "string" ? e.module : null, line: e.line };
}

/** `list` with `more` merged in: ordered by seq, each once, at most `max` (the newest). */
export function mergeEntries(list: readonly LogEntry[], more: readonly LogEntry[], max = MAX_ENTRIES): LogEntry[] {
  const last = list[list.length - 1]?.seq ?? 0;
  // The common case: the stream appends newer records.
  const merged = more.every((e, i) => e.seq > (i === 0 ? last : more[i - 1]!.seq))
    ? [...list, ...more]
    : [...new Map([...list, ...more].map((e) => [e.seq, e] as const)).values()].sort((a, b) => a.seq - b.seq);
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}

function levelN(name: string): number {
  return LOG_LEVELS.find((l) => l.name === name)?.n ?? 30;
}

/** The entries at or above `minLevel` ("" for all) of `module` ("" for all, "-" for none). */
export function filterEntries(list: readonly LogEntry[], minLevel: string, module: string): LogEntry[] {
  const min = minLevel === "" ? 0 : levelN(minLevel);
  return list.filter((e) => levelN(e.level) >= min && (module === "" || (e.module ?? "-") === module));
}

/** The module names of `list` and `known`, sorted, each once. */
export function moduleNames(list: readonly LogEntry[], known: readonly string[] = []): string[] {
  return [...new Set([...known, ...list.map((e) => e.module ?? "-")])].sort();
}

/** The download: one readable line per entry. */
export function downloadTextOf(list: readonly LogEntry[]): string {
  return list.map((e) => `${e.line}\n`).join("");
}
