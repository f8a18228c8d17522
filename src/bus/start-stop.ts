/**
 * The send-time start/stop hook of the fake master (controller.md §12): stop-responding mode, stopping
 * a car that keeps drawing after we offered 0 A, and restarting a car we stopped. Pure: the runtime
 * applies `settingsPatch`, queues `FC B1` / `FC B2` to this slave for the returned commands, logs and
 * raises the returned alerts, and writes the heartbeat only when `send` is true.
 *
 * No vehicle module exists in this product (§11), so stop mode 1 can only warn and start mode 1 does
 * nothing.
 */
import type { AlertCode } from "../state/types.ts";
import type { DecisionLog } from "./offer.ts";
import type { SlaveState } from "./slave-state.ts";

/** Minimum seconds between two automatic stop commands, and between two start commands (S-8). */
export const COMMAND_INTERVAL_S = 60;
/** The "cannot stop without a vehicle module" warning is logged at most this often (seconds). */
export const STOP_WARNING_INTERVAL_S = 600;
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
  respondToSlavesExpiry: number;
  minAmpsPerTWC: number;
  hasVehicleModule: false;
  /** Epoch seconds of the last STOP_NOT_POSSIBLE warning (the runtime keeps `stopWarnedAtS` of the result). */
  stopWarnedAtS?: number | null;
}

/** What to do with this slave's heartbeat turn. */
export interface StartStopResult {
  slave: SlaveState;
  /** False: the heartbeat is not written (stop-responding mode); the round-robin turn is consumed. */
  send: boolean;
  /** Commands to queue to this slave only: "start" = FC B1, "stop" = FC B2. */
  commands: ("start" | "stop")[];
  /** Settings to change (respondToSlaves / respondToSlavesExpiry), or null. */
  settingsPatch: Record<string, unknown> | null;
  logs: DecisionLog[];
  /** Alerts to raise for this slave. */
  alerts: AlertCode[];
  /** Epoch seconds of the last STOP_NOT_POSSIBLE warning, to pass back in the next context. */
  stopWarnedAtS: number | null;
}

type Acc = Omit<StartStopResult, "send">;

function stopCar(acc: Acc, ctx: StartStopContext): void {
  const now = ctx.nowS;
  const s = acc.slave;
  switch (ctx.chargeStopMode) {
    case 1: {
      // No vehicle module: nothing can stop the car.
      acc.alerts.push("STOP_NOT_POSSIBLE");
      const last = acc.stopWarnedAtS;
      if (last === null || now - last >= STOP_WARNING_INTERVAL_S || now < last) {
        acc.stopWarnedAtS = now;
        acc.logs.push({
          level: "warn",
          code: "STOP_NOT_POSSIBLE",
          message:
            "a car keeps charging at 0 A offered, but chargeStopMode 1 needs a vehicle module to stop it",
        });
      }
      return;
    }
    case 2:
      acc.settingsPatch = { respondToSlaves: 0, respondToSlavesExpiry: now + STOP_RESPONDING_S };
      acc.logs.push({
        level: "info",
        code: "STOP_RESPONDING",
        message: `stopping the car by not answering slaves for ${STOP_RESPONDING_S} s`,
      });
      return;
    case 3:
      if (now - s.lastStopCommandAt >= COMMAND_INTERVAL_S || now < s.lastStopCommandAt) {
        acc.commands.push("stop");
        acc.slave = { ...s, stoppedByUs: true, startAttempts: 0, lastStopCommandAt: now };
        acc.logs.push({
          level: "info",
          code: "STOP_COMMAND",
          message: "sending the TWC stop command (FC B2)",
        });
      }
      return;
  }
}

function startCar(acc: Acc, ctx: StartStopContext, respondToSlaves: number): void {
  const now = ctx.nowS;
  const s = acc.slave;
  switch (ctx.chargeStopMode) {
    case 1:
      return; // needs a vehicle module
    case 2:
      if (respondToSlaves !== 1) acc.settingsPatch = { ...acc.settingsPatch, respondToSlaves: 1 };
      return;
    case 3:
      if (
        s.stoppedByUs &&
        (now - s.lastStartCommandAt >= COMMAND_INTERVAL_S || now < s.lastStartCommandAt) &&
        s.startAttempts < MAX_START_ATTEMPTS
      ) {
        const attempts = s.startAttempts + 1;
        acc.commands.push("start");
        acc.slave = {
          ...s,
          lastStartCommandAt: now,
          startAttempts: attempts,
          stoppedByUs: attempts < MAX_START_ATTEMPTS,
        };
        acc.logs.push({
          level: "info",
          code: "START_COMMAND",
          message: `sending the TWC start command (FC B1), attempt ${attempts} of ${MAX_START_ATTEMPTS}`,
        });
      }
      return;
  }
}

/** §12 steps 0–2, run when a heartbeat to `slave` is about to be written. */
export function beforeHeartbeat(slave: SlaveState, ctx: StartStopContext): StartStopResult {
  const now = ctx.nowS;
  const acc: Acc = {
    slave,
    commands: [],
    settingsPatch: null,
    logs: [],
    alerts: [],
    stopWarnedAtS: ctx.stopWarnedAtS ?? null,
  };
  // Step 0: stop-responding mode.
  let respondToSlaves = ctx.respondToSlaves;
  if (respondToSlaves === 0) {
    if (ctx.respondToSlavesExpiry > now) return { ...acc, send: false };
    respondToSlaves = 1;
    acc.settingsPatch = { respondToSlaves: 1 };
    acc.logs.push({ level: "info", code: "RESPOND_RESUMED", message: "answering slaves again" });
  }
  // Step 1: v2 slaves only.
  if (slave.protocolVersion === 2) {
    const actual = slave.reportedAmpsActual;
    if (slave.lastAmpsOffered === 0 && actual > 4.0) {
      const tooSoon =
        now - slave.timeLastAmpsOfferedChanged < COMMAND_INTERVAL_S ||
        now - slave.timeAmpsMonitorChanged < slave.startStopDelay;
      if (!tooSoon) stopCar(acc, ctx);
    } else if (
      slave.lastAmpsOffered > 0 &&
      slave.lastAmpsOffered >= ctx.minAmpsPerTWC &&
      actual < 1.0 &&
      slave.reportedState !== 0x02
    ) {
      startCar(acc, ctx, respondToSlaves);
    } else if (actual >= 1.0 && (slave.stoppedByUs || slave.startAttempts !== 0)) {
      acc.slave = { ...slave, stoppedByUs: false, startAttempts: 0 };
    }
  }
  // Step 2: write the heartbeat.
  return { ...acc, send: true };
}
