/**
 * One simulated slave TWC (twc-protocol.md §13.2). Pure: `onFrame` and `tick` take the state and
 * the time and return the new state plus the frames the slave sends. The bus (sim-bus.ts) adds
 * reply delays, faults and delivery.
 */
import { type Frame, type FrameOf, type TwcId } from "../protocol/frames.ts";
import { carReport, carSteadyForS, initCar, reconfigureCar, stepCar, type CarState } from "./car-model.ts";
import { parseTwcIdString, type SimCarDef, type SimSlaveDef } from "./types.ts";

/** The sign byte of every simulated slave. */
export const SIM_SLAVE_SIGN = 0x77;
/** Period of the linkready of an unlinked slave (ms). */
export const LINKREADY_PERIOD_MS = 10_000;
/** Delay of the linkready answering a masterLinkReady2 (ms). */
export const LINKREADY_ANSWER_MS = 200;
/** Minimum spacing of two linkreadies (ms). */
export const LINKREADY_MIN_GAP_MS = 1_000;
/** No master heartbeat addressed to the slave for this long → unlinked (ms). */
export const LINK_LOSS_MS = 30_000;
/** Firmware version answered to a firmwareRequest (4.5.3). */
export const SIM_FIRMWARE: readonly [number, number, number] = [4, 5, 3];

/** The state of one simulated slave. */
export interface SlaveModelState {
  readonly def: Readonly<SimSlaveDef>;
  readonly id: TwcId;
  readonly linked: boolean;
  readonly lastMasterHeartbeatAt: number | null;
  /** Last 05/09 limit (centi-amps); 0 initially and after a link loss. */
  readonly commandedCentiAmps: number;
  /** A 05/09 limit was received since the slave linked. */
  readonly limitSinceLink: boolean;
  readonly stoppedByCommand: boolean;
  /** Master command 02 received: reports state 02 until reset. */
  readonly errorLatched: boolean;
  readonly lifetimeWh: number;
  readonly car: CarState;
  /** Epoch ms of the next periodic linkready while unlinked. */
  readonly nextLinkReadyAt: number;
  /** Epoch ms of the linkready answering a masterLinkReady2, or null. */
  readonly answerLinkReadyAt: number | null;
  readonly lastLinkReadyAt: number | null;
  /** Epoch ms up to which the car and the energy were integrated. */
  readonly lastStepAt: number;
}

/** Result of handling an input: the new state and the frames the slave sends now. */
export interface SlaveStep {
  state: SlaveModelState;
  replies: Frame[];
}

/** A slave that has just appeared on the bus (it announces itself at its first tick). */
export function initSlave(def: SimSlaveDef, nowMs: number): SlaveModelState {
  return {
    def,
    id: parseTwcIdString(def.twcID),
    linked: false,
    lastMasterHeartbeatAt: null,
    commandedCentiAmps: 0,
    limitSinceLink: false,
    stoppedByCommand: false,
    errorLatched: false,
    lifetimeWh: def.lifetimeKWh * 1000,
    car: initCar(def.car, def.maxAmps, def.voltage),
    nextLinkReadyAt: nowMs,
    answerLinkReadyAt: null,
    lastLinkReadyAt: null,
    lastStepAt: nowMs,
  };
}

/** Changes the car's knobs; a behaviour change is a re-plug, which also clears stoppedByCommand. */
export function setSlaveCar(
  state: SlaveModelState,
  patch: Partial<SimCarDef>,
  nowMs: number,
): SlaveModelState {
  const s = advance(state, nowMs);
  const replug = patch.behaviour !== undefined;
  return {
    ...s,
    def: { ...s.def, car: { ...s.def.car, ...patch } },
    car: reconfigureCar(s.car, patch),
    stoppedByCommand: replug ? false : s.stoppedByCommand,
  };
}

/** Integrates the car and the lifetime energy up to `nowMs`. */
export function advance(state: SlaveModelState, nowMs: number): SlaveModelState {
  const dtS = (nowMs - state.lastStepAt) / 1000;
  if (dtS <= 0) return state;
  const car = stepCar(
    state.car,
    state.limitSinceLink ? state.commandedCentiAmps : null,
    state.stoppedByCommand || state.errorLatched,
    state.linked,
    dtS,
  );
  const lifetimeWh = state.lifetimeWh + (car.deliveredWh - state.car.deliveredWh);
  return { ...state, car, lifetimeWh, lastStepAt: nowMs };
}

/** The slave's linkready: 14 bytes (v1) or 16 bytes (v2) unescaped. */
export function linkReadyFrame(state: SlaveModelState): Frame {
  return {
    kind: "slaveLinkReady",
    sender: state.id,
    sign: SIM_SLAVE_SIGN,
    ratedCentiAmps: Math.round(state.def.maxAmps * 100),
    length: state.def.protocolVersion === 2 ? 16 : 14,
  };
}

/** Timers: link loss after 30 s without a heartbeat, linkready every 10 s / after a masterLinkReady2. */
export function tick(state: SlaveModelState, nowMs: number): SlaveStep {
  let s = advance(state, nowMs);
  if (s.linked && s.lastMasterHeartbeatAt !== null && nowMs - s.lastMasterHeartbeatAt >= LINK_LOSS_MS) {
    // twc-protocol §13.2: link loss → unlinked, car stops, the 10 s linkready resumes.
    s = unlink(s, nowMs);
  }
  if (s.linked) return { state: s, replies: [] };
  const due = nowMs >= s.nextLinkReadyAt || (s.answerLinkReadyAt !== null && nowMs >= s.answerLinkReadyAt);
  const gapOk = s.lastLinkReadyAt === null || nowMs - s.lastLinkReadyAt >= LINKREADY_MIN_GAP_MS;
  if (!due || !gapOk) return { state: s, replies: [] };
  s = { ...s, lastLinkReadyAt: nowMs, nextLinkReadyAt: nowMs + LINKREADY_PERIOD_MS, answerLinkReadyAt: null };
  return { state: s, replies: [linkReadyFrame(s)] };
}

/**
 * The earliest epoch ms at which `tick` can change the slave (issue 9 §7: the simulator wakes only
 * when due): the link loss, the next linkready, the end of the car's steady state (`stepMs` probes it;
 * a ramping car is due at once). `state` must be advanced to `nowMs`.
 */
export function nextTickDue(state: SlaveModelState, nowMs: number, stepMs: number): number {
  const carS = carSteadyForS(
    state.car,
    state.limitSinceLink ? state.commandedCentiAmps : null,
    state.stoppedByCommand || state.errorLatched,
    state.linked,
    stepMs / 1000,
  );
  const carDue = nowMs + carS * 1000;
  if (state.linked) {
    const loss = state.lastMasterHeartbeatAt === null ? nowMs : state.lastMasterHeartbeatAt + LINK_LOSS_MS;
    return Math.min(carDue, loss);
  }
  const wanted = Math.min(state.nextLinkReadyAt, state.answerLinkReadyAt ?? Number.POSITIVE_INFINITY);
  const gap = state.lastLinkReadyAt === null ? wanted : state.lastLinkReadyAt + LINKREADY_MIN_GAP_MS;
  return Math.min(carDue, Math.max(wanted, gap));
}

function unlink(s: SlaveModelState, nowMs: number): SlaveModelState {
  const u = { ...s, linked: false, commandedCentiAmps: 0, limitSinceLink: false, nextLinkReadyAt: nowMs };
  return { ...u, car: stepCar(u.car, null, u.stoppedByCommand, false, 0) };
}

/** Handles one frame the master sent (every slave sees every frame). */
export function onFrame(state: SlaveModelState, frame: Frame, nowMs: number): SlaveStep {
  const s = advance(state, nowMs);
  const none: SlaveStep = { state: s, replies: [] };
  switch (frame.kind) {
    case "masterLinkReady2": {
      if (s.linked || s.answerLinkReadyAt !== null) return none;
      const earliest = s.lastLinkReadyAt === null ? 0 : s.lastLinkReadyAt + LINKREADY_MIN_GAP_MS;
      return {
        state: { ...s, answerLinkReadyAt: Math.max(nowMs + LINKREADY_ANSWER_MS, earliest) },
        replies: [],
      };
    }
    case "masterHeartbeat":
      return frame.receiver === s.id ? onHeartbeat(s, frame, nowMs) : none;
    case "kwhRequest":
      if (frame.receiver !== s.id || !s.def.supportsKwh) return none;
      return { state: s, replies: [kwhReportFrame(s)] };
    case "vinRequest":
      if (frame.receiver !== s.id || s.def.vin === null) return none;
      return { state: s, replies: [vinReportFrame(s, frame.part)] };
    case "stopCharging":
      if (frame.receiver !== s.id) return none;
      return {
        state: { ...s, stoppedByCommand: true },
        replies: [{ kind: "stopAck", sender: s.id, length: frameLength(s) }],
      };
    case "startCharging":
      if (frame.receiver !== s.id) return none;
      return {
        state: { ...s, stoppedByCommand: false },
        replies: [{ kind: "startAck", sender: s.id, length: frameLength(s) }],
      };
    case "firmwareRequest":
      if (frame.receiver !== s.id) return none;
      return { state: s, replies: [firmwareReplyFrame(s)] };
    case "masterLinkReady1":
    case "slaveLinkReady":
    case "slaveHeartbeat":
    case "kwhReport":
    case "vinReport":
    case "startAck":
    case "stopAck":
    case "idle":
    case "unknown":
      return none;
  }
}

function frameLength(s: SlaveModelState): 14 | 16 {
  return s.def.protocolVersion === 2 ? 16 : 14;
}

function onHeartbeat(state: SlaveModelState, frame: FrameOf<"masterHeartbeat">, nowMs: number): SlaveStep {
  let s: SlaveModelState = {
    ...state,
    linked: true,
    lastMasterHeartbeatAt: nowMs,
    answerLinkReadyAt: null,
  };
  let echo: number | null = null;
  const cmd = frame.command;
  switch (cmd.code) {
    case 0x00:
      break;
    case 0x05:
    case 0x09:
      s = { ...s, commandedCentiAmps: cmd.centiAmps, limitSinceLink: true };
      break;
    case 0x02:
      // twc-protocol §13.2: an error commanded by a master is sticky until the simulator is reset.
      s = { ...s, errorLatched: true };
      break;
    case 0x06:
    case 0x07:
    case 0x08:
      echo = cmd.code;
      break;
  }
  // Apply the new limit at once so the reply reflects the car's reaction to it (a zero-length step).
  s = {
    ...s,
    car: stepCar(
      s.car,
      s.limitSinceLink ? s.commandedCentiAmps : null,
      s.stoppedByCommand || s.errorLatched,
      true,
      0,
    ),
  };
  const report = carReport(s.car);
  const reply: Frame = {
    kind: "slaveHeartbeat",
    sender: s.id,
    receiver: frame.sender,
    status: {
      state: s.errorLatched ? 0x02 : (echo ?? report.state),
      reportedMaxCentiAmps: s.commandedCentiAmps,
      reportedActualCentiAmps: s.errorLatched ? 0 : report.actualCentiAmps,
      length: s.def.protocolVersion === 2 ? 9 : 7,
    },
  };
  return { state: s, replies: [reply] };
}

/** kWh report: integer lifetime kWh and the three phase voltages. */
export function kwhReportFrame(s: SlaveModelState): Frame {
  const [a, b, c] = s.def.voltage;
  return {
    kind: "kwhReport",
    sender: s.id,
    lifetimeKWh: Math.min(0xffffffff, Math.floor(s.lifetimeWh / 1000)),
    volts: [Math.round(a), Math.round(b), Math.round(c)],
  };
}

/** VIN characters of one part (7, 7, 3), zero padded to 11 data bytes; all zero for VIN "". */
export function vinReportFrame(s: SlaveModelState, part: 0 | 1 | 2): Frame {
  const data = new Uint8Array(11);
  const vin = s.def.vin ?? "";
  const chars = vin.slice(part * 7, part === 2 ? 17 : part * 7 + 7);
  for (let i = 0; i < chars.length; i++) data[i] = chars.charCodeAt(i) & 0x7f;
  return { kind: "vinReport", sender: s.id, part, data };
}

/** `FD 1B <id> 00 00 04 05 03 …` zero padded to the slave's length, as an unknown frame. */
export function firmwareReplyFrame(s: SlaveModelState): Frame {
  const payload = new Uint8Array(frameLength(s) - 1);
  payload.set([0xfd, 0x1b, (s.id >> 8) & 0xff, s.id & 0xff, 0x00, 0x00, ...SIM_FIRMWARE]);
  return { kind: "unknown", type: 0xfd1b, payload };
}

/** Read-only view of a slave for tests and logs. */
export interface SlaveSnapshot {
  id: TwcId;
  twcID: string;
  linked: boolean;
  commandedAmps: number;
  /** Status code the slave would report now. */
  state: number;
  actualAmps: number;
  lifetimeWh: number;
  socPercent: number;
  behaviour: SimCarDef["behaviour"];
  stoppedByCommand: boolean;
  protocolVersion: 1 | 2;
  maxAmps: number;
}

/** A snapshot of the slave at its last step. */
export function snapshotSlave(s: SlaveModelState): SlaveSnapshot {
  const r = carReport(s.car);
  return {
    id: s.id,
    twcID: s.def.twcID,
    linked: s.linked,
    commandedAmps: s.commandedCentiAmps / 100,
    state: s.errorLatched ? 0x02 : r.state,
    actualAmps: s.errorLatched ? 0 : r.actualCentiAmps / 100,
    lifetimeWh: s.lifetimeWh,
    socPercent: s.car.socPercent,
    behaviour: s.car.def.behaviour,
    stoppedByCommand: s.stoppedByCommand,
    protocolVersion: s.def.protocolVersion,
    maxAmps: s.def.maxAmps,
  };
}
