/**
 * The slave registry shared by fake-master and monitor reception (twc-protocol.md §6, §11): state,
 * add/remove with the three-slave limit, version detection, heartbeat and kWh report storage. Pure.
 */
import { centiToAmps } from "../protocol/amps.ts";
import { twcIdHex } from "../protocol/frames.ts";
import type { FrameOf, TwcId } from "../protocol/frames.ts";
import { logEffect } from "./effects.ts";
import type { Effect, Step } from "./effects.ts";
import { noteImplausible, type ImplausibleNotes } from "./implausible.ts";
import {
  ampsLimit,
  checkLifetimeKwh,
  KWH_REBASELINE_REPORTS,
  MAX_PLAUSIBLE_VOLTS,
  MIN_PLAUSIBLE_VOLTS,
  plausibleAmps,
  plausibleVolts,
  type ReadingField,
} from "./plausibility.ts";
import type { SlaveDefaults, SlaveState } from "./slave-state.ts";

/** At most this many slaves per bus (S-10). */
export const MAX_SLAVES = 3;
/** Spike amps for a slave rated ≥ 80 A / below 80 A (controller.md §4). */
export const SPIKE_AMPS_HIGH = 21;
/** Spike amps for a slave rated below 80 A. */
export const SPIKE_AMPS_LOW = 16;
/** An episodic alert (foreign master, too many slaves) clears after this long without a new cause. */
export const ALERT_QUIET_MS = 60_000;
/** State-02 warnings are logged at most this often per slave. */
export const ERROR_LOG_INTERVAL_MS = 60_000;
/** Rating assumed for slaves first seen in heartbeats (monitor mode). */
export const MONITOR_ASSUMED_AMPS = 80;

/** Static inputs of the link state machine. */
export interface LinkConfig {
  mode: "master" | "monitor";
  /** Seconds without an accepted heartbeat or linkready before removal (default 26). */
  slaveTimeoutS: number;
  defaults: SlaveDefaults;
}

/** Registry, round-robin position and link-level bookkeeping. */
export interface LinkState {
  readonly config: LinkConfig;
  /** Round-robin order = link order. */
  readonly slaves: readonly SlaveState[];
  /** Index in `slaves` of the next round-robin turn. */
  readonly rrIndex: number;
  readonly spikeAmps: number;
  /** Epoch ms of the last kwhReport (start time before the first). */
  readonly lastKwhReportAtMs: number;
  /** Epoch ms of the last foreign-master frame while the alert is raised, else null. */
  readonly foreignMasterAtMs: number | null;
  /** Epoch ms of the last 4th-slave drop while the alert is raised, else null. */
  readonly tooManyAtMs: number | null;
  /** Epoch ms of the last state-02 warning per slave (hex ID). */
  readonly errorLogAtMs: Readonly<Record<string, number>>;
  /** Master IDs seen on the bus (monitor mode). */
  readonly mastersSeen: readonly TwcId[];
  /** Implausible readings refused so far, by field (monotonic). */
  readonly implausible: Readonly<Record<ReadingField, number>>;
  /** Per slave (hex ID) while IMPLAUSIBLE_READING is raised: last refusal time and one note per field. */
  readonly implausibleSeen: Readonly<Record<string, ImplausibleNotes>>;
}

/** A fresh registry. */
export function createLinkState(config: LinkConfig, nowMs: number): LinkState {
  return {
    config,
    slaves: [],
    rrIndex: 0,
    spikeAmps: SPIKE_AMPS_LOW,
    lastKwhReportAtMs: nowMs,
    foreignMasterAtMs: null,
    tooManyAtMs: null,
    errorLogAtMs: {},
    mastersSeen: [],
    implausible: { ampsActual: 0, ampsMax: 0, voltage: 0, lifetimeKWh: 0 },
    implausibleSeen: {},
  };
}

/** The slave with this ID, if linked. */
export function findSlave(state: LinkState, id: TwcId): SlaveState | undefined {
  return state.slaves.find((s) => s.id === id);
}

/** Replaces one slave record (matched by ID); returns the same state when it is unchanged or unknown. */
export function replaceSlave(state: LinkState, slave: SlaveState): LinkState {
  const idx = state.slaves.findIndex((s) => s.id === slave.id);
  if (idx < 0 || state.slaves[idx] === slave) return state;
  const slaves = state.slaves.slice();
  slaves[idx] = slave;
  return { ...state, slaves };
}

/** Removes the slave at `idx`, keeping the round-robin position on the slave that followed it. */
export function removeAt(state: LinkState, idx: number, reason: "timeout" | "tooMany"): Step<LinkState> {
  const slave = state.slaves[idx];
  if (!slave) return { state, effects: [] };
  const slaves = state.slaves.filter((_, i) => i !== idx);
  let rrIndex = idx < state.rrIndex ? state.rrIndex - 1 : state.rrIndex;
  if (rrIndex >= slaves.length) rrIndex = 0;
  const key = twcIdHex(slave.id);
  const { [key]: _dropped, ...errorLogAtMs } = state.errorLogAtMs;
  const { [key]: _notes, ...implausibleSeen } = state.implausibleSeen;
  return {
    state: { ...state, slaves, rrIndex, errorLogAtMs, implausibleSeen },
    effects: [
      { type: "slaveRemoved", slave, reason },
      { type: "alert", op: "clear", code: "WIRING_ABOVE_RATING", twcId: slave.id },
      { type: "alert", op: "clear", code: "CHARGER_ERROR_STATE", twcId: slave.id },
      { type: "alert", op: "clear", code: "IMPLAUSIBLE_READING", twcId: slave.id },
    ],
  };
}

/** Adds a new slave record, dropping the oldest when three are linked (S-10). */
export function addSlave(state: LinkState, slave: SlaveState, now: number): Step<LinkState> {
  const effects: Effect[] = [];
  let s = state;
  if (s.slaves.length >= MAX_SLAVES) {
    const oldest = s.slaves[0];
    const r = removeAt(s, 0, "tooMany");
    s = { ...r.state, tooManyAtMs: now };
    effects.push(
      ...r.effects,
      logEffect(
        "warn",
        "TOO_MANY_SLAVES",
        `more than ${MAX_SLAVES} TWCs on the bus: dropping ${oldest ? twcIdHex(oldest.id) : "?"} to link ${twcIdHex(slave.id)}`,
      ),
      {
        type: "alert",
        op: "raise",
        code: "TOO_MANY_SLAVES",
        message: `More than ${MAX_SLAVES} TWCs are on the bus; only ${MAX_SLAVES} are supported.`,
      },
    );
  }
  return { state: { ...s, slaves: [...s.slaves, slave] }, effects };
}

/** twc-protocol §6: detect the version from the first linkready while still v1/min 6. */
export function detectVersion(slave: SlaveState, length: 14 | 16 | 20): SlaveState {
  if (slave.protocolVersion !== 1 || slave.minAmpsTWCSupports !== 6) return slave;
  if (length === 14) return { ...slave, protocolVersion: 1, minAmpsTWCSupports: 5 };
  if (length === 16) return { ...slave, protocolVersion: 2, minAmpsTWCSupports: 6 };
  return slave;
}

/** Stores a slave heartbeat's values (controller.md §5 steps 2, 4–7); shared with monitor mode. */
export function storeHeartbeat(
  state: LinkState,
  slave: SlaveState,
  f: FrameOf<"slaveHeartbeat">,
  now: number,
): Step<LinkState> {
  const effects: Effect[] = [];
  let st = state;
  // Implausible currents are not believed: the last plausible value stays (plausibility.ts).
  const limit = ampsLimit(slave);
  const rawMax = centiToAmps(f.status.reportedMaxCentiAmps);
  const rawActual = centiToAmps(f.status.reportedActualCentiAmps);
  let max = rawMax;
  let actual = rawActual;
  if (!plausibleAmps(slave, rawActual)) {
    actual = slave.reportedAmpsActual;
    const r = noteImplausible(st, slave.id, "ampsActual", `${rawActual} A drawn (limit ${limit} A)`, now);
    st = r.state;
    effects.push(...r.effects);
  }
  if (!plausibleAmps(slave, rawMax)) {
    max = slave.reportedAmpsMax;
    const r = noteImplausible(st, slave.id, "ampsMax", `${rawMax} A allowed (limit ${limit} A)`, now);
    st = r.state;
    effects.push(...r.effects);
  }
  const n = slave.historyNumSamples;
  const s: SlaveState = {
    ...slave,
    lastRxAtMs: now,
    lastHeartbeatAtMs: now,
    reportedState: f.status.state,
    reportedAmpsMax: max,
    reportedAmpsActual: actual,
    historyAvgAmps: (slave.historyAvgAmps * n + actual) / (n + 1),
    historyNumSamples: n + 1,
  };
  if (s.lastAmpsOffered < 0) s.lastAmpsOffered = max;
  if (!s.drawing && actual > 3) {
    s.drawing = true;
    effects.push({ type: "drawing", twcId: s.id, drawing: true });
  } else if (s.drawing && actual < 2) {
    s.drawing = false;
    effects.push({ type: "drawing", twcId: s.id, drawing: false });
  }
  if (s.ampsMonitor < 0 || Math.abs(actual - s.ampsMonitor) > 0.8) {
    s.ampsMonitor = actual;
    s.ampsMonitorChangedAtS = now / 1000;
  }
  let errorLogAtMs = st.errorLogAtMs;
  const key = twcIdHex(s.id);
  if (f.status.state === 0x02) {
    const last = errorLogAtMs[key];
    if (last === undefined || now - last >= ERROR_LOG_INTERVAL_MS) {
      errorLogAtMs = { ...errorLogAtMs, [key]: now };
      effects.push(logEffect("warn", "CHARGER_ERROR_STATE", `TWC ${key} reports error state 02`));
    }
    effects.push({
      type: "alert",
      op: "raise",
      code: "CHARGER_ERROR_STATE",
      message: `TWC ${key} reports an error state.`,
      twcId: s.id,
    });
  } else if (slave.reportedState === 0x02) {
    effects.push({ type: "alert", op: "clear", code: "CHARGER_ERROR_STATE", twcId: s.id });
  }
  return { state: { ...replaceSlave(st, s), errorLogAtMs }, effects };
}

/**
 * Stores a kWh report of a known slave (twc-protocol §6: three phases ≥ 200 V → that slave's min 1 A).
 * Voltages and the lifetime counter are checked separately (plausibility.ts); a refused field keeps its
 * last plausible value, so an absurd voltage can never lower the minimum.
 */
export function onKwhReport(state: LinkState, f: FrameOf<"kwhReport">, now: number): Step<LinkState> {
  const slave = findSlave(state, f.sender);
  if (!slave) {
    return {
      state,
      effects: [
        logEffect("debug", "KWH_UNKNOWN_SLAVE", `kWh report from unlinked TWC ${twcIdHex(f.sender)}`),
      ],
    };
  }
  const effects: Effect[] = [];
  let st = state;
  let next: SlaveState = { ...slave };
  if (plausibleVolts(f.volts)) {
    const [a, b, c] = f.volts;
    const threePhase = a >= 200 && b >= 200 && c >= 200;
    next = {
      ...next,
      voltsPhaseA: a,
      voltsPhaseB: b,
      voltsPhaseC: c,
      minAmpsTWCSupports: threePhase ? 1 : slave.minAmpsTWCSupports,
    };
  } else {
    const text = `${f.volts.join("/")} V (each phase 0 or ${MIN_PLAUSIBLE_VOLTS}-${MAX_PLAUSIBLE_VOLTS} V)`;
    const r = noteImplausible(st, slave.id, "voltage", text, now);
    st = r.state;
    effects.push(...r.effects);
  }
  const verdict = checkLifetimeKwh(slave, f.lifetimeKWh, slave.kwhTrack, now);
  next = { ...next, kwhTrack: verdict.track };
  if (verdict.accept) {
    next = { ...next, lifetimeKWh: f.lifetimeKWh, lifetimeKnown: true };
    if (verdict.rebaseline) {
      effects.push(
        logEffect(
          "warn",
          "KWH_REBASELINED",
          `TWC ${twcIdHex(slave.id)}: lifetime counter ${f.lifetimeKWh} kWh ${verdict.reason}; accepted after ${KWH_REBASELINE_REPORTS} consistent reports`,
        ),
      );
    }
  } else {
    const r = noteImplausible(st, slave.id, "lifetimeKWh", `${f.lifetimeKWh} kWh (${verdict.reason})`, now);
    st = r.state;
    effects.push(...r.effects);
  }
  return { state: { ...replaceSlave(st, next), lastKwhReportAtMs: now }, effects };
}
