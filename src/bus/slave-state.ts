/**
 * Per-slave state (controller.md §3). Pure data; the link, offer, start/stop and charging logic
 * are pure functions that take and return it. Amps are plain numbers here (reported amps are exact
 * hundredths from the wire, converted once at decode time).
 *
 * Time units, one rule for the whole bus runtime: every time field ends in its unit. `…AtMs` is epoch
 * milliseconds (the Clock's unit: link, registry, scheduler, health watch, the runtime), `…AtS` epoch
 * seconds and `…S` a duration in seconds (the offer and start/stop algorithms of controller.md §6–§12,
 * which the spec writes in seconds; their contexts carry `nowS`). A bare `now` parameter is the
 * Clock's epoch ms.
 */
import type { MasterCommand, TwcId } from "../protocol/frames.ts";
import type { OfferTrace } from "./offer-trace.ts";
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
  startStopDelayS: number;
  /** Epoch ms of the linkready that created this record. */
  linkedAtMs: number;
  /** Epoch ms of the last accepted heartbeat or linkready. */
  lastRxAtMs: number;
  /** Epoch ms of the last slave heartbeat, null before the first one. */
  lastHeartbeatAtMs: number | null;
  reportedAmpsMax: number;
  reportedAmpsActual: number;
  reportedState: number;
  /** The command sent with this slave's next heartbeat (controller.md §8; encoded only when written or shown). */
  heartbeatCommand: MasterCommand;
  /** −1 before the first reply. */
  lastAmpsOffered: number;
  /** −1 until the desired value first crosses minOffer. */
  lastAmpsDesired: number;
  /** The argument of the last setLastAmpsOffered call (for display); null before the first. */
  ampsDesired: number | null;
  ampsOfferedChangedAtS: number;
  ampsDesiredFlippedAtS: number;
  ampsMonitor: number;
  ampsMonitorChangedAtS: number;
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
  /** 0 when not charging. */
  chargingStartedAtS: number;
  /** When the draw fell below 1 A during a session (debounce), else null. */
  chargingDroppedAtS: number | null;
  vinParts: [string, string, string];
  currentVIN: string;
  lastVIN: string;
  /** 0 when not querying. */
  lastVinQueryAtS: number;
  vinQueryAttempt: number;
  stoppedByUs: boolean;
  startAttempts: number;
  lastStartCommandAtS: number;
  lastStopCommandAtS: number;
  /** What the last offer computation did (offer.ts; for the state document's explanation only). */
  offerTrace?: OfferTrace;
}

/** Static inputs used when a slave record is created. */
export interface SlaveDefaults {
  wiringMaxAmpsPerTWC: number;
  useFlexAmpsToStartCharge: boolean;
  startStopDelayS: number;
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
    startStopDelayS: defaults.startStopDelayS,
    linkedAtMs: nowMs,
    lastRxAtMs: nowMs,
    lastHeartbeatAtMs: null,
    reportedAmpsMax: 0,
    reportedAmpsActual: 0,
    reportedState: 0,
    heartbeatCommand: { code: 0x00 },
    lastAmpsOffered: -1,
    lastAmpsDesired: -1,
    ampsDesired: null,
    ampsOfferedChangedAtS: 0,
    ampsDesiredFlippedAtS: 0,
    ampsMonitor: -1,
    ampsMonitorChangedAtS: nowMs / 1000,
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
    chargingStartedAtS: 0,
    chargingDroppedAtS: null,
    vinParts: ["", "", ""],
    currentVIN: "",
    lastVIN: "",
    lastVinQueryAtS: 0,
    vinQueryAttempt: 0,
    stoppedByUs: false,
    startAttempts: 0,
    lastStartCommandAtS: 0,
    lastStopCommandAtS: 0,
  };
}
