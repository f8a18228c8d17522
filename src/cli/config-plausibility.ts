/**
 * Values that are valid but probably wrong (issue 12 §2): a 400 A wiring limit, a per-charger limit above
 * any Gen2 rating, a line-to-line voltage, a minimum no car charges at. check-config prints them and the
 * controller logs them at start. Warnings only: the safety clamps hold whatever the values. Pure.
 */
import type { AppConfig } from "../config/app-config.ts";

/** The highest rating of a Wall Connector Gen2 (A). */
export const GEN2_MAX_RATING_A = 80;
/** Chargers a Gen2 load-sharing bus links at most (twc-protocol: up to 4 units share one circuit). */
export const MAX_SHARED_CHARGERS = 4;

/** The warnings for `config`, one sentence each naming the key. */
export function implausibleValues(config: AppConfig): string[] {
  const c = config.core;
  const out: string[] = [];
  const all = c.wiringMaxAmpsAllTWCs;
  const per = c.wiringMaxAmpsPerTWC;
  if (all > GEN2_MAX_RATING_A * MAX_SHARED_CHARGERS)
    out.push(`config.wiringMaxAmpsAllTWCs: ${all} A is more than ${MAX_SHARED_CHARGERS} chargers at ${GEN2_MAX_RATING_A} A can draw; it is the breaker of the chargers' circuit × 0.8 (a 40 A breaker → 32)`);
  if (per > GEN2_MAX_RATING_A)
    out.push(`config.wiringMaxAmpsPerTWC: ${per} A is above the highest Gen2 rating (${GEN2_MAX_RATING_A} A): the charger's rating caps it; set the breaker of one charger × 0.8`);
  if (per > all)
    out.push(`config.wiringMaxAmpsPerTWC: ${per} A is above config.wiringMaxAmpsAllTWCs (${all} A): the shared limit caps every charger`);
  if (c.minAmpsPerTWC > per)
    out.push(`config.minAmpsPerTWC: ${c.minAmpsPerTWC} A is above config.wiringMaxAmpsPerTWC (${per} A): charging can never start`);
  else if (c.minAmpsPerTWC < 6)
    out.push(`config.minAmpsPerTWC: ${c.minAmpsPerTWC} A is below 6 A, the least a Tesla car charges at`);
  if (c.defaultVoltage < 100 || c.defaultVoltage > 480)
    out.push(`config.defaultVoltage: ${c.defaultVoltage} V is outside 100–480 V: it is the voltage of one phase (230 or 240 in most homes)`);
  else if (c.numberOfPhases > 1 && c.defaultVoltage > 300)
    out.push(`config.defaultVoltage: ${c.defaultVoltage} V with ${c.numberOfPhases} phases: give the voltage of one phase (230 V), not between phases (400 V)`);
  if (c.maxAmpsAllowedFromGrid !== null && c.maxAmpsAllowedFromGrid > all * 4)
    out.push(`config.maxAmpsAllowedFromGrid: ${c.maxAmpsAllowedFromGrid} A is far above the chargers' circuit (${all} A): it is the grid connection's limit in amps`);
  if (config.bus.kind === "Dummy") {
    config.bus.slaves.forEach((s, i) => {
      const rated = typeof s.maxAmps === "number" ? s.maxAmps : GEN2_MAX_RATING_A;
      if (per > rated)
        out.push(`config.wiringMaxAmpsPerTWC: ${per} A is above the rating of interface.Dummy.slaves[${i}] (${rated} A): its rating caps it`);
    });
  }
  return out;
}
