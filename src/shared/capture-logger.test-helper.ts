/**
 * The capturing logger of the tests: records every call and satisfies the logger interfaces of the
 * energy sources (EnergyLogger), the transport (TransportLogger) and the bus controller
 * (ControllerLogger, with child()).
 */

/** Log levels the logger records. */
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error";

/** One captured log call. */
export interface LogRecord {
  level: LogLevel;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** A pino-compatible logger that records every call. */
export interface CaptureLogger {
  /** Every call, in order (shared with child loggers). */
  readonly records: LogRecord[];
  /** Number of records at `level`. */
  count(level: LogLevel): number;
  /** Returns this logger (bindings are not recorded). */
  child(bindings: Record<string, unknown>): CaptureLogger;
  trace(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Creates a capturing logger. */
export function captureLogger(): CaptureLogger {
  const records: LogRecord[] = [];
  const at =
    (level: LogLevel) =>
    (obj: object, msg?: string): void => {
      records.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  const logger: CaptureLogger = {
    records,
    count: (level) => records.filter((r) => r.level === level).length,
    child: () => logger,
    trace: at("trace"),
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
  return logger;
}
