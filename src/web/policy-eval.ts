/**
 * Client-side view of the policy conditions (controller.md §16.4): builds the nested AND/OR tree of a
 * policy and evaluates it against what the browser knows (state document, optional settings, its own
 * clock). Values it cannot know (config.*, modules.*, the green computation) stay unknown.
 */

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

/** A node of the condition tree. */
export type CondNode =
  | { kind: "group"; op: "and" | "or"; children: CondNode[] }
  | { kind: "leaf"; match: unknown; condition: string; value: unknown };

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
  p: { match: unknown[]; condition: unknown[]; value: unknown[] },
  op: "and" | "or" = "and",
): CondNode {
  const children: CondNode[] = [];
  for (let i = 0; i < p.match.length; i++) {
    const m = p.match[i];
    const c = p.condition[i];
    const v = p.value[i];
    if (Array.isArray(m) && Array.isArray(c) && Array.isArray(v)) {
      children.push(
        conditionTree(
          { match: m as unknown[], condition: c as unknown[], value: v as unknown[] },
          op === "and" ? "or" : "and",
        ),
      );
    } else {
      children.push({ kind: "leaf", match: m, condition: typeof c === "string" ? c : String(c), value: v });
    }
  }
  return { kind: "group", op, children };
}

function isDst(d: Date): boolean {
  const y = d.getFullYear();
  const jan = new Date(y, 0, 1).getTimezoneOffset();
  const jul = new Date(y, 6, 1).getTimezoneOffset();
  return d.getTimezoneOffset() < Math.max(jan, jul);
}

function tmField(name: string, d: Date): number | null {
  switch (name) {
    case "year":
      return d.getFullYear();
    case "mon":
      return d.getMonth() + 1;
    case "mday":
      return d.getDate();
    case "hour":
      return d.getHours();
    case "min":
      return d.getMinutes();
    case "sec":
      return d.getSeconds();
    case "wday":
      return (d.getDay() + 6) % 7;
    case "yday": {
      const start = new Date(d.getFullYear(), 0, 1);
      return (
        Math.round(
          (new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() - start.getTime()) / 86400000,
        ) + 1
      );
    }
    case "isdst":
      return isDst(d) ? 1 : 0;
    default:
      return null;
  }
}

/** Resolves one operand like the server does, as far as the browser can. */
export function resolveOperand(x: unknown, ctx: ResolveContext): Resolved {
  if (typeof x !== "string") return { known: true, value: x };
  if (x === "now") return { known: true, value: ctx.nowMs / 1000 };
  if (x.startsWith("tm_")) {
    const v = tmField(x.slice(3), new Date(ctx.nowMs));
    return v === null ? { known: true, value: x } : { known: true, value: v };
  }
  if (x.startsWith("settings.")) {
    const key = x.slice("settings.".length);
    if (!Object.hasOwn(ctx.settings, key)) return { known: false };
    const v = ctx.settings[key];
    return { known: true, value: typeof v === "string" && NUMERIC.test(v.trim()) ? Number(v) : v };
  }
  if (x === "checkScheduledCharging()")
    return ctx.scheduledNow === null ? { known: false } : { known: true, value: ctx.scheduledNow ? 1 : 0 };
  if (x === "nonScheduledAmps()") {
    const action = ctx.settings.nonScheduledAction;
    const amps = ctx.settings.nonScheduledAmpsMax;
    if (action === undefined || amps === undefined) return { known: false };
    return { known: true, value: action === 2 ? 0 : amps };
  }
  if (x.startsWith("config.") || x.startsWith("modules.") || x.endsWith("()")) return { known: false };
  return { known: true, value: x };
}

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function toNumber(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && NUMERIC.test(v.trim())) return Number(v);
  return null;
}

function looseEq(a: unknown, b: unknown): boolean {
  const num = (v: unknown): number | null =>
    typeof v === "number" ? v : typeof v === "boolean" ? (v ? 1 : 0) : null;
  const na = num(a);
  const nb = num(b);
  if (na !== null && nb !== null) return na === nb;
  if (typeof a === "string" && typeof b === "string") return a === b;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => looseEq(x, b[i]));
  return false;
}

/** Compares two resolved values with a policy condition (gt, gte, lt, lte, eq, ne, false, none). */
export function compare(a: unknown, cond: string, b: unknown): boolean {
  switch (cond) {
    case "none":
      return true;
    case "false":
      return false;
    case "eq":
      return looseEq(a, b);
    case "ne":
      return !looseEq(a, b);
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const x = toNumber(a);
      const y = toNumber(b);
      if (x === null || y === null) return false;
      return cond === "gt" ? x > y : cond === "gte" ? x >= y : cond === "lt" ? x < y : x <= y;
    }
    default:
      return false;
  }
}

/** Evaluates a leaf; null when an operand is unknown (except for the constant conditions). */
export function evaluateLeaf(leaf: Extract<CondNode, { kind: "leaf" }>, ctx: ResolveContext): Truth {
  if (leaf.condition === "none") return true;
  if (leaf.condition === "false") return false;
  const a = resolveOperand(leaf.match, ctx);
  const b = resolveOperand(leaf.value, ctx);
  if (!a.known || !b.known) return null;
  return compare(a.value, leaf.condition, b.value);
}

/** Evaluates a node with three-valued AND/OR. */
export function evaluate(node: CondNode, ctx: ResolveContext): Truth {
  if (node.kind === "leaf") return evaluateLeaf(node, ctx);
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
export const CONDITION_WORDS: Readonly<Record<string, string>> = {
  gt: "is greater than",
  gte: "is at least",
  lt: "is less than",
  lte: "is at most",
  eq: "equals",
  ne: "does not equal",
  false: "never holds",
  none: "always holds",
};

/** Short display of a resolved value. */
export function showValue(r: Resolved): string {
  if (!r.known) return "—";
  const v = r.value;
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}
