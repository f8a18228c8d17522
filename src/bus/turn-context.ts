/**
 * The contexts of the per-heartbeat decisions (controller.md §6, §12) from what the bus runtime holds:
 * the last pushed `BusInput` (budget, flex, green flag, settings), the static config and the linked
 * slaves. Pure.
 */
import type { BusInput } from "./bus-input.ts";
import { effectiveBudget, othersLoad } from "./offer.ts";
import type { OfferContext } from "./offer.ts";
import type { SlaveState } from "./slave-state.ts";
import type { StartStopContext } from "./start-stop.ts";
import { NO_VEHICLES } from "./vehicle-requests.ts";
import type { BusVehicleInput } from "./vehicle-requests.ts";

/** The static parts the decisions read (from BusControllerConfig). */
export interface TurnConfig {
  readonly minAmpsPerTWC: number;
  readonly wiringMaxAmpsAllTWCs: number;
}

/** settings.chargeRateControl as the offer reads it (anything else behaves like 1, §11). */
function rateControl(v: number): 1 | 2 | 3 {
  return v === 2 ? 2 : v === 3 ? 3 : 1;
}

/** settings.chargeStopMode as start/stop reads it (anything else behaves like 1). */
function stopMode(v: number): 1 | 2 | 3 {
  return v === 2 ? 2 : v === 3 ? 3 : 1;
}

/** The offer context for `slave`'s next heartbeat among `all` linked slaves at `nowMs` (with what the engine said about the cars). */
export function offerContext(
  slave: SlaveState,
  all: readonly SlaveState[],
  spikeAmps: number,
  input: BusInput,
  config: TurnConfig,
  nowMs: number,
  vehicles: BusVehicleInput = NO_VEHICLES,
): OfferContext {
  const s = input.settings;
  return {
    nowS: nowMs / 1000,
    budgetM: effectiveBudget(input.maxAmpsToDivide, input.limitAmps),
    allowedFlex: input.allowedFlex,
    green: input.green,
    numCharging: all.filter((x) => x.isCharging).length,
    allActualAmps: all.reduce((a, x) => a + x.reportedAmpsActual, 0),
    // Safety beyond controller.md §7: count what drawing slaves were offered, not only their draw,
    // and re-check unchanged offers (docs/decisions.md), so the shared circuit is not overloaded by
    // cars spiking together or by offers made while no car drew.
    ...othersLoad(all, slave.id),
    spikeAmps,
    minAmpsPerTWC: config.minAmpsPerTWC,
    wiringMaxAmpsAllTWCs: config.wiringMaxAmpsAllTWCs,
    spikeAmpsProactively: s.spikeAmpsProactively !== 0,
    spikeAmpsReactively: s.spikeAmpsReactively !== 0,
    chargeRateControl: rateControl(s.chargeRateControl),
    ...(vehicles.enabled
      ? { vehicleModule: true, extraCharging: vehicles.apiOnlyCharging, extraActualAmps: vehicles.apiOnlyActualAmps }
      : {}),
  };
}

/** The start/stop context of a heartbeat written at `nowMs` (`stopTimeoutAtS`: the master's stop timeout, vehicles.md §3.1). */
export function startStopContext(
  input: BusInput,
  config: TurnConfig,
  stopWarnedAtS: number | null,
  nowMs: number,
  vehicles: BusVehicleInput = NO_VEHICLES,
  stopTimeoutAtS: number | null = null,
): StartStopContext {
  const s = input.settings;
  return {
    nowS: nowMs / 1000,
    chargeStopMode: stopMode(s.chargeStopMode),
    respondToSlaves: s.respondToSlaves,
    respondToSlavesExpiryAtS: s.respondToSlavesExpiry,
    minAmpsPerTWC: config.minAmpsPerTWC,
    hasVehicleModule: vehicles.enabled,
    stopWarnedAtS,
    stopTimeoutAtS,
  };
}
