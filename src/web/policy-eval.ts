/**
 * Client-side view of the policy conditions (controller.md §16.4): builds the nested AND/OR tree of a
 * policy and evaluates it against what the browser knows (state document, optional settings, its own
 * clock read in the controller's time zone, issue 12 §8). Values it cannot know (config.*, modules.*, the green computation) stay unknown. The meaning of
 * conditions and groups (comparisons, coercion, grouping) is the server's own module, policy/compare.ts;
 * settings values are coerced by the server's macros.
 */
import {
  compare,
  groupOp,
  isCondition,
  operandFreeResult,
  positionAt,
  positionCount,
  type ConditionName,
} from "../policy/compare.ts";
import { nonScheduledAmps, settingValue } from "../policy/macros.ts";
import type { LocalTime } from "../policy/types.ts";
import { zonedTime } from "./clock.ts";

export { compare };

/** A policy entry as returned by GET /api/getPolicy. */
export interface PolicyRecord {
  name: string;
  match: unknown[];
  condition: unknown[];
  value: unknown[];
  charge_amps?: unknown;
  latch_period?: unknown;
  __latchTime?: unknown;
  [key: string]: unknown;
}

/** A node of the condition tree; a malformed position (lists of unequal length, too deep) never holds. */
export type CondNode =
  | { kind: "group"; op: "and" | "or"; children: CondNode[] }
  | { kind: "leaf"; match: unknown; condition: unknown; value: unknown }
  | { kind: "malformed" };

/** A resolved operand. */
export type Resolved = { known: true; value: unknown } | { known: false };

/** Three-valued truth: null = cannot be decided in the browser. */
export type Truth = boolean | null;

/** What the browser knows to resolve macros. */
export interface ResolveContext {
  nowMs: number;
  /** Known settings values (settings.K resolves to 0 when K is known to be absent: not modelled here). */
  settings: Readonly<Record<string, unknown>>;
  /** checkScheduledCharging() from the state document, null when unknown. */
  scheduledNow: boolean | null;
  /** The controller's IANA time zone for tm_* (state document `clock.timeZone`); absent: the browser's. */
  timeZone?: string;
}

/** Narrows an untrusted getPolicy answer. */
export function asPolicyList(v: unknown): PolicyRecord[] | null {
  if (!Array.isArray(v)) return null;
  const out: PolicyRecord[] = [];
  for (const p of v) {
    if (typeof p !== "object" || p === null) return null;
    const r = p as Record<string, unknown>;
    if (typeof r.name !== "string") return null;
    out.push({
      ...r,
      name: r.name,
      match: Array.isArray(r.match) ? r.match : [],
      condition: Array.isArray(r.condition) ? r.condition : [],
      value: Array.isArray(r.value) ? r.value : [],
    });
  }
  return out;
}

/** The condition tree: the top level is AND; a position where all three are lists flips AND/OR. */
export function conditionTree(
  p: { match: readonly unknown[]; condition: readonly unknown[]; value: readonly unknown[] },
  depth = 0,
): CondNode {
  const children: CondNode[] = [];
  const n = positionCount(p.match, p.condition, p.value);
  for (let i = 0; i < n; i++) {
    const pos = positionAt(p.match, p.condition, p.value, i, depth);
    children.push(pos.kind === "group" ? conditionTree(pos, depth + 1) : pos);
  }
  return { kind: "group", op: groupOp(depth), children };
}

/** A tm_* field of the broken-down local time (controller.md §16.4), null for an unknown name. */
function tmField(name: string, t: LocalTime): number | null {
  switch (name) {
    case "year":
    case "mon":
    case "mday":
    case "hour":
    case "min":
    case "sec":
    case "wday":
    case "yday":
    case "isdst":
      return t[name];
    default:
      return null;
  }
}

/** Resolves one operand like the server does, as far as the browser can. */
export function resolveOperand(x: unknown, ctx: ResolveContext): Resolved {
  if (typeof x !== "string") return { known: true, value: x };
  if (x === "now") return { known: true, value: ctx.nowMs / 1000 };
  if (x.startsWith("tm_")) {
    const v = tmField(x.slice(3), zonedTime(ctx.nowMs, ctx.timeZone));
    return v === null ? { known: true, value: x } : { known: true, value: v };
  }
  if (x.startsWith("settings.")) {
    const key = x.slice("settings.".length);
    if (!Object.hasOwn(ctx.settings, key)) return { known: false };
    return { known: true, value: settingValue(ctx.settings, key) };
  }
  if (x === "checkScheduledCharging()")
    return ctx.scheduledNow === null ? { known: false } : { known: true, value: ctx.scheduledNow ? 1 : 0 };
  if (x === "nonScheduledAmps()") {
    const known =
      Object.hasOwn(ctx.settings, "nonScheduledAction") && Object.hasOwn(ctx.settings, "nonScheduledAmpsMax");
    return known ? { known: true, value: nonScheduledAmps(ctx.settings) } : { known: false };
  }
  if (x.startsWith("config.") || x.startsWith("modules.") || x.endsWith("()")) return { known: false };
  return { known: true, value: x };
}

/** Evaluates a leaf; null when an operand is unknown (except for the conditions that ignore them). */
export function evaluateLeaf(leaf: Extract<CondNode, { kind: "leaf" }>, ctx: ResolveContext): Truth {
  const fixed = operandFreeResult(leaf.condition);
  if (fixed !== null) return fixed;
  const a = resolveOperand(leaf.match, ctx);
  const b = resolveOperand(leaf.value, ctx);
  if (!a.known || !b.known) return null;
  return compare(a.value, leaf.condition, b.value);
}

/** Evaluates a node with three-valued AND/OR. */
export function evaluate(node: CondNode, ctx: ResolveContext): Truth {
  if (node.kind === "leaf") return evaluateLeaf(node, ctx);
  if (node.kind === "malformed") return false;
  let unknown = false;
  for (const c of node.children) {
    const t = evaluate(c, ctx);
    if (t === null) unknown = true;
    else if (node.op === "and" && !t) return false;
    else if (node.op === "or" && t) return true;
  }
  if (unknown) return null;
  return node.op === "and";
}

/** Human words for a condition name. */
export const CONDITION_WORDS: Readonly<Record<ConditionName, string>> = {
  gt: "is greater than",
  gte: "is at least",
  lt: "is less than",
  lte: "is at most",
  eq: "equals",
  ne: "does not equal",
  false: "never holds",
  none: "always holds",
};

/** The words for a leaf's condition: the human words of a known name, else the raw value as written. */
export function conditionWords(c: unknown): string {
  if (isCondition(c)) return CONDITION_WORDS[c];
  return typeof c === "string" ? c : (JSON.stringify(c) ?? String(c));
}

/** Short display of a resolved value. */
export function showValue(r: Resolved): string {
  if (!r.known) return "—";
  const v = r.value;
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}
