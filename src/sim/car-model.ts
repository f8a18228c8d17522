/**
 * The simulated car (twc-protocol.md §13.3). Pure: `stepCar` advances the car by `dtS` seconds
 * under the slave's current limit and returns the new car, whose `state` and `actualA` are what
 * the slave reports. Energy delivered (and the battery's state of charge) integrate the drawn
 * current times the sum of the slave's phase voltages.
 */
import type { SimCarDef } from "./types.ts";

/** Target current while in state 08 (starting), A. */
export const STARTING_AMPS = 1.3;
/** The current a car falls back to after a limit raise (sixAmpFallback quirk), A. */
export const FALLBACK_AMPS = 5.2;
/** How long the spike threshold must be offered to cancel the fallback, s. */
export const FALLBACK_CANCEL_S = 5;

/** Where a plugged-in `follow` car is in its charge cycle. */
export type CarPhase = "idle" | "starting" | "charging";

/** The state of one simulated car. */
export interface CarState {
  /** Behaviour and knobs; behaviour becomes "full" when the battery reaches the charge limit. */
  readonly def: Readonly<SimCarDef>;
  /** Offer needed to cancel the 6 A fallback: 21 A (TWC rating ≥ 80 A) or 16 A, in centi-amps. */
  readonly spikeThresholdCentiAmps: number;
  /** Sum of the slave's phase voltages (V). */
  readonly voltsSum: number;
  readonly phase: CarPhase;
  /** Seconds spent in the current phase. */
  readonly phaseS: number;
  /** Drawn current (A, unrounded). */
  readonly actualA: number;
  /** Status code the slave reports for this car (twc-protocol.md §4.3). */
  readonly state: number;
  readonly socPercent: number;
  /** Energy drawn since this car was created (Wh). */
  readonly deliveredWh: number;
  /** The limit seen at the previous step (null: none since link). */
  readonly lastCommandedCentiAmps: number | null;
  /** The 6 A fallback is active. */
  readonly fallback: boolean;
  /** Seconds the spike threshold has been offered while the fallback is active. */
  readonly spikeHeldS: number;
}

/** Creates a car (plugged in now) for a slave with the given rating and phase voltages. */
export function initCar(def: SimCarDef, slaveRatingAmps: number, volts: readonly number[]): CarState {
  return {
    def: { ...def },
    spikeThresholdCentiAmps: slaveRatingAmps >= 80 ? 2100 : 1600,
    voltsSum: volts.reduce((a, b) => a + b, 0),
    phase: "idle",
    phaseS: 0,
    actualA: 0,
    state: idleState(def.behaviour, null),
    socPercent: def.socPercent,
    deliveredWh: 0,
    lastCommandedCentiAmps: null,
    fallback: false,
    spikeHeldS: 0,
  };
}

/** Replaces the car's knobs; a behaviour change counts as a re-plug (charge cycle restarts). */
export function reconfigureCar(car: CarState, patch: Partial<SimCarDef>): CarState {
  const def = { ...car.def, ...patch };
  const replug = patch.behaviour !== undefined || patch.socPercent !== undefined;
  return {
    ...car,
    def,
    socPercent: patch.socPercent ?? car.socPercent,
    ...(replug ? { phase: "idle" as const, phaseS: 0, actualA: 0, fallback: false, spikeHeldS: 0 } : {}),
    state: replug ? idleState(def.behaviour, car.lastCommandedCentiAmps) : car.state,
  };
}

/** State code of a car that is not drawing. */
function idleState(behaviour: SimCarDef["behaviour"], commanded: number | null): number {
  switch (behaviour) {
    case "none":
      return 0x00;
    case "full":
      return 0x03;
    case "waiting":
      return 0x04;
    case "error":
      return 0x02;
    case "follow":
      return commanded === null ? 0x04 : 0x03;
  }
}

/** Moves `from` toward `to` at `rate` A/s for `dt` s (rate 0 = instantly). */
function ramp(from: number, to: number, rate: number, dt: number): number {
  if (rate <= 0) return to;
  const step = rate * dt;
  return from < to ? Math.min(to, from + step) : Math.max(to, from - step);
}

/** What a charging `follow` car aims to draw under this limit (A). */
function chargeTarget(car: CarState, commandedCentiAmps: number, fallback: boolean): number {
  const normal = Math.max(0, Math.min(commandedCentiAmps / 100, car.def.maxAmps) - car.def.drawOffsetA);
  return fallback ? Math.min(FALLBACK_AMPS, normal) : normal;
}

/** Adds the energy of one piece of the step (trapezoid of the current) to the car. */
function withEnergy(car: CarState, fromA: number, toA: number, dt: number): CarState {
  const wh = (((fromA + toA) / 2) * car.voltsSum * dt) / 3600;
  if (wh <= 0) return car;
  const soc = car.socPercent + (wh / (car.def.batteryKWh * 1000)) * 100;
  return { ...car, deliveredWh: car.deliveredWh + wh, socPercent: Math.min(100, soc) };
}

/** A car that stops drawing now and reports its idle state. */
function stopped(car: CarState, commanded: number | null): CarState {
  return {
    ...car,
    phase: "idle",
    phaseS: 0,
    actualA: 0,
    fallback: false,
    spikeHeldS: 0,
    state: idleState(car.def.behaviour, commanded),
  };
}

/** Tracks the sixAmpFallback quirk for one step (before the current moves). */
function updateFallback(car: CarState, commanded: number, dt: number): CarState {
  if (!car.def.sixAmpFallback) return car.fallback ? { ...car, fallback: false, spikeHeldS: 0 } : car;
  let { fallback, spikeHeldS } = car;
  const prev = car.lastCommandedCentiAmps;
  const raised = prev !== null && commanded > prev;
  if (car.phase === "charging" && raised && commanded < car.spikeThresholdCentiAmps) {
    fallback = true;
    spikeHeldS = 0;
  } else if (fallback) {
    spikeHeldS = commanded >= car.spikeThresholdCentiAmps ? spikeHeldS + dt : 0;
    if (spikeHeldS >= FALLBACK_CANCEL_S) {
      fallback = false;
      spikeHeldS = 0;
    }
  }
  return { ...car, fallback, spikeHeldS };
}

/**
 * Advances the car by `dtS` seconds. `commandedCentiAmps` is the slave's limit, or null when no
 * limit was received since the slave linked; `stoppedByCommand` covers a stop command and a
 * master-commanded error; an unlinked slave's car stops drawing.
 */
export function stepCar(
  car: CarState,
  commandedCentiAmps: number | null,
  stoppedByCommand: boolean,
  linked: boolean,
  dtS: number,
): CarState {
  const dt = Math.max(0, dtS);
  let c: CarState = car;
  if (c.def.behaviour === "follow" && c.socPercent >= c.def.chargeLimitPercent) {
    c = { ...c, def: { ...c.def, behaviour: "full" } };
  }
  const canCharge =
    c.def.behaviour === "follow" &&
    linked &&
    !stoppedByCommand &&
    commandedCentiAmps !== null &&
    commandedCentiAmps >= c.def.minAmps * 100;
  if (!canCharge || commandedCentiAmps === null) {
    return { ...stopped(c, commandedCentiAmps), lastCommandedCentiAmps: linked ? commandedCentiAmps : null };
  }
  c = updateFallback(c, commandedCentiAmps, dt);
  let left = dt;
  if (c.phase === "idle") c = { ...c, phase: "starting", phaseS: 0 };
  if (c.phase === "starting") {
    const inStart = Math.min(left, Math.max(0, c.def.startDelayS - c.phaseS));
    const target = Math.min(STARTING_AMPS, chargeTarget(c, commandedCentiAmps, c.fallback));
    const to = ramp(c.actualA, target, c.def.rampAmpsPerS, inStart);
    c = withEnergy({ ...c, actualA: to, phaseS: c.phaseS + inStart, state: 0x08 }, c.actualA, to, inStart);
    left -= inStart;
    if (c.phaseS >= c.def.startDelayS) c = { ...c, phase: "charging", phaseS: 0 };
  }
  if (c.phase === "charging") {
    const target = chargeTarget(c, commandedCentiAmps, c.fallback);
    const to = ramp(c.actualA, target, c.def.rampAmpsPerS, left);
    c = withEnergy({ ...c, actualA: to, phaseS: c.phaseS + left, state: 0x01 }, c.actualA, to, left);
  }
  if (c.socPercent >= c.def.chargeLimitPercent) {
    c = stopped({ ...c, def: { ...c.def, behaviour: "full" } }, commandedCentiAmps);
  }
  return { ...c, lastCommandedCentiAmps: commandedCentiAmps };
}

/** What the slave reports for this car: status code and drawn current in centi-amps. */
export function carReport(car: CarState): { state: number; actualCentiAmps: number } {
  return { state: car.state, actualCentiAmps: Math.max(0, Math.min(65535, Math.round(car.actualA * 100))) };
}

/**
 * How long (s) the car keeps doing exactly what it does now under these inputs — same current, state,
 * phase and fallback; only the energy and the state of charge grow, linearly — so that skipping the
 * periodic steps in between changes nothing. 0 when a step of `probeS` would change something (a ramp,
 * the start delay, the fallback countdown); Infinity when it draws nothing; otherwise the time until the
 * state of charge reaches the charge limit.
 */
export function carSteadyForS(
  car: CarState,
  commandedCentiAmps: number | null,
  stoppedByCommand: boolean,
  linked: boolean,
  probeS: number,
): number {
  if (car.phase === "starting") return 0;
  const next = stepCar(car, commandedCentiAmps, stoppedByCommand, linked, probeS);
  const same =
    next.phase === car.phase &&
    next.actualA === car.actualA &&
    next.state === car.state &&
    next.fallback === car.fallback &&
    next.spikeHeldS === car.spikeHeldS &&
    next.lastCommandedCentiAmps === car.lastCommandedCentiAmps &&
    next.def.behaviour === car.def.behaviour;
  if (!same) return 0;
  if (car.actualA <= 0) return Number.POSITIVE_INFINITY;
  const socPerS = ((car.actualA * car.voltsSum) / 3600 / (car.def.batteryKWh * 1000)) * 100;
  return Math.max(0, (car.def.chargeLimitPercent - car.socPercent) / socPerS);
}
