/**
 * Value coercion rules of http-api.md §4.4 and the standard validation message patterns of §4.2.
 * Shared by config validation, settings normalisation and the HTTP layer. Pure.
 */

/** Result of a coercion: the coerced value, or a rejection. */
export type Coerced<T> = { ok: true; value: T } | { ok: false };

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const ASCII_WS = /^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g;

/** Trims ASCII whitespace (not the wider Unicode set that String.prototype.trim removes). */
export function trimAscii(s: string): string {
  return s.replace(ASCII_WS, "");
}

const REJECT: { ok: false } = { ok: false };

/** number: finite JSON numbers, or strings that (trimmed) are a plain decimal number with a finite value. */
export function coerceNumber(v: unknown): Coerced<number> {
  let n: number;
  if (typeof v === "number") {
    n = v;
  } else if (typeof v === "string") {
    const t = trimAscii(v);
    if (!NUMERIC.test(t)) return REJECT;
    n = Number(t);
  } else {
    return REJECT;
  }
  if (!Number.isFinite(n)) return REJECT;
  return { ok: true, value: n === 0 ? 0 : n };
}

/** integer: a number (as above) truncated toward zero; −0 becomes 0. */
export function coerceInteger(v: unknown): Coerced<number> {
  const r = coerceNumber(v);
  if (!r.ok) return r;
  const t = Math.trunc(r.value);
  return { ok: true, value: t === 0 ? 0 : t };
}

const TRUE_WORDS = new Set(["true", "1", "on", "yes"]);
const FALSE_WORDS = new Set(["false", "0", "off", "no"]);

/** boolean-like: true/false, the numbers 0/1, or (trimmed, case-insensitive) true/false/1/0/on/off/yes/no. */
export function coerceBooleanLike(v: unknown): Coerced<boolean> {
  if (typeof v === "boolean") return { ok: true, value: v };
  if (typeof v === "number") {
    if (v === 1) return { ok: true, value: true };
    if (v === 0) return { ok: true, value: false };
    return REJECT;
  }
  if (typeof v === "string") {
    const t = trimAscii(v).toLowerCase();
    if (TRUE_WORDS.has(t)) return { ok: true, value: true };
    if (FALSE_WORDS.has(t)) return { ok: true, value: false };
  }
  return REJECT;
}

/** string: JSON strings only. */
export function coerceString(v: unknown): Coerced<string> {
  return typeof v === "string" ? { ok: true, value: v } : REJECT;
}

/** `<f> is required` (absent or null). */
export function msgRequired(f: string): string {
  return `${f} is required`;
}

/** `<f> must be a number`. */
export function msgNumber(f: string): string {
  return `${f} must be a number`;
}

/** `<f> must be between <min> and <max>` (numbers printed as JavaScript prints them). */
export function msgRange(f: string, min: number, max: number): string {
  return `${f} must be between ${String(min)} and ${String(max)}`;
}

/** `<f> must be a boolean`. */
export function msgBoolean(f: string): string {
  return `${f} must be a boolean`;
}

/** `<f> must be a string`. */
export function msgString(f: string): string {
  return `${f} must be a string`;
}

/** `<f> must not be empty` (empty or whitespace only). */
export function msgNotEmpty(f: string): string {
  return `${f} must not be empty`;
}

/** `<f> must be at most <n> characters`. */
export function msgMaxLength(f: string, n: number): string {
  return `${f} must be at most ${String(n)} characters`;
}

/** `<f> contains a forbidden character '<c>'`. */
export function msgForbiddenChar(f: string, c: string): string {
  return `${f} contains a forbidden character '${c}'`;
}
