/**
 * Per-slave state (controller.md §3). Pure data; the link, offer, start/stop and charging logic
 * are pure functions that take and return it. Amps are plain numbers here (reported amps are exact
 * hundredths from the wire, converted once at decode time).
 */
import type { TwcId } from "../protocol/frames.ts";
import { NO_KWH_TRACK, type KwhTrack } from "./plausibility.ts";

/** Everything the controller knows about one linked slave TWC. */
export interface SlaveState {
  readonly id: TwcId;
  /** Rating advertised in the linkready (A). */
  maxAmps: number;
  protocolVersion: 1 | 2;
  /** 5 (v1) / 6 (v2) at first linkready; 1 when this slave reports three plausible phases ≥ 200 V. */
  minAmpsTWCSupports: number;
  /** Per-TWC wiring cap (A); cut to rating/4 when it exceeds the rating (S-2). */
  wiringMaxAmps: number;
  useFlexAmpsToStartCharge: boolean;
  /** Seconds. */
  startStopDelay: number;
  /** Epoch ms of the linkready that created this record. */
  linkedAt: number;
  /** Epoch ms of the last accepted heartbeat or linkready. */
  timeLastRx: number;
  /** Epoch ms of the last slave heartbeat, null before the first one. */
  lastHeartbeatAt: number | null;
  reportedAmpsMax: number;
  reportedAmpsActual: number;
  reportedState: number;
  /** The 9-byte command block sent with this slave's next heartbeat. */
  masterHeartbeatData: Uint8Array;
  /** −1 before the first reply. */
  lastAmpsOffered: number;
  /** −1 until the desired value first crosses minOffer. */
  lastAmpsDesired: number;
  /** The argument of the last setLastAmpsOffered call (for display); null before the first. */
  ampsDesired: number | null;
  /** Epoch seconds. */
  timeLastAmpsOfferedChanged: number;
  /** Epoch seconds. */
  timeLastAmpsDesiredFlipped: number;
  ampsMonitor: number;
  /** Epoch seconds. */
  timeAmpsMonitorChanged: number;
  /** Edge flag for start/stop webhooks. */
  drawing: boolean;
  historyAvgAmps: number;
  historyNumSamples: number;
  lifetimeKWh: number;
  voltsPhaseA: number;
  voltsPhaseB: number;
  voltsPhaseC: number;
  lifetimeKnown: boolean;
  /** Plausibility bookkeeping of the lifetime counter (plausibility.ts). */
  kwhTrack: KwhTrack;
  isCharging: boolean;
  /** Epoch seconds, 0 when not charging. */
  lastChargingStart: number;
  /** Epoch seconds or null. */
  chargingDroppedAt: number | null;
  vinParts: [string, string, string];
  currentVIN: string;
  lastVIN: string;
  /** Epoch seconds, 0 when not querying. */
  lastVINQuery: number;
  vinQueryAttempt: number;
  stoppedByUs: boolean;
  startAttempts: number;
  /** Epoch seconds. */
  lastStartCommandAt: number;
  /** Epoch seconds. */
  lastStopCommandAt: number;
}

/** Static inputs used when a slave record is created. */
export interface SlaveDefaults {
  wiringMaxAmpsPerTWC: number;
  useFlexAmpsToStartCharge: boolean;
  startStopDelay: number;
}

/** A fresh slave record (controller.md §3 initial values); `nowMs` is epoch milliseconds. */
export function createSlaveState(id: TwcId, ratedAmps: number, defaults: SlaveDefaults, nowMs: number): SlaveState {
  return {
    id,
    maxAmps: ratedAmps,
    protocolVersion: 1,
    minAmpsTWCSupports: 6,
    wiringMaxAmps: defaults.wiringMaxAmpsPerTWC,
    useFlexAmpsToStartCharge: defaults.useFlexAmpsToStartCharge,
    startStopDelay: defaults.startStopDelay,
    linkedAt: nowMs,
    timeLastRx: nowMs,
    lastHeartbeatAt: null,
    reportedAmpsMax: 0,
    reportedAmpsActual: 0,
    reportedState: 0,
    masterHeartbeatData: new Uint8Array(9),
    lastAmpsOffered: -1,
    lastAmpsDesired: -1,
    ampsDesired: null,
    timeLastAmpsOfferedChanged: 0,
    timeLastAmpsDesiredFlipped: 0,
    ampsMonitor: -1,
    timeAmpsMonitorChanged: nowMs / 1000,
    drawing: false,
    historyAvgAmps: 0,
    historyNumSamples: 0,
    lifetimeKWh: 0,
    voltsPhaseA: 0,
    voltsPhaseB: 0,
    voltsPhaseC: 0,
    lifetimeKnown: false,
    kwhTrack: NO_KWH_TRACK,
    isCharging: false,
    lastChargingStart: 0,
    chargingDroppedAt: null,
    vinParts: ["", "", ""],
    currentVIN: "",
    lastVIN: "",
    lastVINQuery: 0,
    vinQueryAttempt: 0,
    stoppedByUs: false,
    startAttempts: 0,
    lastStartCommandAt: 0,
    lastStopCommandAt: 0,
  };
}
