/**
 * An energy source as a module: the poller watches its readings (the energy-meter capability), the
 * host runs its lifecycle (a start that throws, rejects or hangs is isolated and retried there).
 */
import type { EnergySource } from "../energy/source.ts";
import type { EnergyMeter } from "./capabilities.ts";
import type { Module } from "./module.ts";

/** Where meters are announced (the energy poller). */
export interface MeterSink {
  add(meter: EnergyMeter): void;
}

/** Announces `source` to `meters` and returns the module that starts and stops it. */
export function meterModule(name: string, source: EnergySource, meters: MeterSink): Module {
  meters.add(source);
  return {
    name,
    start: () => source.start(),
    stop: () => source.stop(),
  };
}
