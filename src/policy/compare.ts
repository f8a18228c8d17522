/**
 * What a policy condition means (controller.md §16.4), in one pure module shared by the server's
 * evaluation (conditions.ts) and the web's Policy page (web/policy-eval.ts): the condition names, how two
 * resolved operands compare, and how the parallel match/condition/value lists group. It imports nothing
 * but policy/numbers.ts, so the web bundle includes it as it is.
 */
import { numericValue } from "./numbers.ts";

/** Every condition name a policy may use. */
export const CONDITIONS = ["gt", "gte", "lt", "lte", "eq", "ne", "false", "none"] as const;

/** A known condition name. */
export type ConditionName = (typeof CONDITIONS)[number];

/** True when `c` is a known condition name. */
export function isCondition(c: unknown): c is ConditionName {
  return typeof c === "string" && (CONDITIONS as readonly string[]).includes(c);
}

/** Deepest group nesting evaluated (and accepted by validate.ts); a deeper group counts as false. */
export const MAX_GROUP_DEPTH = 32;

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
 * The result of a condition that does not look at its operands: `none` → true, `false` and any unknown
 * condition → false; null for the comparing conditions (their result needs both operands).
 */
export function operandFreeResult(condition: unknown): boolean | null {
  if (condition === "none") return true;
  if (!isCondition(condition) || condition === "false") return false;
  return null;
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

/** The combinator of a group at `depth`: the top level (0) is AND, and it alternates with depth. */
export function groupOp(depth: number): "and" | "or" {
  return depth % 2 === 0 ? "and" : "or";
}

/** One position of the parallel lists: a sub-group, a comparison, or a malformed position (false). */
export type ConditionPosition =
  | {
      kind: "group";
      match: readonly unknown[];
      condition: readonly unknown[];
      value: readonly unknown[];
    }
  | { kind: "leaf"; match: unknown; condition: unknown; value: unknown }
  | { kind: "malformed" };

const MALFORMED: ConditionPosition = { kind: "malformed" };

/** How many positions a group has: the longest of its three lists (the missing elements are malformed). */
export function positionCount(
  match: readonly unknown[],
  condition: readonly unknown[],
  value: readonly unknown[],
): number {
  return Math.max(match.length, condition.length, value.length);
}

/**
 * Position `i` of a group at `depth`: a sub-group where match, condition and value are all lists (too
 * deep → malformed), malformed where one of the lists has no element `i`, else a comparison.
 */
export function positionAt(
  match: readonly unknown[],
  condition: readonly unknown[],
  value: readonly unknown[],
  i: number,
  depth: number,
): ConditionPosition {
  const m: unknown = match[i];
  const c: unknown = condition[i];
  const v: unknown = value[i];
  if (Array.isArray(m) && Array.isArray(c) && Array.isArray(v))
    return depth < MAX_GROUP_DEPTH ? { kind: "group", match: m, condition: c, value: v } : MALFORMED;
  if (i >= match.length || i >= condition.length || i >= value.length) return MALFORMED;
  return { kind: "leaf", match: m, condition: c, value: v };
}
