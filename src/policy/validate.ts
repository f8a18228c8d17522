/**
 * Start-up validation of policy records (controller.md §16.3): unknown conditions, mismatched list
 * lengths and malformed groups are configuration errors naming the policy and its index.
 */
import { CONDITIONS, isCondition, MAX_GROUP_DEPTH } from "./compare.ts";

const WEBHOOK_KEYS = new Set(["enter", "start", "stop", "exit"]);

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** The message prefix naming a policy: `policy "Name" (index 3)` or `policy at index 3`. */
export function describe(entry: unknown, index: number): string {
  const name = isRecord(entry) ? entry["name"] : undefined;
  return typeof name === "string" && name !== ""
    ? `policy "${name}" (index ${index})`
    : `policy at index ${index}`;
}

function position(path: readonly number[]): string {
  return path.map((i) => `[${i}]`).join("");
}

function checkGroup(
  match: readonly unknown[],
  condition: readonly unknown[],
  value: readonly unknown[],
  path: readonly number[],
  out: string[],
): void {
  const where = path.length === 0 ? "" : ` in group ${position(path)}`;
  if (match.length !== condition.length || match.length !== value.length) {
    out.push(
      `match, condition and value must have the same length${where} (got ${match.length}, ${condition.length}, ${value.length})`,
    );
    return;
  }
  condition.forEach((c, i) => {
    const m = match[i];
    const v = value[i];
    const at = position([...path, i]);
    if (Array.isArray(c)) {
      if (!Array.isArray(m) || !Array.isArray(v)) {
        out.push(`malformed group at condition${at}: match, condition and value must all be lists there`);
      } else if (path.length + 1 > MAX_GROUP_DEPTH) {
        out.push(`groups nested deeper than ${MAX_GROUP_DEPTH} levels at condition${at}`);
      } else {
        checkGroup(m, c, v, [...path, i], out);
      }
    } else if (!isCondition(c)) {
      out.push(
        `condition${at} ${JSON.stringify(c) ?? String(c)} is not a known condition (${CONDITIONS.join(", ")})`,
      );
    }
  });
}

function checkActions(p: Record<string, unknown>, out: string[]): void {
  for (const key of ["charge_amps", "charge_limit", "allowed_flex"] as const) {
    const v = p[key];
    if (v !== undefined && typeof v !== "number" && typeof v !== "string") {
      out.push(`${key} must be a number or a macro string`);
    }
  }
  const latch = p["latch_period"];
  if (latch !== undefined && (typeof latch !== "number" || !Number.isFinite(latch) || latch < 0)) {
    out.push("latch_period must be a number of minutes ≥ 0");
  }
  if (p["background_task"] !== undefined && typeof p["background_task"] !== "string") {
    out.push("background_task must be a string");
  }
  const hooks = p["webhooks"];
  if (hooks !== undefined) {
    if (!isRecord(hooks)) {
      out.push("webhooks must be an object with enter, start, stop and exit URLs");
    } else {
      for (const [k, url] of Object.entries(hooks)) {
        if (!WEBHOOK_KEYS.has(k)) out.push(`unknown webhook "${k}" (expected enter, start, stop or exit)`);
        else if (typeof url !== "string") out.push(`webhooks.${k} must be a URL string`);
      }
    }
  }
}

/** Errors of one raw policy entry at `index` (empty when valid). */
export function validatePolicy(entry: unknown, index: number): string[] {
  const prefix = describe(entry, index);
  if (!isRecord(entry)) return [`${prefix}: must be an object`];
  const out: string[] = [];
  if (typeof entry["name"] !== "string" || entry["name"].trim() === "")
    out.push("name must be a non-empty string");
  const lists = ["match", "condition", "value"].map((k) => entry[k]);
  const [match, condition, value] = lists;
  if (!Array.isArray(match) || !Array.isArray(condition) || !Array.isArray(value)) {
    for (const [i, k] of ["match", "condition", "value"].entries()) {
      if (!Array.isArray(lists[i])) out.push(`${k} must be a list`);
    }
  } else {
    checkGroup(match, condition, value, [], out);
  }
  checkActions(entry, out);
  return out.map((m) => `${prefix}: ${m}`);
}

/** Validates a raw policy list; returns every error (empty when valid). */
export function validatePolicies(list: readonly unknown[]): string[] {
  return list.flatMap((p, i) => validatePolicy(p, i));
}
