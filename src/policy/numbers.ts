/** Numeric coercion shared by macros, conditions, schedule and decide (controller.md §16.4). */

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** True for a string that is a plain decimal number (surrounding whitespace allowed), e.g. `"16"`, `" -1.5e2 "`. */
export function isNumericString(s: string): boolean {
  return NUMERIC.test(s.trim());
}

/**
 * The number a value stands for in an ordering comparison: numbers as is, booleans as 1/0, numeric
 * strings parsed; anything else (null, lists, objects, other strings) → null.
 */
export function numericValue(x: unknown): number | null {
  if (typeof x === "number") return x;
  if (typeof x === "boolean") return x ? 1 : 0;
  if (typeof x === "string" && isNumericString(x)) return Number(x.trim());
  return null;
}

/** A finite number for a setting value (numbers, numeric strings, booleans), else `fallback`. */
export function finiteOr(x: unknown, fallback: number): number {
  const n = numericValue(x);
  return n !== null && Number.isFinite(n) ? n : fallback;
}

/** Rounds to two decimals. */
export { round2 } from "../shared/numbers.ts";
