/** Policy conditions and condition groups (controller.md §16.4). */
import { resolve } from "./macros.ts";
import type { MacroContext } from "./macros.ts";
import { numericValue } from "./numbers.ts";
import type { Policy } from "./types.ts";

/** Every condition name a policy may use. */
export const CONDITIONS = ["gt", "gte", "lt", "lte", "eq", "ne", "false", "none"] as const;

/** A known condition name. */
export type ConditionName = (typeof CONDITIONS)[number];

/** True when `c` is a known condition name. */
export function isCondition(c: unknown): c is ConditionName {
  return typeof c === "string" && (CONDITIONS as readonly string[]).includes(c);
}

/**
 * Equality of `eq`/`ne`: numbers and booleans numerically (true = 1), strings exactly, lists
 * element-wise, null only with null, objects key by key; any other mix of types is unequal. No string
 * conversion.
 */
export function looseEqual(a: unknown, b: unknown): boolean {
  const na = typeof a === "number" || typeof a === "boolean" ? Number(a) : null;
  const nb = typeof b === "number" || typeof b === "boolean" ? Number(b) : null;
  if (na !== null || nb !== null) return na !== null && nb !== null && na === nb;
  if (typeof a === "string" || typeof b === "string") return a === b;
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => looseEqual(x, b[i]));
  }
  if (typeof a === "object" && typeof b === "object") {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const ka = Object.keys(ra);
    if (ka.length !== Object.keys(rb).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && looseEqual(ra[k], rb[k]));
  }
  return a === b;
}

/**
 * Applies one condition to two resolved operands. Ordering conditions convert numeric strings (and
 * booleans, as 1/0) first; a non-numeric side makes them false. Unknown conditions are false.
 */
export function compare(left: unknown, condition: unknown, right: unknown): boolean {
  switch (condition) {
    case "none":
      return true;
    case "false":
      return false;
    case "eq":
      return looseEqual(left, right);
    case "ne":
      return !looseEqual(left, right);
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const l = numericValue(left);
      const r = numericValue(right);
      if (l === null || r === null) return false;
      if (condition === "gt") return l > r;
      if (condition === "gte") return l >= r;
      if (condition === "lt") return l < r;
      return l <= r;
    }
    default:
      return false;
  }
}

/**
 * Evaluates parallel condition lists. Depth 0 is AND; a position where match, condition and value are
 * all lists is a sub-group with the opposite combinator (alternating with depth). AND stops at the first
 * false (empty → true), OR at the first true (empty → false). Malformed positions count as false.
 */
export function evaluateConditions(
  match: readonly unknown[],
  condition: readonly unknown[],
  value: readonly unknown[],
  ctx: MacroContext,
  depth = 0,
): boolean {
  const isAnd = depth % 2 === 0;
  const n = Math.max(match.length, condition.length, value.length);
  for (let i = 0; i < n; i++) {
    const m: unknown = match[i];
    const c: unknown = condition[i];
    const v: unknown = value[i];
    let ok: boolean;
    if (Array.isArray(m) && Array.isArray(c) && Array.isArray(v)) {
      ok = depth < 32 && evaluateConditions(m, c, v, ctx, depth + 1);
    } else if (i >= match.length || i >= condition.length || i >= value.length) {
      ok = false;
    } else {
      ok = compare(resolve(m, ctx), c, resolve(v, ctx));
    }
    if (isAnd && !ok) return false;
    if (!isAnd && ok) return true;
  }
  return isAnd;
}

/** True when all top-level conditions of the policy hold. */
export function policyMatches(
  policy: Pick<Policy, "match" | "condition" | "value">,
  ctx: MacroContext,
): boolean {
  return evaluateConditions(policy.match, policy.condition, policy.value, ctx);
}
