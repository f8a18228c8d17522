/**
 * The product's pino logger (config.md §3.8, issue 13 §2): one destination (log/sink.ts) that redacts
 * every record (src/shared/redact.ts), keeps the recent ones for the Logs page (log/ring.ts) and writes
 * them to the console and the FileLogger (log/rotating-file.ts), each as the readable line or JSON
 * (log/format.ts). The config always names the format (default: the readable line); a caller that does
 * not gets JSON lines, or the compact line with `simple`.
 */
import { join } from "node:path";
import pino, { type Logger } from "pino";
import { formatLine, levelNumber, type LineStyle } from "../log/format.ts";
import { LogRing, type LogSource } from "../log/ring.ts";
import { RotatingFile, type RotateWhen } from "../log/rotating-file.ts";
import { LogSink, type LogOutput } from "../log/sink.ts";
import { systemClock, type Clock } from "../shared/clock.ts";

/** Line format of an output. */
export type LogFormat = "text" | "json";

/** Logger options derived from config.json `logging` and the log level. */
export interface LoggerOptions {
  level: string;
  /** `format` absent: JSON lines, or the compact line when `simple`. */
  console: { enabled: boolean; simple: boolean; format?: LogFormat };
  /** `<path>/twcmanager.log`; `format` absent: JSON lines; rotation: hourly, 24 kept (upstream's). */
  file: { enabled: boolean; path: string; format?: LogFormat; when?: RotateWhen; backupCount?: number } | null;
  /** Where console output goes (tests pass a sink). */
  stdout?: NodeJS.WritableStream;
  /** ANSI colours on the console (default: when stdout is a terminal and NO_COLOR is unset). */
  color?: boolean;
  /** Time of each record (default: the system clock). */
  clock?: Clock;
  /** IANA zone of the readable timestamps and the rotation periods (default: the process's zone). */
  timeZone?: string;
  /** Records kept for the Logs page (default 2000). */
  ringCapacity?: number;
}

/** Upstream's TimedRotatingFileHandler: `when="H"`, `backupCount=24`. */
export const FILE_ROTATION_DEFAULTS = { when: "H", backupCount: 24 } as const;

interface LoggerParts {
  ring: LogRing;
  file: RotatingFile | null;
  clock: Clock;
}

/** The parts behind each root logger createLogger made. */
const PARTS = new WeakMap<Logger, LoggerParts>();

function consoleOutput(opts: LoggerOptions, minLevel: number): LogOutput {
  const out = opts.stdout ?? process.stdout;
  // A vanished journald or a closed pipe must not end the controller.
  out.on("error", () => undefined);
  const isTty = (out as { isTTY?: boolean }).isTTY === true;
  const style: LineStyle = {
    format: opts.console.format ?? (opts.console.simple ? "text" : "json"),
    simple: opts.console.simple,
    color: opts.color ?? (isTty && (process.env.NO_COLOR ?? "") === ""),
    ...(opts.timeZone !== undefined ? { timeZone: opts.timeZone } : {}),
  };
  return { minLevel, write: (r) => void out.write(formatLine(r, style)) };
}

function fileOutput(f: NonNullable<LoggerOptions["file"]>, opts: LoggerOptions, clock: Clock, minLevel: number, warn: (msg: string) => void): { out: LogOutput; file: RotatingFile } {
  const file = new RotatingFile({
    file: join(f.path, "twcmanager.log"),
    when: f.when ?? FILE_ROTATION_DEFAULTS.when,
    backupCount: f.backupCount ?? FILE_ROTATION_DEFAULTS.backupCount,
    nowMs: clock.now(),
    ...(opts.timeZone !== undefined ? { timeZone: opts.timeZone } : {}),
    onError: warn,
  });
  const style: LineStyle = { format: f.format ?? "json", ...(opts.timeZone !== undefined ? { timeZone: opts.timeZone } : {}) };
  return { out: { minLevel, write: (r) => file.write(formatLine(r, style), r.time) }, file };
}

/** Creates the root logger. */
export function createLogger(opts: LoggerOptions): Logger {
  const clock = opts.clock ?? systemClock;
  const minLevel = levelNumber(opts.level) ?? 30;
  const outputs: LogOutput[] = [];
  if (opts.console.enabled) outputs.push(consoleOutput(opts, minLevel));
  let file: RotatingFile | null = null;
  let logger: Logger | null = null;
  if (opts.file?.enabled) {
    // A file that cannot be written is said once on the other outputs (the console, the Logs page).
    const warn = (msg: string): void => logger?.warn({ module: "logging", code: "LOG_FILE_FAILED" }, msg);
    const f = fileOutput(opts.file, opts, clock, minLevel, warn);
    outputs.push(f.out);
    file = f.file;
  }
  const ring = new LogRing(opts.ringCapacity);
  const sink = new LogSink(outputs, ring);
  logger = pino(
    { level: opts.level, base: null, timestamp: () => `,"time":${clock.now()}` },
    { write: (line: string) => sink.write(line) },
  );
  PARTS.set(logger, { ring, file, clock });
  return logger;
}

/** The recent records of a root logger (the Logs page), or null for a logger createLogger did not make. */
export function logSourceOf(logger: Logger): LogSource | null {
  return PARTS.get(logger)?.ring ?? null;
}

/**
 * Reopens the log file of a root logger (config.md §3.8: SIGHUP after an external rotation): lines
 * written before are in the old file, later ones go to a new twcmanager.log. False without a log file.
 */
export function reopenLogFile(logger: Logger): boolean {
  const parts = PARTS.get(logger);
  if (!parts?.file) return false;
  parts.file.reopen(parts.clock.now());
  return true;
}

/** Closes the log file of a root logger (the end of a test or of the process); later lines skip it. */
export function closeLogFile(logger: Logger): void {
  PARTS.get(logger)?.file?.close();
}
