/**
 * pino's one destination (cli/logger.ts): every serialised record is parsed once, redacted
 * (shared/redact.ts, by key name and by value), kept in the ring of the Logs page and written to each
 * output at or above its level, in that output's format. Parsing also merges a key pino wrote twice
 * (a child's `module` binding and the call's), so no line carries a duplicated key.
 */
import { redactSecrets } from "../shared/redact.ts";
import type { LogRecord } from "./format.ts";
import type { LogRing } from "./ring.ts";

/** One place lines go: the console, the FileLogger. */
export interface LogOutput {
  /** Lowest level number written. */
  minLevel: number;
  write(record: LogRecord): void;
}

/** The record of one serialised pino line (redacted); null when the line is not a JSON object. */
export function parseRecord(line: string): LogRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
  const r = redactSecrets(parsed) as Record<string, unknown>;
  if (typeof r.level !== "number") r.level = 30;
  if (typeof r.time !== "number") r.time = 0;
  return r as LogRecord;
}

/** The destination pino writes to (it calls `write` once per record, synchronously). */
export class LogSink {
  constructor(
    private readonly outputs: readonly LogOutput[],
    private readonly ring: LogRing | null,
  ) {}

  /** Takes one serialised record (or several, newline-separated). */
  write(chunk: string): boolean {
    for (const line of chunk.split("\n")) {
      if (line === "") continue;
      const record = parseRecord(line) ?? { level: 30, time: 0, msg: redactSecrets(line) as string };
      this.ring?.push(record);
      for (const out of this.outputs) {
        if (record.level < out.minLevel) continue;
        try {
          out.write(record);
        } catch {
          // An output that cannot be written (a closed stdout) never breaks the caller.
        }
      }
    }
    return true;
  }
}
