/**
 * The send-time start/stop hook of the fake master (controller.md §12): stop-responding mode, stopping
 * a car that keeps drawing after we offered 0 A, and restarting a car we stopped. Pure: it returns a
 * `Step` whose effects the bus runtime runs (queue `FC B1` / `FC B2` to this slave, a settings patch,
 * log lines, the STOP_NOT_POSSIBLE alert); the runtime writes the heartbeat only when `send` is true and
 * keeps `stopWarnedAtS` for the next call.
 *
 * Stop and start mode 1 need a vehicle module (vehicles.md §3.1): with one, they return `vehicle`
 * effects (charge stop/start for this slave's car, the limit override when the car still charges after
 * the 10 s stop timeout, clearing "stop asking to start" while a slave draws); without one, stop mode 1
 * can only warn (STOP_NOT_POSSIBLE) and start mode 1 does nothing.
 */
import { twcIdHex } from "../protocol/frames.ts";
import { logEffect, startStopEffect } from "./effects.ts";
import type { Effect, LogLevel, Step } from "./effects.ts";
import type { SlaveState } from "./slave-state.ts";

/** Minimum seconds between two automatic stop commands, and between two start commands (S-8). */
export const COMMAND_INTERVAL_S = 60;
/** The "cannot stop without a vehicle module" warning is logged at most this often (seconds). */
export const STOP_WARNING_INTERVAL_S = 600;
/** Mode 1: a car still charging this long after the first stop request gets the limit override (seconds). */
export const STOP_TIMEOUT_S = 10;
/** How long stop mode 2 suppresses heartbeats (seconds). */
export const STOP_RESPONDING_S = 60;
/** FC B1 attempts per stop in mode 3. */
export const MAX_START_ATTEMPTS = 3;

/** Inputs of `beforeHeartbeat` besides the slave. */
export interface StartStopContext {
  /** Epoch seconds. */
  nowS: number;
  chargeStopMode: 1 | 2 | 3;
  /** settings.respondToSlaves (0 or 1). */
  respondToSlaves: number;
  /** settings.respondToSlavesExpiry, epoch seconds. */
  respondToSlavesExpiryAtS: number;
  minAmpsPerTWC: number;
  /** A vehicle module runs (vehicles.md §3.1); false: exactly the behaviour without one. */
  hasVehicleModule: boolean;
  /** Epoch seconds of the last STOP_NOT_POSSIBLE warning (the runtime keeps `stopWarnedAtS` of the result). */
  stopWarnedAtS?: number | null;
  /** Master-level stop timeout (epoch seconds), null while disarmed (the runtime keeps `stopTimeoutAtS` of the result). */
  stopTimeoutAtS?: number | null;
}

/** The message of the STOP_NOT_POSSIBLE alert. */
export const STOP_NOT_POSSIBLE_MESSAGE =
  "The car cannot be stopped without a vehicle module (chargeStopMode 1); use chargeStopMode 2 or 3";

/**
 * What to do with this slave's heartbeat turn: the slave record and the effects (commands queued to
 * this slave only, at most one settings patch for respondToSlaves / respondToSlavesExpiry, logs, alerts).
 */
export type StartStopStep = Step<SlaveState> & {
  /** False: the heartbeat is not written (stop-responding mode); the round-robin turn is consumed. */
  readonly send: boolean;
  /** Epoch seconds of the last STOP_NOT_POSSIBLE warning, to pass back in the next context. */
  readonly stopWarnedAtS: number | null;
  /** The stop timeout after this decision, to pass back in the next context. */
  readonly stopTimeoutAtS: number | null;
};

/** The decision while it is built: effects other than the settings patch, which is merged into one. */
interface Acc {
  slave: SlaveState;
  effects: Effect[];
  settingsPatch: Record<string, unknown> | null;
  stopWarnedAtS: number | null;
  stopTimeoutAtS: number | null;
}

function log(acc: Acc, level: LogLevel, code: string, message: string): void {
  acc.effects.push(logEffect(level, code, message, { twcId: twcIdHex(acc.slave.id) }));
}

function stopCar(acc: Acc, ctx: StartStopContext): void {
  const nowS = ctx.nowS;
  const s = acc.slave;
  switch (ctx.chargeStopMode) {
    case 1: {
      if (ctx.hasVehicleModule) {
        stopThroughVehicle(acc, nowS);
        return;
      }
      // No vehicle module: nothing can stop the car.
      acc.effects.push({ type: "alert", op: "raise", code: "STOP_NOT_POSSIBLE", message: STOP_NOT_POSSIBLE_MESSAGE });
      const last = acc.stopWarnedAtS;
      if (last === null || nowS - last >= STOP_WARNING_INTERVAL_S || nowS < last) {
        acc.stopWarnedAtS = nowS;
        log(acc, "warn", "STOP_NOT_POSSIBLE", "a car keeps charging at 0 A offered, but chargeStopMode 1 needs a vehicle module to stop it");
      }
      return;
    }
    case 2:
      acc.settingsPatch = { respondToSlaves: 0, respondToSlavesExpiry: nowS + STOP_RESPONDING_S };
      log(acc, "info", "STOP_RESPONDING", `stopping the car by not answering slaves for ${STOP_RESPONDING_S} s`);
      return;
    case 3:
      if (nowS - s.lastStopCommandAtS >= COMMAND_INTERVAL_S || nowS < s.lastStopCommandAtS) {
        acc.effects.push(startStopEffect("stop", s.id));
        acc.slave = { ...s, stoppedByUs: true, startAttempts: 0, lastStopCommandAtS: nowS };
        log(acc, "info", "STOP_COMMAND", "sending the TWC stop command (FC B2)");
      }
      return;
  }
}

/**
 * Mode 1 with a vehicle module (vehicles.md §3.1): the stop timeout is armed at the first call and a
 * call after it expired sets the limit override; the stop itself is asked at most once per 60 s.
 */
function stopThroughVehicle(acc: Acc, nowS: number): void {
  const s = acc.slave;
  if (acc.stopTimeoutAtS === null) acc.stopTimeoutAtS = nowS + STOP_TIMEOUT_S;
  else if (nowS >= acc.stopTimeoutAtS) acc.effects.push({ type: "vehicle", request: { op: "limitOverride" } });
  acc.effects.push({ type: "alert", op: "clear", code: "STOP_NOT_POSSIBLE" });
  if (nowS - s.lastStopCommandAtS >= COMMAND_INTERVAL_S || nowS < s.lastStopCommandAtS) {
    acc.effects.push({ type: "vehicle", request: { op: "charge", start: false, twcId: s.id, vin: s.currentVIN === "" ? null : s.currentVIN } });
    acc.slave = { ...s, lastStopCommandAtS: nowS };
    log(acc, "info", "VEHICLE_STOP", "the car keeps charging at 0 A offered: asking the vehicle to stop charging");
  }
}

function startCar(acc: Acc, ctx: StartStopContext, respondToSlaves: number): void {
  const nowS = ctx.nowS;
  const s = acc.slave;
  switch (ctx.chargeStopMode) {
    case 1:
      // vehicles.md §3.1: through the vehicle module (which clears the limit override), at most once per 60 s.
      if (ctx.hasVehicleModule && (nowS - s.lastStartCommandAtS >= COMMAND_INTERVAL_S || nowS < s.lastStartCommandAtS)) {
        // The current VIN is cleared when a session ends, so a car we stopped is named by the last VIN.
        const vin = s.currentVIN !== "" ? s.currentVIN : s.lastVIN !== "" ? s.lastVIN : null;
        acc.effects.push({ type: "vehicle", request: { op: "charge", start: true, twcId: s.id, vin } });
        acc.slave = { ...s, lastStartCommandAtS: nowS };
        log(acc, "info", "VEHICLE_START", "offered current but the car draws none: asking the vehicle to start charging");
      }
      return;
    case 2:
      if (respondToSlaves !== 1) acc.settingsPatch = { ...acc.settingsPatch, respondToSlaves: 1 };
      return;
    case 3:
      if (
        s.stoppedByUs &&
        (nowS - s.lastStartCommandAtS >= COMMAND_INTERVAL_S || nowS < s.lastStartCommandAtS) &&
        s.startAttempts < MAX_START_ATTEMPTS
      ) {
        const attempts = s.startAttempts + 1;
        acc.effects.push(startStopEffect("start", s.id));
        acc.slave = {
          ...s,
          lastStartCommandAtS: nowS,
          startAttempts: attempts,
          stoppedByUs: attempts < MAX_START_ATTEMPTS,
        };
        log(acc, "info", "START_COMMAND", `sending the TWC start command (FC B1), attempt ${attempts} of ${MAX_START_ATTEMPTS}`);
      }
      return;
  }
}

/** §12 steps 0–2, run when a heartbeat to `slave` is about to be written. */
export function beforeHeartbeat(slave: SlaveState, ctx: StartStopContext): StartStopStep {
  const nowS = ctx.nowS;
  const acc: Acc = {
    slave,
    effects: [],
    settingsPatch: null,
    stopWarnedAtS: ctx.stopWarnedAtS ?? null,
    stopTimeoutAtS: ctx.stopTimeoutAtS ?? null,
  };
  // Step 0: stop-responding mode.
  let respondToSlaves = ctx.respondToSlaves;
  if (respondToSlaves === 0) {
    if (ctx.respondToSlavesExpiryAtS > nowS) return finish(acc, false);
    respondToSlaves = 1;
    acc.settingsPatch = { respondToSlaves: 1 };
    log(acc, "info", "RESPOND_RESUMED", "answering slaves again");
  }
  // Step 1: v2 slaves only.
  if (slave.protocolVersion === 2) {
    const actual = slave.reportedAmpsActual;
    if (slave.lastAmpsOffered === 0 && actual > 4.0) {
      const tooSoon =
        nowS - slave.ampsOfferedChangedAtS < COMMAND_INTERVAL_S ||
        nowS - slave.ampsMonitorChangedAtS < slave.startStopDelayS;
      if (!tooSoon) stopCar(acc, ctx);
    } else if (
      slave.lastAmpsOffered > 0 &&
      slave.lastAmpsOffered >= ctx.minAmpsPerTWC &&
      actual < 1.0 &&
      slave.reportedState !== 0x02
    ) {
      startCar(acc, ctx, respondToSlaves);
    } else if (actual >= 1.0) {
      if (slave.stoppedByUs || slave.startAttempts !== 0) acc.slave = { ...slave, stoppedByUs: false, startAttempts: 0 };
      if (ctx.hasVehicleModule) acc.effects.push({ type: "vehicle", request: { op: "clearStopAsking" } });
    }
  }
  // Step 2: write the heartbeat.
  return finish(acc, true);
}

/** The step of a finished decision: the merged settings patch goes first, as one effect. */
function finish(acc: Acc, send: boolean): StartStopStep {
  const effects: Effect[] = acc.settingsPatch ? [{ type: "settings", patch: acc.settingsPatch }, ...acc.effects] : acc.effects;
  return { state: acc.slave, effects, send, stopWarnedAtS: acc.stopWarnedAtS, stopTimeoutAtS: acc.stopTimeoutAtS };
}
