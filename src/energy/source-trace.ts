/**
 * Raw-answer capture for "test this source" (issue 11 §4): while a poll runs inside {@link traced}, every
 * HTTP exchange (fetchWithTimeout, the Envoy client) and every Modbus register read reports itself here,
 * through an AsyncLocalStorage context, so no module has to thread a recorder through its calls. Outside
 * a traced run the report is a no-op. Bounded: at most {@link MAX_TRACE_ENTRIES} entries, each body cut
 * at {@link MAX_TRACE_BODY_CHARS} characters. Redaction is the caller's job (source-test.ts).
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** Most entries kept per traced run (more are counted, not kept). */
export const MAX_TRACE_ENTRIES = 16;
/** Longest body kept per entry (characters; the test answer cuts further after redaction). */
export const MAX_TRACE_BODY_CHARS = 65_536;

/** One raw exchange as the device or cloud answered it. */
export interface TraceEntry {
  /** What was asked: `GET http://host/path?query`, or `Modbus unit 1: read holding registers 40083 ×2`. */
  request: string;
  /** HTTP status, or null (Modbus, or no answer). */
  status: number | null;
  /** The answer's body (or register words as JSON), cut at MAX_TRACE_BODY_CHARS; "" when none. */
  body: string;
  /** True when the body was cut. */
  truncated: boolean;
  /** The failure of this exchange (timeout, connection refused, Modbus exception), else null. */
  error: string | null;
}

/** What a traced run collected. */
export interface TraceLog {
  entries: TraceEntry[];
  /** Entries beyond MAX_TRACE_ENTRIES that were dropped. */
  dropped: number;
}

const storage = new AsyncLocalStorage<TraceLog>();

/** Runs `fn` with tracing on; every exchange it causes is appended to `log`. */
export function traced<T>(log: TraceLog, fn: () => Promise<T>): Promise<T> {
  return storage.run(log, fn);
}

/** True when the current call runs inside {@link traced} (lets callers skip building an entry). */
export function tracing(): boolean {
  return storage.getStore() !== undefined;
}

/** Reports one exchange to the current traced run, if any. */
export function traceExchange(request: string, status: number | null, body: string, error: string | null = null): void {
  const log = storage.getStore();
  if (!log) return;
  if (log.entries.length >= MAX_TRACE_ENTRIES) {
    log.dropped++;
    return;
  }
  const truncated = body.length > MAX_TRACE_BODY_CHARS;
  log.entries.push({ request, status, body: truncated ? body.slice(0, MAX_TRACE_BODY_CHARS) : body, truncated, error });
}
