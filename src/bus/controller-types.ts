/**
 * Types of the bus controller runtime (controller.ts): the I/O seam `BusIo`, logger, the static
 * config, the constructor options and the read-only views (alerts, stats). Nothing here calls up into
 * the engine: the engine pushes a `BusInput` (bus-input.ts) and listens to the events.
 */
import type { DeframeResult, DropReason, Frame, TwcId } from "../protocol/frames.ts";
import type { Clock } from "../shared/clock.ts";
import type { Alert } from "../state/types.ts";
import type { BusInput } from "./bus-input.ts";
import type { SessionEvent } from "./effects.ts";

/** Wire counters as the transport keeps them (the frame stream is their one home). */
export interface WireCounters {
  /** Valid frames received, by kind. */
  readonly framesReceived: Readonly<Record<string, number>>;
  /** Frames the receiver dropped, by reason. */
  readonly framesDropped: Readonly<Record<DropReason, number>>;
  /** Frames the port took, by kind. */
  readonly framesSent: Readonly<Record<string, number>>;
  /** Writes that failed (not connected, or the port failed). */
  readonly writeErrors: number;
  /** Bytes discarded between frames. */
  readonly noiseBytes: number;
}

/** The bus as the controller sees it; implemented by the frame stream, or an in-memory double in tests. */
export interface BusIo {
  /** Every deframer result (valid frames and drops), in order. */
  onFrame(cb: (result: DeframeResult) => void): void;
  /** The transport (re)opened. */
  onOpen(cb: () => void): void;
  /** The transport closed or failed. */
  onClose(cb: () => void): void;
  /**
   * Encodes and writes one frame; rejects on a write error. A transport error (TwcError TRANSPORT_*)
   * is counted and logged by the transport, never again by the controller.
   */
  writeFrame(frame: Frame): Promise<void>;
  /** False while a partial frame is buffered whose last byte arrived < 25 ms ago (twc-protocol §7.1). */
  isReceiverQuiet(nowMs: number): boolean;
  /** Optional: when the receiver becomes quiet if no further byte arrives (≤ nowMs when it is quiet now). */
  receiverQuietAtMs?(nowMs: number): number;
  /** Optional: whether the transport is open now (default true). */
  readonly connected?: boolean;
  /** Optional: the transport's wire counters (frames in and out, drops, write errors, noise). */
  counters?(): WireCounters;
  /** Optional: drops a partial frame older than 2 s (called every second, twc-protocol §2.2 step 1). */
  expirePartial?(nowMs: number): void;
  /** Optional: transmit-side health of the transport (read every second by the bus-health watch). */
  transportHealth?(): { writeStalls: number; buffered: boolean };
  /** Optional: drops the connection, discarding unsent bytes, and reconnects (a silent bus, bus-health.ts). */
  resetTransport?(reason: string): void;
}

/** The pino-like logger subset the controller uses. */
export interface ControllerLogger {
  child(bindings: Record<string, unknown>): ControllerLogger;
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Static controller configuration (from config.json, validated by the config layer). */
export interface BusControllerConfig {
  /** fakeMaster 1 → "master", 2 → "monitor". */
  mode: "master" | "monitor";
  slaveTimeoutS: number;
  wiringMaxAmpsPerTWC: number;
  /** The shared circuit's limit (A): the offer's shared-wiring clamp (controller.md §7). */
  wiringMaxAmpsAllTWCs: number;
  useFlexAmpsToStartCharge: boolean;
  startStopDelayS: number;
  minAmpsPerTWC: number;
}

/** Constructor options of BusController. */
export interface BusControllerOptions {
  clock: Clock;
  io: BusIo;
  logger: ControllerLogger;
  config: BusControllerConfig;
  /** The first input (default: nothing to divide, default settings); later ones come through `setInput`. */
  input?: BusInput;
  /** Formats alert `since` times (the engine's local-time ISO formatter; default: the process's zone). */
  iso?: (ms: number) => string;
}

/** A raised alert as shown in the state document (`since` ISO 8601, `twcId` 4 hex digits). */
export type ControllerAlert = Alert;

/** One written heartbeat. */
export interface HeartbeatSent {
  twcId: TwcId;
  atMs: number;
}

/** Bus counters (twc-protocol §2.2, §7.2) as a read-only snapshot. */
export interface ControllerStats extends WireCounters {
  echoFrames: number;
  unknownFrames: number;
  txQueueDropped: number;
  handlerErrors: number;
  /** Frames the wire guard refused to write because they would break S-1. */
  unsafeFramesRefused: number;
  /** The most recent heartbeat writes, oldest first (at most 64). */
  heartbeatSendTimes: readonly HeartbeatSent[];
  /** Implausible readings refused (not used for decisions), by field (plausibility.ts). */
  implausibleReadings: Readonly<Record<string, number>>;
  /** Slave heartbeats received and expected over the last `windowS` seconds (bus-health.ts). */
  replyRate: { replies: number; expected: number; windowS: number };
  /** Times BUS_REPLIES_LOW was raised. */
  repliesLowEvents: number;
  /** Transport resets requested because the bus went silent while we transmitted. */
  silenceResets: number;
}

/** Events of BusController. */
export interface BusControllerEvents {
  change: [];
  /** The 1 s housekeeping ran: observers do their own once-a-second work in the same wake-up (issue 9 §7). */
  tick: [];
  session: [SessionEvent];
  /** A settings change the bus asks for (stop-responding mode, VIN and session bookkeeping); the engine applies it to the store. */
  settingsPatch: [Readonly<Record<string, unknown>>];
  heartbeatSent: [HeartbeatSent];
  slaveRemoved: [TwcId];
  /** Arrival/departure edge of controller.md §5 step 6 (for the policy's start/stop webhooks). */
  drawing: [{ twcId: TwcId; drawing: boolean }];
}
