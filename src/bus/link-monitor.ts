/**
 * Passive monitor reception (fakeMaster 2, twc-protocol.md §10–§11): records slaves and masters seen
 * on the bus for display, never queues anything. Slaves first seen in heartbeats are assumed 80 A.
 */
import { centiToAmps } from "../protocol/amps.ts";
import { twcIdHex } from "../protocol/frames.ts";
import type { Frame, TwcId } from "../protocol/frames.ts";
import { logEffect } from "./effects.ts";
import type { Effect, Step } from "./effects.ts";
import type { LinkState } from "./registry.ts";
import {
  addSlave,
  detectVersion,
  findSlave,
  MONITOR_ASSUMED_AMPS,
  onKwhReport,
  replaceSlave,
  SPIKE_AMPS_HIGH,
  SPIKE_AMPS_LOW,
  storeHeartbeat,
} from "./registry.ts";
import { createSlaveState } from "./slave-state.ts";
import type { SlaveState } from "./slave-state.ts";

function ensureSlave(
  state: LinkState,
  id: TwcId,
  ratedAmps: number,
  now: number,
): Step<LinkState> & { slave: SlaveState } {
  const known = findSlave(state, id);
  if (known) return { state, effects: [], slave: known };
  const slave = createSlaveState(id, ratedAmps, state.config.defaults, now);
  const r = addSlave(state, slave, now);
  return {
    state: r.state,
    effects: [...r.effects, logEffect("info", "TWC_SEEN", `monitor: TWC ${twcIdHex(id)} seen on the bus`)],
    slave,
  };
}

function seeMaster(state: LinkState, id: TwcId): LinkState {
  return state.mastersSeen.includes(id) ? state : { ...state, mastersSeen: [...state.mastersSeen, id] };
}

/** Handles one received frame in monitor mode. */
export function monitorFrame(state: LinkState, frame: Frame, now: number): Step<LinkState> {
  switch (frame.kind) {
    case "slaveLinkReady": {
      const rated = centiToAmps(frame.ratedCentiAmps);
      const base = { ...state, spikeAmps: rated >= 80 ? SPIKE_AMPS_HIGH : SPIKE_AMPS_LOW };
      const r = ensureSlave(base, frame.sender, rated, now);
      const slave = { ...detectVersion(r.slave, frame.length), lastRxAtMs: now };
      return { state: replaceSlave(r.state, slave), effects: r.effects };
    }
    case "slaveHeartbeat": {
      const r = ensureSlave(state, frame.sender, MONITOR_ASSUMED_AMPS, now);
      const h = storeHeartbeat(r.state, r.slave, frame, now);
      return { state: h.state, effects: [...r.effects, ...h.effects] };
    }
    case "masterHeartbeat": {
      const r = ensureSlave(seeMaster(state, frame.sender), frame.receiver, MONITOR_ASSUMED_AMPS, now);
      const cmd = frame.command;
      if (cmd.code === 0x05 || cmd.code === 0x09) {
        // Show what the real master offers this slave.
        const offered = centiToAmps(cmd.centiAmps);
        if (offered !== r.slave.lastAmpsOffered) {
          return {
            state: replaceSlave(r.state, {
              ...r.slave,
              lastAmpsOffered: offered,
              ampsOfferedChangedAtS: now / 1000,
            }),
            effects: r.effects,
          };
        }
      }
      return { state: r.state, effects: r.effects };
    }
    case "masterLinkReady1":
    case "masterLinkReady2":
      return { state: seeMaster(state, frame.sender), effects: [] };
    case "kwhReport":
      return onKwhReport(state, frame, now);
    case "idle":
      return { state, effects: [logEffect("info", "MASTER_IDLE", "monitor: master idle message")] };
    case "startAck":
    case "stopAck":
      return { state, effects: [{ type: "count", counter: "ack" }] };
    case "vinReport":
    case "kwhRequest":
    case "vinRequest":
    case "startCharging":
    case "stopCharging":
    case "firmwareRequest":
      return { state, effects: [] };
    case "unknown": {
      const effects: Effect[] = [
        { type: "count", counter: "unknown" },
        logEffect("debug", "FRAME_UNKNOWN", `unknown frame type ${frame.type.toString(16)}`),
      ];
      return { state, effects };
    }
  }
}
