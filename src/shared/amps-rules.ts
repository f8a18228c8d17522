/**
 * The one rule for the charging rates a user sets (issue 12 §10), shared by the server's validation
 * (http/legacy/validate.ts) and the web forms (web/validate.ts), so both accept the same values and
 * say the same thing: the API in its field names, the web in the form's words. Pure.
 *
 * Charge Now's rate is `minAmps`…wiringMaxAmpsAllTWCs; the schedule's rate is 0 (off) or the same
 * range. `minAmps` is config.minAmpsPerTWC: below it no charger offers current, so a lower rate would
 * be accepted and then silently not charge. Callers that do not know it pass 1 (TWCManager's rule).
 */

/** An accepted range of whole amps, optionally with 0 meaning "off". */
export interface AmpsRule {
  readonly min: number;
  readonly max: number;
  /** 0 is accepted and means off. */
  readonly offAllowed: boolean;
}

const whole = (v: number, fallback: number): number => (Number.isFinite(v) ? Math.trunc(v) : fallback);

/** Charge Now's rate (http-api.md §7.1): `minAmps`…`wiringMaxAll` A. */
export function chargeNowRateRule(minAmps: number, wiringMaxAll: number): AmpsRule {
  const max = Math.max(1, whole(wiringMaxAll, 1));
  const min = Number.isFinite(minAmps) ? Math.ceil(minAmps - 1e-9) : 1;
  return { min: Math.min(max, Math.max(1, min)), max, offAllowed: false };
}

/** The scheduled rate (http-api.md §7.10): 0 (off) or `minAmps`…`wiringMaxAll` A. */
export function scheduleAmpsRule(minAmps: number, wiringMaxAll: number): AmpsRule {
  return { ...chargeNowRateRule(minAmps, wiringMaxAll), offAllowed: true };
}

/** True when the whole number `amps` satisfies the rule. */
export function ampsAllowed(rule: AmpsRule, amps: number): boolean {
  if (!Number.isInteger(amps)) return false;
  if (amps === 0 && rule.offAllowed) return true;
  return amps >= rule.min && amps <= rule.max;
}

/**
 * The rule as one sentence about `name`: the API's field name ("chargeNowRate must be between 6 and
 * 48") or the form's label with its unit ("Rate must be between 6 A and 48 A").
 */
export function ampsRuleMessage(rule: AmpsRule, name: string, unit = ""): string {
  const u = (n: number): string => `${n}${unit}`;
  if (rule.offAllowed && rule.min <= 1) return `${name} must be between ${u(0)} and ${u(rule.max)}`;
  if (rule.offAllowed)
    return `${name} must be 0 (off), or at least ${u(rule.min)} and at most ${u(rule.max)}`;
  return `${name} must be between ${u(rule.min)} and ${u(rule.max)}`;
}
