/**
 * Interpreter of the (TypeBox-built) JSON schemas of config.json: validates a value, applies defaults,
 * coerces numeric strings / boolean-like values with a warning, and reports every problem as an Issue
 * in the format of config.md §3.2. Pure.
 *
 * Conventions of our schemas: a property that is *not* Optional but carries a `default` is filled with
 * that default when absent (so `Static<>` of the schema is the normalised, defaults-applied type); an
 * Optional property's `default` is documentation only. Custom keywords: `x-secret` (never echo the
 * value), `x-expected` (wording of the expectation), `x-quiet` (coerce numeric strings silently).
 */
import type { Static, TSchema } from "typebox";
import { redactText } from "../shared/redact.ts";
import { coerceBooleanLike, coerceNumber } from "./coerce.ts";

/** One validation finding; `message` is the full line shown to the user (it starts with the path). */
export interface Issue {
  path: string;
  message: string;
  severity: "error" | "warning";
}

/** The subset of JSON Schema produced by our TypeBox definitions. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  default?: unknown;
  description?: string;
  "x-secret"?: boolean;
  "x-expected"?: string;
  "x-quiet"?: boolean;
}

/** Result of checking one value. */
export type WalkResult = { ok: true; value: unknown } | { ok: false };

/** Appends an error issue `<path>: <msg>`. */
export function addError(issues: Issue[], path: string, msg: string): void {
  issues.push({ path, message: `${path}: ${msg}`, severity: "error" });
}

/** Appends a warning issue `<path>: <msg>`. */
export function addWarning(issues: Issue[], path: string, msg: string): void {
  issues.push({ path, message: `${path}: ${msg}`, severity: "warning" });
}

/** Appends an issue whose message is used verbatim (no path prefix). */
export function addRaw(issues: Issue[], severity: Issue["severity"], path: string, message: string): void {
  issues.push({ path, message, severity });
}

/** Joins an object path and a key ("" + "config" → "config"). */
export function joinPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** True for a plain (non-array, non-null) object. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** JSON rendering of a value for messages, shortened. */
export function show(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  s = redactText(s); // a URL with userinfo or a token in its query is echoed without them
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function rangeText(s: JsonSchema): string {
  if (s.minimum !== undefined && s.maximum !== undefined)
    return ` between ${String(s.minimum)} and ${String(s.maximum)}`;
  const parts: string[] = [];
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${String(s.exclusiveMinimum)}`);
  if (s.minimum !== undefined) parts.push(`≥ ${String(s.minimum)}`);
  if (s.exclusiveMaximum !== undefined) parts.push(`< ${String(s.exclusiveMaximum)}`);
  if (s.maximum !== undefined) parts.push(`≤ ${String(s.maximum)}`);
  return parts.length === 0 ? "" : ` ${parts.join(" and ")}`;
}

/** Human wording of what a schema expects, e.g. "a number ≥ 0", "an integer between 1 and 65535". */
export function describeSchema(s: JsonSchema): string {
  if (s["x-expected"] !== undefined) return s["x-expected"];
  if (s.anyOf) {
    if (s.anyOf.every((m) => m.const !== undefined))
      return `one of ${s.anyOf.map((m) => show(m.const)).join(", ")}`;
    return s.anyOf.map(describeSchema).join(" or ");
  }
  switch (s.type) {
    case "number":
      return `a number${rangeText(s)}`;
    case "integer":
      return `an integer${rangeText(s)}`;
    case "boolean":
      return "true or false";
    case "null":
      return "null";
    case "array":
      return s.minItems !== undefined && s.minItems === s.maxItems
        ? `a list of ${String(s.minItems)} elements`
        : "a list";
    case "object":
      return "an object";
    case "string": {
      let d =
        s.minLength === 1
          ? "a non-empty string"
          : s.minLength !== undefined && s.minLength > 1
            ? `a string of at least ${String(s.minLength)} characters`
            : "a string";
      if (s.maxLength !== undefined) d += ` of at most ${String(s.maxLength)} characters`;
      return d;
    }
    case undefined:
    default:
      return "a valid value";
  }
}

function acceptsNull(s: JsonSchema): boolean {
  if (s.type === undefined && s.anyOf === undefined) return true;
  return s.type === "null" || (s.anyOf?.some(acceptsNull) ?? false);
}

function fail(issues: Issue[], s: JsonSchema, path: string, v: unknown): WalkResult {
  const found = s["x-secret"] ? "" : ` (found ${show(v)})`;
  addError(issues, path, `must be ${describeSchema(s)}${found}`);
  return { ok: false };
}

function walkNumber(s: JsonSchema, v: unknown, path: string, issues: Issue[]): WalkResult {
  const c = coerceNumber(v);
  if (!c.ok || typeof v === "boolean") return fail(issues, s, path, v);
  let n = c.value;
  const notes: string[] = [];
  if (typeof v === "string" && !s["x-quiet"]) notes.push(`${show(v)} is a string, using ${String(n)}`);
  if (s.type === "integer" && !Number.isInteger(n)) {
    const t = Math.trunc(n) === 0 ? 0 : Math.trunc(n);
    notes.push(`${String(n)} is not an integer, using ${String(t)}`);
    n = t;
  }
  const bad =
    (s.minimum !== undefined && n < s.minimum) ||
    (s.maximum !== undefined && n > s.maximum) ||
    (s.exclusiveMinimum !== undefined && n <= s.exclusiveMinimum) ||
    (s.exclusiveMaximum !== undefined && n >= s.exclusiveMaximum);
  if (bad) return fail(issues, s, path, v);
  for (const note of notes) addWarning(issues, path, note);
  return { ok: true, value: n };
}

function walkString(s: JsonSchema, v: unknown, path: string, issues: Issue[]): WalkResult {
  let str: string;
  if (typeof v === "string") {
    str = v;
  } else if (typeof v === "number" && Number.isFinite(v)) {
    str = String(v);
    addWarning(
      issues,
      path,
      s["x-secret"] ? "a number was given, using it as a string" : `${String(v)} is a number, using "${str}"`,
    );
  } else {
    return fail(issues, s, path, v);
  }
  if (
    (s.minLength !== undefined && str.length < s.minLength) ||
    (s.maxLength !== undefined && str.length > s.maxLength) ||
    (s.pattern !== undefined && !new RegExp(s.pattern, "u").test(str))
  ) {
    return fail(issues, s, path, v);
  }
  return { ok: true, value: str };
}

function walkObject(s: JsonSchema, v: unknown, path: string, issues: Issue[]): WalkResult {
  if (!isRecord(v)) return fail(issues, s, path, v);
  const props = s.properties ?? {};
  const required = new Set(s.required ?? []);
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const [key, ps] of Object.entries(props)) {
    const p = joinPath(path, key);
    let val = Object.hasOwn(v, key) ? v[key] : undefined;
    if (val === null && !acceptsNull(ps)) val = undefined;
    if (val === undefined) {
      if (!required.has(key)) continue;
      if (ps.default === undefined) {
        addError(issues, p, "is required");
        ok = false;
        continue;
      }
      val = structuredClone(ps.default);
    }
    const r = walk(ps, val, p, issues);
    if (r.ok) out[key] = r.value;
    else ok = false;
  }
  const patterns = Object.entries(s.patternProperties ?? {});
  for (const key of Object.keys(v)) {
    if (Object.hasOwn(props, key)) continue;
    const p = joinPath(path, key);
    const match = patterns.find(([re]) => new RegExp(re, "u").test(key));
    if (match) {
      const r = walk(match[1], v[key], p, issues);
      if (r.ok)
        Object.defineProperty(out, key, {
          value: r.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else ok = false;
    } else if (s.additionalProperties === true) {
      Object.defineProperty(out, key, {
        value: v[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      addWarning(issues, p, "unknown key, ignored");
    }
  }
  return ok ? { ok: true, value: out } : { ok: false };
}

function walkArray(s: JsonSchema, v: unknown, path: string, issues: Issue[]): WalkResult {
  if (!Array.isArray(v)) return fail(issues, s, path, v);
  if (
    (s.minItems !== undefined && v.length < s.minItems) ||
    (s.maxItems !== undefined && v.length > s.maxItems)
  ) {
    return fail(issues, s, path, v);
  }
  const out: unknown[] = [];
  let ok = true;
  v.forEach((item: unknown, i) => {
    const r = s.items ? walk(s.items, item, `${path}[${i}]`, issues) : { ok: true as const, value: item };
    if (r.ok) out.push(r.value);
    else ok = false;
  });
  return ok ? { ok: true, value: out } : { ok: false };
}

function walkAnyOf(
  s: JsonSchema,
  members: JsonSchema[],
  v: unknown,
  path: string,
  issues: Issue[],
): WalkResult {
  if (members.every((m) => m.const !== undefined)) {
    return members.some((m) => m.const === v) ? { ok: true, value: v } : fail(issues, s, path, v);
  }
  let fallback: { value: unknown; notes: Issue[] } | null = null;
  for (const m of members) {
    const local: Issue[] = [];
    const r = walk(m, v, path, local);
    if (!r.ok) continue;
    if (local.length === 0) return r;
    fallback ??= { value: r.value, notes: local };
  }
  if (fallback) {
    issues.push(...fallback.notes);
    return { ok: true, value: fallback.value };
  }
  return fail(issues, s, path, v);
}

/** Checks `v` against `s` at `path`, appending issues; returns the normalised value when there was no error. */
export function walk(s: JsonSchema, v: unknown, path: string, issues: Issue[]): WalkResult {
  if (s.anyOf) return walkAnyOf(s, s.anyOf, v, path, issues);
  switch (s.type) {
    case "number":
    case "integer":
      return walkNumber(s, v, path, issues);
    case "string":
      return walkString(s, v, path, issues);
    case "boolean": {
      if (typeof v === "boolean") return { ok: true, value: v };
      const b = coerceBooleanLike(v);
      if (!b.ok) return fail(issues, s, path, v);
      addWarning(issues, path, `${show(v)} is not a boolean, using ${String(b.value)}`);
      return { ok: true, value: b.value };
    }
    case "null":
      return v === null ? { ok: true, value: null } : fail(issues, s, path, v);
    case "object":
      return walkObject(s, v, path, issues);
    case "array":
      return walkArray(s, v, path, issues);
    case undefined:
    default:
      return { ok: true, value: v };
  }
}

/** Typed entry point: checks `v` against a TypeBox schema; null when there was an error. */
export function checkSchema<S extends TSchema>(
  schema: S,
  v: unknown,
  path: string,
  issues: Issue[],
): Static<S> | null {
  const r = walk(schema, v, path, issues);
  return r.ok ? (r.value as Static<S>) : null;
}
