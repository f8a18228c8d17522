/**
 * Validation of config.json `policy` (controller.md §16.3): schema check, then the condition lists of
 * every policy and restriction — unknown condition names, mismatched list lengths and malformed groups
 * are errors naming the policy and its index. Pure.
 */
import { CONDITIONS } from "../policy/compare.ts";
import type { PolicyConfig } from "./app-config.ts";
import { coerceNumber } from "./coerce.ts";
import { PolicySectionSchema, type PolicyDefinition } from "./schema-policy.ts";
import { addError, addWarning, checkSchema, isRecord, show, type Issue } from "./schema-walk.ts";

/** Condition names accepted by the policy engine (controller.md §16.4; one list, in policy/compare.ts). */
export const POLICY_CONDITIONS: readonly string[] = CONDITIONS;

/** Names of the default policy list (controller.md §16.2). */
export const DEFAULT_POLICY_NAMES: readonly string[] = [
  "Charge Now",
  "Scheduled Charging",
  "Track Green Energy",
  "Non Scheduled Charging",
];

const DEFAULT_INTERVAL_S = 30;

function checkGroup(
  match: unknown[],
  condition: unknown[],
  value: unknown[],
  path: string,
  suffix: string,
  label: string,
  issues: Issue[],
): void {
  if (match.length !== condition.length || condition.length !== value.length) {
    addError(
      issues,
      `${path}.condition${suffix}`,
      `match, condition and value must have the same length in ${label} (found ${match.length}, ${condition.length} and ${value.length})`,
    );
    return;
  }
  condition.forEach((c, i) => {
    const m = match[i];
    const v = value[i];
    const at = `${path}.condition${suffix}[${i}]`;
    if (Array.isArray(c)) {
      if (Array.isArray(m) && Array.isArray(v)) {
        checkGroup(m as unknown[], c as unknown[], v as unknown[], path, `${suffix}[${i}]`, label, issues);
      } else {
        addError(
          issues,
          at,
          `malformed group in ${label}: match, condition and value must all be lists at this position`,
        );
      }
    } else if (typeof c !== "string") {
      addError(issues, at, `condition must be a string in ${label} (found ${show(c)})`);
    } else if (!POLICY_CONDITIONS.includes(c)) {
      addError(
        issues,
        at,
        `unknown condition ${show(c)} in ${label} (expected one of ${POLICY_CONDITIONS.join(", ")})`,
      );
    }
  });
}

function checkPolicies(list: readonly PolicyDefinition[], path: string, issues: Issue[]): void {
  list.forEach((p, i) => {
    checkGroup(p.match, p.condition, p.value, `${path}[${i}]`, "", `policy ${show(p.name)}`, issues);
  });
}

/** Validates the `policy` section; null when there is an error. */
export function validatePolicy(
  raw: unknown,
  greenEnergyLatch: number | null,
  issues: Issue[],
): PolicyConfig | null {
  let input: unknown = raw ?? {};
  if (isRecord(input) && isRecord(input.engine)) {
    const n = coerceNumber(input.engine.policyCheckInterval);
    if (n.ok && n.value === 0) {
      const engine: Record<string, unknown> = { ...input.engine };
      delete engine.policyCheckInterval;
      input = { ...input, engine };
    }
  }
  const before = issues.length;
  const p = checkSchema(PolicySectionSchema, input, "policy", issues);
  if (!p) return null;
  checkPolicies(p.override, "policy.override", issues);
  checkPolicies(p.extend.emergency, "policy.extend.emergency", issues);
  checkPolicies(p.extend.before, "policy.extend.before", issues);
  checkPolicies(p.extend.after, "policy.extend.after", issues);
  for (const [name, r] of Object.entries(p.extend.restrictions)) {
    checkGroup(
      r.match,
      r.condition,
      r.value,
      `policy.extend.restrictions.${name}`,
      "",
      `the restriction of policy ${show(name)}`,
      issues,
    );
  }
  if (issues.slice(before).some((x) => x.severity === "error")) return null;

  if (p.override.length > 0) {
    if (greenEnergyLatch !== null)
      addWarning(
        issues,
        "config.greenEnergyLatch",
        "ignored because policy.override replaces the policy list",
      );
  } else {
    const names = new Set(
      [...DEFAULT_POLICY_NAMES, ...p.extend.emergency, ...p.extend.before, ...p.extend.after].map((x) =>
        typeof x === "string" ? x : x.name,
      ),
    );
    for (const kind of ["restrictions", "webhooks"] as const) {
      for (const name of Object.keys(p.extend[kind])) {
        if (!names.has(name))
          addWarning(issues, `policy.extend.${kind}.${name}`, `there is no policy named ${show(name)}`);
      }
    }
  }
  return {
    override: p.override,
    extend: {
      emergency: p.extend.emergency,
      before: p.extend.before,
      after: p.extend.after,
      restrictions: p.extend.restrictions,
      webhooks: p.extend.webhooks,
    },
    policyCheckIntervalS: p.engine.policyCheckInterval || DEFAULT_INTERVAL_S,
  };
}
