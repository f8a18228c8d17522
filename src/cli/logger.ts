/**
 * The product's pino logger: JSON lines (or one simple line per record) on stdout, optional log file;
 * secrets are redacted from every line (src/shared/redact.ts).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import { redactLogLine } from "../shared/redact.ts";

/** Logger options derived from config.json `logging` and the log level. */
export interface LoggerOptions {
  level: string;
  console: { enabled: boolean; simple: boolean };
  file: { enabled: boolean; path: string } | null;
  /** Where console output goes (tests pass a sink). */
  stdout?: NodeJS.WritableStream;
}

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

/** Formats one pino JSON record as a single human-readable line. */
export function simpleLine(record: Record<string, unknown>): string {
  const time = typeof record.time === "number" ? new Date(record.time).toISOString() : "";
  const level = LEVEL_NAMES[record.level as number] ?? String(record.level);
  const module = typeof record.module === "string" ? ` [${record.module}]` : "";
  const code = typeof record.code === "string" ? ` (${record.code})` : "";
  return `${time} ${level}${module} ${typeof record.msg === "string" ? record.msg : ""}${code}\n`;
}

function simpleStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line) continue;
        try {
          out.write(simpleLine(JSON.parse(line) as Record<string, unknown>));
        } catch {
          out.write(line + "\n");
        }
      }
      cb();
    },
  });
}

/** Creates the root logger. */
export function createLogger(opts: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = [];
  const out = opts.stdout ?? process.stdout;
  if (opts.console.enabled) {
    streams.push({ level: opts.level as pino.Level, stream: opts.console.simple ? simpleStream(out) : out });
  }
  let file: ReturnType<typeof pino.destination> | null = null;
  if (opts.file?.enabled) {
    mkdirSync(opts.file.path, { recursive: true });
    file = pino.destination({ dest: join(opts.file.path, "twcmanager.log"), append: true, sync: false, mkdir: true });
    streams.push({ level: opts.level as pino.Level, stream: file });
  }
  if (streams.length === 0) return pino({ level: "silent" });
  // Every serialised line (fields, messages, error stacks, child bindings) is redacted before any stream sees it.
  const logger = pino(
    { level: opts.level, base: null, hooks: { streamWrite: redactLogLine } },
    pino.multistream(streams),
  );
  if (file) LOG_FILES.set(logger, file);
  return logger;
}

/** The log file destination of each root logger createLogger made. */
const LOG_FILES = new WeakMap<Logger, ReturnType<typeof pino.destination>>();

/**
 * Reopens the log file of a root logger (config.md §3.8: SIGHUP after an external rotation): lines
 * written before are flushed to the old file, later ones go to a new twcmanager.log. False without a
 * log file.
 */
export function reopenLogFile(logger: Logger): boolean {
  const file = LOG_FILES.get(logger);
  if (!file) return false;
  file.reopen();
  return true;
}
