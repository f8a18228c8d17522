/**
 * Pure projection of the controller's slave records into the state document's chargers and totals
 * (http-api.md §8.1). Amps from the bus stay exact hundredths; computed values are round2; watts integers.
 */
import { twcIdHex } from "../protocol/frames.ts";
import { round2 as r2 } from "../shared/numbers.ts";
import type { Charger, StateDocument } from "../state/types.ts";
import type { SlaveState } from "../bus/slave-state.ts";

/** Electrical values used to turn amps into watts. */
export interface ElectricalView {
  voltage: number;
  phases: number;
  /** Real power factor at the given amps (controller.md §17.2). */
  rpf(amps: number): number;
}

/** Converts epoch ms to the document's ISO local time format. */
export type IsoFormatter = (epochMs: number) => string;

/** Watts drawn at `amps` (A→W × rpf), not rounded. */
export function ampsToWatts(amps: number, e: ElectricalView): number {
  return amps * e.voltage * e.phases * e.rpf(amps);
}

/** One Charger entry of the state document. */
export function projectCharger(
  s: SlaveState,
  e: ElectricalView,
  iso: IsoFormatter,
  stateName: (code: number) => string,
): Charger {
  const volts = [s.voltsPhaseA, s.voltsPhaseB, s.voltsPhaseC];
  return {
    id: twcIdHex(s.id),
    protocolVersion: s.protocolVersion,
    ratedAmps: s.maxAmps,
    wiringMaxAmps: s.wiringMaxAmps,
    minAmps: s.minAmpsTWCSupports,
    state: s.reportedState,
    stateName: stateName(s.reportedState),
    reportedAmpsMax: s.reportedAmpsMax,
    reportedAmpsActual: s.reportedAmpsActual,
    ampsOffered: s.lastAmpsOffered < 0 ? null : r2(s.lastAmpsOffered),
    ampsDesired: s.ampsDesired === null ? null : r2(s.ampsDesired),
    charging: s.isCharging,
    chargingSince: s.isCharging && s.lastChargingStart > 0 ? iso(s.lastChargingStart * 1000) : null,
    powerW: Math.round(ampsToWatts(s.reportedAmpsActual, e)),
    lifetimeKWh: s.lifetimeKnown ? s.lifetimeKWh : null,
    voltage: { a: s.voltsPhaseA, b: s.voltsPhaseB, c: s.voltsPhaseC },
    phases: volts.filter((v) => v > 0).length,
    vin: { current: s.currentVIN === "" ? null : s.currentVIN, last: s.lastVIN === "" ? null : s.lastVIN },
    linkedAt: iso(s.linkedAt),
    lastHeartbeatAt: s.lastHeartbeatAt === null ? null : iso(s.timeLastRx),
  };
}

/** The chargers list and totals of the state document. */
export function projectChargers(
  slaves: readonly SlaveState[],
  e: ElectricalView,
  iso: IsoFormatter,
  stateName: (code: number) => string,
): { chargers: Charger[]; totals: StateDocument["totals"] } {
  const chargers = slaves.map((s) => projectCharger(s, e, iso, stateName));
  const actual = slaves.reduce((a, s) => a + s.reportedAmpsActual, 0);
  return {
    chargers,
    totals: {
      chargers: chargers.length,
      carsCharging: chargers.filter((c) => c.charging).length,
      ampsActual: r2(actual),
      ampsOffered: r2(chargers.reduce((a, c) => a + (c.ampsOffered ?? 0), 0)),
      powerW: Math.round(ampsToWatts(actual, e)),
      lifetimeKWh: chargers.reduce((a, c) => a + (c.lifetimeKWh ?? 0), 0),
      minRatedAmps: chargers.length === 0 ? null : Math.min(...chargers.map((c) => c.ratedAmps)),
    },
  };
}
