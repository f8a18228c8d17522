/**
 * Effects produced by the pure controller state machines (design.md §6): link.ts, charging.ts,
 * offer.ts, start-stop.ts and bus-health.ts all return a `Step` of them. The runtime in controller.ts
 * executes them: queue or cancel frames, log, raise/clear alerts, open/close sessions, announce
 * settings patches and removed slaves.
 */
import { twcIdHex } from "../protocol/frames.ts";
import type { Frame, TwcId } from "../protocol/frames.ts";
import { startStopFrame } from "./frames-out.ts";
import type { AlertCode } from "../state/types.ts";
import type { SlaveState } from "./slave-state.ts";
import type { VehicleRequest } from "./vehicle-requests.ts";

/** What a transmit queue entry sends: a ready frame, or a heartbeat resolved at write time. */
export type TxItem = { kind: "frame"; frame: Frame } | { kind: "heartbeat"; twcId: TwcId };

/** Queue priorities of twc-protocol.md §7.2 (P2, the round-robin heartbeat, is never queued). */
export type TxPriority = 0 | 1 | 3 | 4;

/** Log levels used by effects. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Why a session was closed. */
export type SessionCloseReason = "stopped" | "linkLost" | "shutdown";

/** Why a slave left the registry. */
export type SlaveRemovedReason = "timeout" | "tooMany";

/** A charging-session event (controller.md §13). */
export type SessionEvent =
  | { op: "open"; twcId: TwcId; at: number; startKWh: number | null }
  | { op: "vin"; twcId: TwcId; vin: string }
  | {
      op: "close";
      twcId: TwcId;
      at: number;
      reason: SessionCloseReason;
      endKWh: number | null;
      vin: string;
    };

/** One side effect requested by a pure transition. */
export type Effect =
  | { type: "queue"; priority: TxPriority; dedupKey: string; item: TxItem }
  | { type: "burst" }
  | {
      type: "log";
      level: LogLevel;
      code: string;
      message: string;
      data?: Readonly<Record<string, unknown>>;
    }
  | {
      type: "alert";
      op: "raise";
      code: AlertCode;
      message: string;
      twcId?: TwcId;
    }
  | { type: "alert"; op: "clear"; code: AlertCode; twcId?: TwcId }
  | { type: "session"; event: SessionEvent }
  /** A settings change the bus asks for; it leaves the bus as a `settingsPatch` event. */
  | { type: "settings"; patch: Readonly<Record<string, unknown>> }
  /** Removes a queued stop (FC B2) for this slave: it is offered current again (controller.md §6 H). */
  | { type: "cancelStop"; twcId: TwcId }
  | { type: "slaveRemoved"; slave: SlaveState; reason: SlaveRemovedReason }
  | { type: "drawing"; twcId: TwcId; drawing: boolean }
  | { type: "kwhPoll" }
  /** A request to the cars (issue 14); the runtime hands it to the engine, which runs it asynchronously. */
  | { type: "vehicle"; request: VehicleRequest }
  | { type: "count"; counter: "echo" | "unknown" | "ack" | "ignored" };

/** Result of a pure transition. */
export interface Step<S> {
  state: S;
  effects: Effect[];
}

/** A log effect. */
export function logEffect(
  level: LogLevel,
  code: string,
  message: string,
  data?: Readonly<Record<string, unknown>>,
): Effect {
  return data === undefined
    ? { type: "log", level, code, message }
    : { type: "log", level, code, message, data };
}

/** The effect that queues FC B1 (start) or FC B2 (stop) to one slave at P3 (one per slave and kind). */
export function startStopEffect(op: "start" | "stop", receiver: TwcId): Effect {
  return {
    type: "queue",
    priority: 3,
    dedupKey: `${op}:${twcIdHex(receiver)}`,
    item: { kind: "frame", frame: startStopFrame(op, receiver) },
  };
}
