/**
 * Slave registry and link state machine (twc-protocol.md §5.2–§6, §8, §11): linkready handling with
 * version detection, ID conflicts and the S-2 wiring check, heartbeat and kWh report storage, at most
 * three slaves, round-robin turns with timeout removal, foreign-master and echo detection. Pure:
 * `transition(state, input, now) → {state, effects}`. VIN reports are routed to charging.ts by the
 * runtime; monitor-mode reception is in link-monitor.ts.
 */
import { centiToAmps } from "../protocol/amps.ts";
import { MASTER_ID, twcIdHex } from "../protocol/frames.ts";
import type { Frame, FrameOf, TwcId } from "../protocol/frames.ts";
import { logEffect } from "./effects.ts";
import type { Effect, Step } from "./effects.ts";
import { expireImplausible } from "./implausible.ts";
import { monitorFrame } from "./link-monitor.ts";
import {
  addSlave,
  ALERT_QUIET_MS,
  detectVersion,
  findSlave,
  onKwhReport,
  removeAt,
  replaceSlave,
  SPIKE_AMPS_HIGH,
  SPIKE_AMPS_LOW,
  storeHeartbeat,
} from "./registry.ts";
import type { LinkState } from "./registry.ts";
import { createSlaveState } from "./slave-state.ts";
import type { SlaveState } from "./slave-state.ts";

/** Inputs of `transition`. */
export type LinkInput =
  { type: "frame"; frame: Frame } | { type: "transportOpened" } | { type: "housekeeping" };

function onSlaveLinkReady(state: LinkState, f: FrameOf<"slaveLinkReady">, now: number): Step<LinkState> {
  const rated = centiToAmps(f.ratedCentiAmps);
  if (f.sender === MASTER_ID) {
    // twc-protocol §8 step 3 / S-9: the slave must pick a new ID; a new burst makes it do so.
    return {
      state,
      effects: [
        { type: "burst" },
        logEffect("warn", "TWC_ID_CONFLICT", "a slave TWC uses our ID 7777: sending a new linkready burst"),
      ],
    };
  }
  const effects: Effect[] = [];
  let s: LinkState = { ...state, spikeAmps: rated >= 80 ? SPIKE_AMPS_HIGH : SPIKE_AMPS_LOW };
  let slave = findSlave(s, f.sender);
  if (!slave) {
    slave = createSlaveState(f.sender, rated, s.config.defaults, now);
    const r = addSlave(s, slave, now);
    s = r.state;
    effects.push(
      ...r.effects,
      logEffect("info", "TWC_LINKED", `TWC ${twcIdHex(f.sender)} linked, rated ${rated} A`),
    );
  }
  slave = { ...detectVersion(slave, f.length), lastRxAtMs: now };
  if (slave.wiringMaxAmps > rated) {
    // S-2: a wiring limit above the unit's own rating is almost certainly a configuration mistake.
    const cut = rated / 4;
    effects.push(
      logEffect(
        "error",
        "WIRING_ABOVE_RATING",
        `DANGER: wiringMaxAmpsPerTWC ${slave.wiringMaxAmps} A exceeds the ${rated} A rating of TWC ${twcIdHex(f.sender)}; limiting it to ${cut} A`,
      ),
      {
        type: "alert",
        op: "raise",
        code: "WIRING_ABOVE_RATING",
        message: `wiringMaxAmpsPerTWC exceeds the ${rated} A rating of TWC ${twcIdHex(f.sender)}; limited to ${cut} A.`,
        twcId: f.sender,
      },
    );
    slave = { ...slave, wiringMaxAmps: cut };
  }
  s = replaceSlave(s, slave);
  effects.push({
    type: "queue",
    priority: 1,
    dedupKey: `hb-now:${twcIdHex(f.sender)}`,
    item: { kind: "heartbeat", twcId: f.sender },
  });
  return { state: s, effects };
}

function onSlaveHeartbeat(state: LinkState, f: FrameOf<"slaveHeartbeat">, now: number): Step<LinkState> {
  const id = twcIdHex(f.sender);
  if (f.receiver !== MASTER_ID) {
    return {
      state,
      effects: [
        { type: "count", counter: "ignored" },
        logEffect(
          "debug",
          "HEARTBEAT_NOT_FOR_US",
          `heartbeat from ${id} addressed to ${twcIdHex(f.receiver)}`,
        ),
      ],
    };
  }
  const slave = findSlave(state, f.sender);
  if (!slave) {
    return {
      state,
      effects: [
        { type: "count", counter: "ignored" },
        logEffect("debug", "HEARTBEAT_UNKNOWN_SLAVE", `heartbeat from unlinked TWC ${id}`),
      ],
    };
  }
  const r = storeHeartbeat(state, slave, f, now);
  return { state: r.state, effects: [{ type: "kwhPoll" }, ...r.effects] };
}

function foreignMaster(state: LinkState, sender: TwcId, now: number): Step<LinkState> {
  const effects: Effect[] = [];
  if (state.foreignMasterAtMs === null) {
    effects.push(
      logEffect(
        "error",
        "FOREIGN_MASTER",
        `another master (${twcIdHex(sender)}) is on the bus: set every TWC's rotary switch to F`,
      ),
      {
        type: "alert",
        op: "raise",
        code: "FOREIGN_MASTER",
        message: "Another master is on the bus: set every TWC's rotary switch to F.",
      },
    );
  }
  return { state: { ...state, foreignMasterAtMs: now }, effects };
}

/** Sender of a master-class frame, or null when the frame has none. */
function masterClassSender(frame: Frame): TwcId | null {
  switch (frame.kind) {
    case "masterLinkReady1":
    case "masterLinkReady2":
    case "masterHeartbeat":
    case "kwhRequest":
    case "vinRequest":
    case "startCharging":
    case "stopCharging":
    case "firmwareRequest":
      return frame.sender;
    case "unknown":
      return unknownMasterSender(frame);
    case "slaveLinkReady":
    case "slaveHeartbeat":
    case "kwhReport":
    case "vinReport":
    case "startAck":
    case "stopAck":
    case "idle":
      return null;
  }
}

/** Sender bytes of an unknown frame of master class (FB/FC), or null. */
function unknownMasterSender(frame: FrameOf<"unknown">): TwcId | null {
  const cls = (frame.type >> 8) & 0xff;
  if ((cls !== 0xfb && cls !== 0xfc) || frame.payload.length < 4) return null;
  return (((frame.payload[2] ?? 0) << 8) | (frame.payload[3] ?? 0)) as TwcId;
}

function masterFrame(state: LinkState, frame: Frame, now: number): Step<LinkState> {
  switch (frame.kind) {
    case "slaveLinkReady":
      return onSlaveLinkReady(state, frame, now);
    case "slaveHeartbeat":
      return onSlaveHeartbeat(state, frame, now);
    case "kwhReport":
      return onKwhReport(state, frame, now);
    case "startAck":
    case "stopAck":
      return { state, effects: [{ type: "count", counter: "ack" }] };
    case "vinReport":
      return { state, effects: [] };
    case "masterLinkReady1":
    case "masterLinkReady2":
    case "masterHeartbeat":
    case "kwhRequest":
    case "vinRequest":
    case "startCharging":
    case "stopCharging":
    case "firmwareRequest":
    case "idle":
    case "unknown":
      return masterClassFrame(state, frame, now);
  }
}

/** Master-class (and unknown) frames in fake-master mode: our echo, a foreign master, or unhandled. */
function masterClassFrame(state: LinkState, frame: Frame, now: number): Step<LinkState> {
  const sender = masterClassSender(frame);
  if (sender === MASTER_ID) return { state, effects: [{ type: "count", counter: "echo" }] };
  const foreign =
    frame.kind === "masterLinkReady1" ||
    frame.kind === "masterLinkReady2" ||
    frame.kind === "masterHeartbeat" ||
    (frame.kind === "unknown" && frame.type === 0xfce2 && sender !== null);
  if (foreign && sender !== null) return foreignMaster(state, sender, now);
  return {
    state,
    effects: [
      { type: "count", counter: "unknown" },
      logEffect("debug", "FRAME_UNHANDLED", `unhandled frame ${frame.kind}`),
    ],
  };
}

function housekeeping(state: LinkState, now: number): Step<LinkState> {
  const effects: Effect[] = [];
  let s = state;
  if (s.foreignMasterAtMs !== null && now - s.foreignMasterAtMs > ALERT_QUIET_MS) {
    s = { ...s, foreignMasterAtMs: null };
    effects.push({ type: "alert", op: "clear", code: "FOREIGN_MASTER" });
  }
  if (s.tooManyAtMs !== null && now - s.tooManyAtMs > ALERT_QUIET_MS) {
    s = { ...s, tooManyAtMs: null };
    effects.push({ type: "alert", op: "clear", code: "TOO_MANY_SLAVES" });
  }
  const quiet = expireImplausible(s, now, ALERT_QUIET_MS);
  s = quiet.state;
  effects.push(...quiet.effects);
  if (s.config.mode === "monitor") {
    // No round-robin turns in monitor mode: silent slaves leave the display here.
    for (let i = s.slaves.length - 1; i >= 0; i--) {
      const slave = s.slaves[i];
      if (slave && now - slave.lastRxAtMs > s.config.slaveTimeoutS * 1000) {
        const r = removeAt(s, i, "timeout");
        s = r.state;
        effects.push(...r.effects);
      }
    }
  }
  return { state: s, effects };
}

/** The link state machine. */
export function transition(state: LinkState, input: LinkInput, now: number): Step<LinkState> {
  switch (input.type) {
    case "frame":
      return state.config.mode === "monitor"
        ? monitorFrame(state, input.frame, now)
        : masterFrame(state, input.frame, now);
    case "transportOpened":
      // twc-protocol §11: the outage itself must not time slaves out.
      return {
        state: { ...state, slaves: state.slaves.map((s) => ({ ...s, lastRxAtMs: now })) },
        effects: [],
      };
    case "housekeeping":
      return housekeeping(state, now);
  }
}

/**
 * The round-robin turn (twc-protocol §7.1): the slave to heartbeat now, or null when none is left.
 * A slave silent for more than `slaveTimeout` is removed instead, and the next one takes the slot.
 */
export function nextTurn(state: LinkState, now: number): Step<LinkState> & { slave: SlaveState | null } {
  const effects: Effect[] = [];
  let s = state;
  while (s.slaves.length > 0) {
    const idx = s.rrIndex % s.slaves.length;
    const slave = s.slaves[idx];
    if (!slave) break;
    if (now - slave.lastRxAtMs > s.config.slaveTimeoutS * 1000) {
      const r = removeAt({ ...s, rrIndex: idx }, idx, "timeout");
      s = r.state;
      effects.push(
        ...r.effects,
        logEffect(
          "warn",
          "SLAVE_TIMEOUT",
          `TWC ${twcIdHex(slave.id)} silent for more than ${s.config.slaveTimeoutS} s: removed`,
        ),
      );
      continue;
    }
    return { state: { ...s, rrIndex: (idx + 1) % s.slaves.length }, effects, slave };
  }
  return { state: s, effects, slave: null };
}
