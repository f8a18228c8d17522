/**
 * One policy evaluation (controller.md §16.5–16.8): forced policy, latches, first match, fallback to
 * the active policy or the safe default, and enforcement values. Pure: events describe what the
 * runtime must do (webhooks, logs).
 */
import { policyMatches } from "./conditions.ts";
import { resolve } from "./macros.ts";
import type { MacroContext } from "./macros.ts";
import { numericValue } from "./numbers.ts";
import { checkScheduledCharging, flexStart } from "./schedule.ts";
import type {
  DecidedPolicy,
  Decision,
  DecisionEvent,
  ForcedPolicy,
  Policy,
  PolicyLogEvent,
  PolicySnapshot,
} from "./types.ts";

/** Builds the macro context of a snapshot (flex start applied to `checkScheduledCharging()`). */
export function macroContext(s: PolicySnapshot): MacroContext {
  const ctx: MacroContext = {
    now: s.now,
    local: s.local,
    settings: s.settings,
    config: s.config.config,
    scheduledCharging: () =>
      checkScheduledCharging(s.settings, s.local, flexStart(s.settings, s.flexVehicle)),
  };
  if (s.greenAmps) ctx.greenAmps = s.greenAmps;
  if (s.moduleAttr) ctx.moduleAttr = s.moduleAttr;
  return ctx;
}

/** True when the policy has no `charge_amps` (its budget comes from the energy computation). */
export function isGreen(policy: Policy): boolean {
  return policy.charge_amps === undefined;
}

function log(level: PolicyLogEvent["level"], code: string, message: string): PolicyLogEvent {
  return { type: "log", level, code, message };
}

function safeMatches(policy: Policy, ctx: MacroContext, events: DecisionEvent[]): boolean {
  try {
    return policyMatches(policy, ctx);
  } catch (err) {
    // A throwing callback (green computation, module resolver) must not stop the evaluation.
    events.push(
      log("error", "POLICY_CONDITION_FAILED", `Policy "${policy.name}": condition failed: ${String(err)}`),
    );
    return false;
  }
}

function safeResolve(x: unknown, ctx: MacroContext, what: string, events: DecisionEvent[]): unknown {
  try {
    return resolve(x, ctx);
  } catch (err) {
    events.push(log("error", "POLICY_MACRO_FAILED", `${what}: ${String(err)}`));
    return null;
  }
}

function requestedAmps(
  policy: Policy,
  ctx: MacroContext,
  wiringMax: number,
  events: DecisionEvent[],
): number {
  const raw = safeResolve(policy.charge_amps, ctx, `Policy "${policy.name}" charge_amps`, events);
  const n = numericValue(raw);
  const limit = Number.isFinite(wiringMax) && wiringMax > 0 ? wiringMax : 0;
  if (n === null || typeof raw === "boolean" || !Number.isFinite(n)) {
    events.push(
      log(
        "warn",
        "POLICY_AMPS_INVALID",
        `Policy "${policy.name}": charge_amps ${JSON.stringify(policy.charge_amps) ?? "?"} resolved to ` +
          `${JSON.stringify(raw) ?? String(raw)}, which is not a finite number; using 0 A`,
      ),
    );
    return 0;
  }
  if (n < 0) {
    events.push(
      log(
        "warn",
        "POLICY_AMPS_NEGATIVE",
        `Policy "${policy.name}": charge_amps ${n} A is negative; using 0 A`,
      ),
    );
    return 0;
  }
  if (n > limit) {
    events.push(
      log(
        "error",
        "POLICY_AMPS_ABOVE_WIRING",
        `Policy "${policy.name}": requested ${n} A exceeds wiringMaxAmpsAllTWCs ${limit} A; clamped`,
      ),
    );
    return limit;
  }
  return n;
}

function numberOr(x: unknown, fallback: number): number {
  const n = typeof x === "boolean" ? null : numericValue(x);
  return n !== null && Number.isFinite(n) ? n : fallback;
}

function enforce(
  s: PolicySnapshot,
  ctx: MacroContext,
  index: number,
  refreshLatch: boolean,
  latches: Map<number, number>,
  forced: ForcedPolicy | null,
  events: DecisionEvent[],
): Decision {
  const policy = s.policies[index] as Policy;
  if (policy.name !== s.active) {
    if (s.active !== null) events.push({ type: "exit", policy: s.active });
    events.push({ type: "enter", policy: policy.name });
  }
  const period = policy.latch_period;
  if (refreshLatch && typeof period === "number" && Number.isFinite(period) && period > 0) {
    latches.set(index, s.now + period * 60);
  }
  const green = isGreen(policy);
  const amps = green ? null : requestedAmps(policy, ctx, s.config.wiringMaxAmpsAllTWCs, events);
  const flexRaw = safeResolve(policy.allowed_flex ?? 0, ctx, `Policy "${policy.name}" allowed_flex`, events);
  const limit = numberOr(
    safeResolve(policy.charge_limit ?? -1, ctx, `Policy "${policy.name}" charge_limit`, events),
    -1,
  );
  const decided: DecidedPolicy = { index, name: policy.name, green };
  return {
    policy: decided,
    requestedAmps: amps,
    allowedFlex: Math.max(0, numberOr(flexRaw, 0)),
    chargeLimit: limit >= 50 && limit <= 100 ? limit : -1,
    latches,
    forced,
    events,
  };
}

function firstIndexNamed(policies: readonly Policy[], name: string): number {
  return policies.findIndex((p) => p.name === name);
}

/** Selects and enforces a policy for the snapshot (controller.md §16.6–16.8). */
export function decide(s: PolicySnapshot): Decision {
  const events: DecisionEvent[] = [];
  const ctx = macroContext(s);
  // Expired latches are removed (latched iff now < expiry); entries for vanished indices too.
  const latches = new Map<number, number>();
  for (const [i, expiry] of s.latches) {
    if (i >= 0 && i < s.policies.length && s.now < expiry) latches.set(i, expiry);
  }

  let forced = s.forced;
  if (forced !== null && !(s.now < forced.until)) forced = null;
  if (forced !== null) {
    const idx = firstIndexNamed(s.policies, forced.name);
    if (idx >= 0) return enforce(s, ctx, idx, false, latches, forced, events);
    events.push(
      log("warn", "POLICY_FORCED_UNKNOWN", `Forced policy "${forced.name}" does not exist; ignored`),
    );
    forced = null;
  }

  for (let i = 0; i < s.policies.length; i++) {
    const policy = s.policies[i] as Policy;
    const matched = safeMatches(policy, ctx, events);
    if (matched || latches.has(i)) return enforce(s, ctx, i, matched, latches, forced, events);
  }

  // No policy chosen: the last decision sticks (controller.md §16.7).
  if (s.active !== null) {
    const hinted = s.activeIndex ?? -1;
    const idx = s.policies[hinted]?.name === s.active ? hinted : firstIndexNamed(s.policies, s.active);
    if (idx >= 0) return enforce(s, ctx, idx, false, latches, forced, events);
    events.push({ type: "exit", policy: s.active });
  }
  return { policy: null, requestedAmps: 0, allowedFlex: 0, chargeLimit: -1, latches, forced, events };
}

/**
 * `GET /api/getActivePolicyAction` (http-api.md §6.5): 3 green, 1 when the resolved amps are > 0,
 * else 2; null when no policy is active.
 */
export function activePolicyAction(
  policy: Pick<DecidedPolicy, "green"> | null,
  requestedAmps: number | null,
): 1 | 2 | 3 | null {
  if (policy === null) return null;
  if (policy.green) return 3;
  return requestedAmps !== null && requestedAmps > 0 ? 1 : 2;
}
