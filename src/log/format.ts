/**
 * One log record as people and programs read it (issue 13 §2): the readable line (time, level, module,
 * message, `key=value` fields, like TWCManager's console) and the JSON line (pino's record, each key
 * once). Pure; the records arrive redacted (log/sink.ts).
 */
import { isoLocal } from "../policy/local-time.ts";

/** A parsed, redacted pino record: `level` (10…60), `time` (epoch ms), `msg`, `module` and fields. */
export interface LogRecord {
  level: number;
  time: number;
  msg?: string;
  module?: string;
  [key: string]: unknown;
}

/** pino's level numbers by name. */
export const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

/** A level name of LEVELS. */
export type LevelName = keyof typeof LEVELS;

/** The upper-case name of a level number (`INFO`), or the number itself when it is not one of pino's. */
export function levelName(level: number): string {
  for (const [name, n] of Object.entries(LEVELS)) if (n === level) return name.toUpperCase();
  return String(level);
}

/** The level number of a name (`warn`, `WARN`) or numeric text; null when it is neither. */
export function levelNumber(name: string): number | null {
  const n = LEVELS[name.trim().toLowerCase() as LevelName];
  if (n !== undefined) return n;
  return /^\d{1,3}$/.test(name.trim()) ? Number(name.trim()) : null;
}

/** How a line is written: the readable text line (optionally `simple`: no time) or JSON. */
export interface LineStyle {
  format: "text" | "json";
  /** Text only: no timestamp (journald and docker add their own), compact `LEVEL [module]`. */
  simple?: boolean;
  /** Text only: ANSI colours (a terminal; never for journald or files). */
  color?: boolean;
  /** IANA zone of the timestamp (default: the process's zone). */
  timeZone?: string;
}

/** Keys of a record that the text line shows in its own columns (or never: pino's own keys). */
const OWN_KEYS = new Set(["level", "time", "msg", "module", "code", "pid", "hostname", "v"]);

const COLORS: Readonly<Record<number, string>> = { 10: "90", 20: "36", 30: "32", 40: "33", 50: "31", 60: "35" };
const paint = (on: boolean, code: string, text: string): string => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

/** Control characters (a newline in a message must not forge a second line). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/g;

/** `s` on one line: newlines and other control characters escaped as `\n`, `\r`, `\u001b`. */
export function oneLine(s: string): string {
  return s.replace(CONTROL, (c) =>
    c === "\n" ? "\\n" : c === "\r" ? "\\r" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** `key=value`: a plain word as is, anything else as JSON (quoted, escaped). */
function field(key: string, value: unknown): string {
  if (typeof value === "string") return `${key}=${/^[^\s"=\\]+$/.test(value) ? oneLine(value) : JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean" || value === null) return `${key}=${String(value)}`;
  return `${key}=${oneLine(JSON.stringify(value) ?? "null")}`;
}

/** A serialised error in one value: `Type: message (at file:line:col)` from its first stack frame. */
function errorText(err: unknown): string | null {
  if (typeof err !== "object" || err === null) return null;
  const e = err as { type?: unknown; message?: unknown; stack?: unknown; code?: unknown };
  if (typeof e.message !== "string") return null;
  const type = typeof e.type === "string" ? e.type : "Error";
  const at = typeof e.stack === "string" ? /\n\s+at (?:.*\()?([^()\s]+:\d+:\d+)\)?/.exec(e.stack)?.[1] : undefined;
  return `${type}: ${e.message}${typeof e.code === "string" ? ` [${e.code}]` : ""}${at ? ` (at ${at})` : ""}`;
}

/** The local timestamp of a line: `2026-12-02 18:01:02.123`. */
export function lineTime(ms: number, timeZone?: string): string {
  return isoLocal(ms, timeZone).slice(0, 23).replace("T", " ");
}

/**
 * The readable line of a record, without newline: `2026-12-02 18:01:02.123 WARN  energy     fetch
 * failed (SOURCE_FAILED) url=http://…` — level padded to 5 and module to 10 (TWCManager's columns),
 * the code in brackets after the message, then every other field as `key=value`.
 */
export function textLine(r: LogRecord, style: Omit<LineStyle, "format"> = {}): string {
  const color = style.color === true;
  const level = levelName(r.level);
  const module = typeof r.module === "string" && r.module !== "" ? oneLine(r.module) : "-";
  const parts: string[] = [];
  if (style.simple === true) {
    parts.push(paint(color, COLORS[r.level] ?? "0", level), `[${module}]`);
  } else {
    parts.push(
      paint(color, "2", lineTime(r.time, style.timeZone)),
      paint(color, COLORS[r.level] ?? "0", level.padEnd(5)),
      paint(color, "1", module.padEnd(10)),
    );
  }
  let text = parts.join(" ") + " " + oneLine(typeof r.msg === "string" ? r.msg : "");
  if (typeof r.code === "string" && r.code !== "") text += ` (${oneLine(r.code)})`;
  for (const [key, value] of Object.entries(r)) {
    if (OWN_KEYS.has(key) || value === undefined) continue;
    const err = key === "err" ? errorText(value) : null;
    text += " " + (err !== null ? field(key, err) : field(oneLine(key), value));
  }
  return text;
}

/** The JSON line of a record, without newline: pino's shape (`level`, `time`, …, `msg`), each key once. */
export function jsonLine(r: LogRecord): string {
  return JSON.stringify(r);
}

/** The line of a record in `style`, with its newline. */
export function formatLine(r: LogRecord, style: LineStyle): string {
  return (style.format === "json" ? jsonLine(r) : textLine(r, style)) + "\n";
}
