/**
 * Types of the bus controller runtime (controller.ts): the I/O seam `BusIo`, logger, config, the
 * decision hooks and the read-only views (alerts, stats), plus the default hooks used when the
 * options give none (the engine passes offer.ts / start-stop.ts).
 */
import type { DeframeResult, DropReason, Frame, TwcId } from "../protocol/frames.ts";
import type { Clock } from "../shared/clock.ts";
import type { Alert } from "../state/types.ts";
import type { SessionEvent } from "./effects.ts";
import type { SlaveState } from "./slave-state.ts";

/** The bus as the controller sees it; implemented by the frame stream, or an in-memory double in tests. */
export interface BusIo {
  /** Every deframer result (valid frames and drops), in order. */
  onFrame(cb: (result: DeframeResult) => void): void;
  /** The transport (re)opened. */
  onOpen(cb: () => void): void;
  /** The transport closed or failed. */
  onClose(cb: () => void): void;
  /** Encodes and writes one frame; rejects on a write error. */
  writeFrame(frame: Frame): Promise<void>;
  /** False while a partial frame is buffered whose last byte arrived < 25 ms ago (twc-protocol §7.1). */
  isReceiverQuiet(nowMs: number): boolean;
  /** Optional: whether the transport is open now (default true). */
  readonly connected?: boolean;
  /** Optional: noise bytes discarded between frames so far (for stats). */
  noiseBytes?(): number;
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
  useFlexAmpsToStartCharge: boolean;
  /** Seconds. */
  startStopDelay: number;
  minAmpsPerTWC: number;
}

/** Computes the next command block after a slave heartbeat (controller.md §5 step 9, §6–§8). */
export type OfferHook = (slave: SlaveState, all: readonly SlaveState[], nowMs: number) => SlaveState; // returns the slave with lastAmpsOffered, ampsDesired, masterHeartbeatData etc. updated

/** Runs when a heartbeat to this slave is about to be written (controller.md §12). */
export type BeforeSendHook = (
  slave: SlaveState,
  nowMs: number,
) => { slave: SlaveState; send: boolean; commands: ("start" | "stop")[] };

/** Constructor options of BusController. */
export interface BusControllerOptions {
  clock: Clock;
  io: BusIo;
  logger: ControllerLogger;
  config: BusControllerConfig;
  getSettings: () => Readonly<Record<string, unknown>>;
  onSettingsPatch: (patch: Readonly<Record<string, unknown>>) => void;
  offer?: OfferHook;
  beforeSend?: BeforeSendHook;
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
export interface ControllerStats {
  framesReceived: Readonly<Record<string, number>>;
  framesDropped: Readonly<Record<DropReason, number>>;
  framesSent: Readonly<Record<string, number>>;
  noiseBytes: number;
  echoFrames: number;
  unknownFrames: number;
  txQueueDropped: number;
  writeErrors: number;
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
  session: [SessionEvent];
  heartbeatSent: [HeartbeatSent];
  slaveRemoved: [TwcId];
  /** Arrival/departure edge of controller.md §5 step 6 (for the policy's start/stop webhooks). */
  drawing: [{ twcId: TwcId; drawing: boolean }];
}

/** Default offer hook: 0 A on every heartbeat (twc-protocol §4.4, controller.md §8). */
export const zeroOffer: OfferHook = (slave, _all, nowMs) => {
  const block = new Uint8Array(9);
  block[0] = slave.protocolVersion === 2 ? 0x09 : 0x05;
  return {
    ...slave,
    lastAmpsOffered: 0,
    ampsDesired: 0,
    masterHeartbeatData: block,
    timeLastAmpsOfferedChanged: slave.lastAmpsOffered !== 0 ? nowMs / 1000 : slave.timeLastAmpsOfferedChanged,
  };
};

/** Default before-send hook: always send, no start/stop commands. */
export const alwaysSend: BeforeSendHook = (slave) => ({ slave, send: true, commands: [] });
