/**
 * The effective policy list from config.json (controller.md §16.3): `policy.override` replaces the
 * default list; otherwise inserts, `greenEnergyLatch`, restrictions and webhooks extend it.
 */
import { DAYTIME_GREEN_INDEX, defaultPolicies } from "./default-policies.ts";
import { numericValue } from "./numbers.ts";
import type { Policy } from "./types.ts";
import { validatePolicy } from "./validate.ts";

export { validatePolicies } from "./validate.ts";

/** Inputs of `buildPolicyList`: raw config values (validated here). */
export interface PolicyListInput {
  /** `policy.override`. */
  override?: unknown;
  /** `policy.extend`. */
  extend?: unknown;
  /** `config.greenEnergyLatch` (minutes). */
  greenEnergyLatch?: unknown;
}

/** The effective list plus configuration warnings and errors (errors are fatal at start-up). */
export interface PolicyListResult {
  /** The effective list; entries that failed validation are left out. */
  policies: Policy[];
  warnings: string[];
  errors: string[];
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function cloneEntry(x: unknown): unknown {
  if (!isRecord(x)) return x;
  const copy = structuredClone(x);
  // A list copied from getPolicy output carries runtime latch state; it is not configuration.
  delete copy["__latchTime"];
  return copy;
}

function insertList(extend: Record<string, unknown>, key: string, errors: string[]): unknown[] {
  const v = extend[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    errors.push(`policy.extend.${key} must be a list of policies`);
    return [];
  }
  return v.map(cloneEntry);
}

function findByName(list: unknown[], name: string): Record<string, unknown> | undefined {
  for (const p of list) if (isRecord(p) && p["name"] === name) return p;
  return undefined;
}

function applyRestrictions(
  list: unknown[],
  restrictions: unknown,
  warnings: string[],
  errors: string[],
): void {
  if (restrictions === undefined || restrictions === null) return;
  if (!isRecord(restrictions)) {
    errors.push("policy.extend.restrictions must be an object keyed by policy name");
    return;
  }
  for (const [name, r] of Object.entries(restrictions)) {
    const where = `policy.extend.restrictions["${name}"]`;
    if (!isRecord(r)) {
      errors.push(`${where} must be an object with match, condition and value lists`);
      continue;
    }
    const policy = findByName(list, name);
    if (!policy) {
      warnings.push(`${where}: no policy named "${name}"; restriction ignored`);
      continue;
    }
    for (const key of ["match", "condition", "value"] as const) {
      const extra = r[key] ?? [];
      if (!Array.isArray(extra)) {
        errors.push(`${where}.${key} must be a list`);
        continue;
      }
      const current = policy[key];
      // A malformed target list is reported by validatePolicies; append only to a real list.
      if (Array.isArray(current))
        policy[key] = [...(current as unknown[]), ...(structuredClone(extra) as unknown[])];
    }
  }
}

function applyWebhooks(list: unknown[], webhooks: unknown, warnings: string[], errors: string[]): void {
  if (webhooks === undefined || webhooks === null) return;
  if (!isRecord(webhooks)) {
    errors.push("policy.extend.webhooks must be an object keyed by policy name");
    return;
  }
  for (const [name, hooks] of Object.entries(webhooks)) {
    const policy = findByName(list, name);
    if (!policy) {
      warnings.push(`policy.extend.webhooks["${name}"]: no policy named "${name}"; webhooks ignored`);
      continue;
    }
    // Shape errors (non-object, unknown keys, non-string URLs) are reported by validatePolicies.
    policy["webhooks"] = structuredClone(hooks);
  }
}

/** Builds the effective policy list (controller.md §16.3) and validates it. */
export function buildPolicyList(input: PolicyListInput): PolicyListResult {
  const warnings: string[] = [];
  const errors: string[] = [];
  const latchRaw = input.greenEnergyLatch;
  const latch = latchRaw === undefined || latchRaw === null ? null : numericValue(latchRaw);
  if (
    latchRaw !== undefined &&
    latchRaw !== null &&
    (latch === null || !Number.isFinite(latch) || latch < 0)
  ) {
    errors.push("config.greenEnergyLatch must be a number of minutes ≥ 0");
  }
  let list: unknown[];
  const override = input.override;
  if (override !== undefined && override !== null && !Array.isArray(override)) {
    errors.push("policy.override must be a list of policies");
  }
  if (Array.isArray(override) && override.length > 0) {
    list = override.map(cloneEntry);
    if (latch !== null && latch > 0) {
      warnings.push("config.greenEnergyLatch is ignored because policy.override replaces the policy list");
    }
    if (isRecord(input.extend) && Object.keys(input.extend).length > 0) {
      warnings.push("policy.extend is ignored because policy.override replaces the policy list");
    }
  } else {
    const defaults = defaultPolicies();
    // Always applied to the default list, with or without a policy section (upstream differs, Q-16).
    const daytimeGreen = defaults[DAYTIME_GREEN_INDEX];
    if (latch !== null && Number.isFinite(latch) && latch > 0 && daytimeGreen)
      daytimeGreen.latch_period = latch;
    list = defaults;
    const extend = input.extend;
    if (extend !== undefined && extend !== null && !isRecord(extend)) {
      errors.push("policy.extend must be an object");
    } else if (isRecord(extend)) {
      // Each insert is applied to the list as it is at that step (controller.md §16.3).
      list.splice(3, 0, ...insertList(extend, "after", errors));
      list.splice(1, 0, ...insertList(extend, "before", errors));
      list.splice(0, 0, ...insertList(extend, "emergency", errors));
      applyRestrictions(list, extend["restrictions"], warnings, errors);
      applyWebhooks(list, extend["webhooks"], warnings, errors);
    }
  }
  const policies: Policy[] = [];
  list.forEach((p, i) => {
    const entryErrors = validatePolicy(p, i);
    if (entryErrors.length === 0) policies.push(p as Policy);
    else errors.push(...entryErrors);
  });
  return { policies, warnings, errors };
}

/**
 * The list as rendered by `GET /api/getPolicy` (http-api.md §6.4): the policies with `__latchTime`
 * (epoch seconds) appended while a latch is active.
 */
export function policyListView(
  policies: readonly Policy[],
  latches: ReadonlyMap<number, number>,
  now: number,
): Record<string, unknown>[] {
  return policies.map((p, i) => {
    const latch = latches.get(i);
    const view: Record<string, unknown> = { ...p };
    if (latch !== undefined && latch > now) view["__latchTime"] = latch;
    return view;
  });
}
