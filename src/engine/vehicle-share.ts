/**
 * Pure vehicle arithmetic of the engine (issue 14): which cars are API-only and what they are asked to
 * draw (vehicles.md §3.9), the bus's view of them, the flex-start data of the one linked car (§3.6,
 * controller.md §18) and the slave → VIN list for `linkSlaves` (§1.3).
 */
import type { VehicleStatus } from "../integrations/capabilities.ts";
import type { FlexVehicleData } from "../policy/types.ts";
import { twcIdHex } from "../protocol/frames.ts";
import type { SlaveState } from "../bus/slave-state.ts";
import type { BusVehicleInput } from "../bus/vehicle-requests.ts";

/** The car minimum of §3.9: a target below it sends nothing (A). */
export const API_CAR_MIN_AMPS = 5;

/** A finite, non-negative amps reading (anything else counts as 0). */
function amps(x: number | null): number {
  return x !== null && Number.isFinite(x) && x > 0 ? x : 0;
}

/**
 * §3.9: a car at home, wanting to charge (Charging or Stopped), whose VIN is no slave's current VIN —
 * nor its last VIN: the bus clears the current VIN when a session ends, and a car we stopped on a TWC
 * is still on that TWC (it is started through §3.1, not sent an API-only share).
 */
export function apiOnlyCars(cars: readonly VehicleStatus[], slaves: readonly SlaveState[]): VehicleStatus[] {
  const onTwc = new Set(slaves.flatMap((s) => [s.currentVIN, s.lastVIN]).filter((v) => v !== ""));
  return cars.filter(
    (c) => c.atHome === true && (c.chargingState === "Charging" || c.chargingState === "Stopped") && !onTwc.has(c.vin),
  );
}

/** What the bus needs of the API-only cars: how many draw ≥ 1 A and their total draw. */
export function busVehicleInput(enabled: boolean, apiOnly: readonly VehicleStatus[]): BusVehicleInput {
  if (!enabled) return { enabled: false, apiOnlyCharging: 0, apiOnlyActualAmps: 0 };
  let n = 0;
  let total = 0;
  for (const c of apiOnly) {
    const a = amps(c.actualCurrentA);
    if (a >= 1) n++;
    total += a;
  }
  return { enabled: true, apiOnlyCharging: n, apiOnlyActualAmps: total };
}

/**
 * §3.9 targets: with `N` = charging slaves + API-only cars drawing ≥ 1 A and `others` everything else's
 * draw, each car gets `min(M − others, trunc(M / N))` (M when N = 0), at most its `availableCurrent`
 * (or `wiringMaxAmpsPerTWC` while unknown); below 5 A nothing is sent. Whole amps.
 */
export function apiOnlyTargets(
  budgetM: number,
  slaves: readonly SlaveState[],
  cars: readonly VehicleStatus[],
  wiringMaxAmpsPerTWC: number,
): { vin: string; amps: number }[] {
  const M = Number.isFinite(budgetM) && budgetM > 0 ? budgetM : 0;
  const slaveDraw = slaves.reduce((a, s) => a + amps(s.reportedAmpsActual), 0);
  const carDraw = cars.reduce((a, c) => a + amps(c.actualCurrentA), 0);
  const n = slaves.filter((s) => s.isCharging).length + cars.filter((c) => amps(c.actualCurrentA) >= 1).length;
  const out: { vin: string; amps: number }[] = [];
  for (const c of cars) {
    const own = amps(c.actualCurrentA);
    const others = slaveDraw + carDraw - own;
    let desired = n === 0 ? M : Math.min(M - others, Math.trunc(M / n));
    const max = amps(c.availableCurrentA) > 0 ? amps(c.availableCurrentA) : wiringMaxAmpsPerTWC;
    desired = Math.min(desired, max);
    if (!(desired >= API_CAR_MIN_AMPS)) continue;
    out.push({ vin: c.vin, amps: Math.trunc(desired) });
  }
  return out;
}

/**
 * §3.6: the flex-start data of the car on the only linked slave (current VIN, else last), or null —
 * more or fewer slaves, no such car, or a state of charge outside 0–100 or a limit outside 50–100.
 */
export function flexVehicleOf(
  slaves: readonly SlaveState[],
  byVin: (vin: string) => VehicleStatus | null,
  electrical: { voltage: number; phases: number; realPowerFactor: number },
): FlexVehicleData | null {
  if (slaves.length !== 1) return null;
  const s = slaves[0]!;
  const car = (s.currentVIN !== "" ? byVin(s.currentVIN) : null) ?? (s.lastVIN !== "" ? byVin(s.lastVIN) : null);
  if (!car) return null;
  const soc = car.socPercent;
  const limit = car.chargeLimitPercent;
  if (soc === null || !Number.isFinite(soc) || soc < 0 || soc > 100) return null;
  if (limit === null || !Number.isFinite(limit) || limit < 50 || limit > 100) return null;
  return { batteryLevel: soc, chargeLimit: limit, ...electrical };
}

/** The `linkSlaves` argument: each slave's 4-hex-digit ID and VINs (null when none). */
export function slaveLinks(slaves: readonly SlaveState[]): { twcId: string; currentVin: string | null; lastVin: string | null }[] {
  return slaves.map((s) => ({
    twcId: twcIdHex(s.id),
    currentVin: s.currentVIN === "" ? null : s.currentVIN,
    lastVin: s.lastVIN === "" ? null : s.lastVIN,
  }));
}
