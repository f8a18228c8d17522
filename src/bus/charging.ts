/**
 * Charging detection, sessions, VIN retrieval and entitlement (controller.md §13). Pure: settings
 * come in as the typed snapshot the engine last pushed (`BusSettings`), changes leave as `settings`
 * effects; VIN requests and entitlement stops leave as `queue` effects.
 */
import { MASTER_ID, twcIdHex } from "../protocol/frames.ts";
import { isValidVin, vinPartChars } from "../protocol/vin.ts";
import type { BusSettings } from "./bus-input.ts";
import { logEffect, startStopEffect } from "./effects.ts";
import type { Effect, SessionCloseReason, Step } from "./effects.ts";
import type { SlaveState } from "./slave-state.ts";

/** At most this many VIN query attempts per charging session (twc-protocol.md §7.1). */
export const VIN_MAX_ATTEMPTS = 5;
/** Seconds between VIN retries while charging without a VIN. */
export const VIN_RETRY_S = 60;
/** Seconds below 1 A before a charging session ends. */
export const CHARGING_STOP_DEBOUNCE_S = 5;
/** Reported actual amps at or above which a slave counts as charging. */
export const CHARGING_THRESHOLD_A = 1.0;

type Rec = Readonly<Record<string, unknown>>;

function isRec(v: unknown): v is Rec {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** An entry of settings.Vehicles / SlaveTWCs (free-form JSON kept verbatim by the settings layer). */
function entryOf(v: unknown): Rec {
  return isRec(v) ? v : {};
}

/** A numeric field of such an entry (the counters this file writes), 0 when absent or not a number. */
function counter(entry: Rec, key: string): number {
  const v = entry[key];
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

function vinRequest(slave: SlaveState, part: 0 | 1 | 2): Effect {
  return {
    type: "queue",
    priority: 4,
    dedupKey: `vin${part}:${twcIdHex(slave.id)}`,
    item: { kind: "frame", frame: { kind: "vinRequest", sender: MASTER_ID, receiver: slave.id, part } },
  };
}

/** True when the VIN may charge under `settings.chargeAuthorizationMode` (controller.md §13). */
export function isEntitled(vin: string, settings: BusSettings): boolean {
  if (vin === "") return true;
  const members = (name: string): readonly string[] => settings.VehicleGroups[name]?.Members ?? [];
  if (settings.chargeAuthorizationMode === 2) return members("Allow Charging").includes(vin);
  return !members("Deny Charging").includes(vin);
}

/** Starts a session: VIN part 0, session open effect (controller.md §13). */
function startCharging(slave: SlaveState, nowMs: number): Step<SlaveState> {
  const nowS = nowMs / 1000;
  const next: SlaveState = {
    ...slave,
    isCharging: true,
    chargingStartedAtS: nowS,
    chargingDroppedAtS: null,
    vinParts: ["", "", ""],
    currentVIN: "",
    lastVinQueryAtS: nowS,
    vinQueryAttempt: 1,
  };
  return {
    state: next,
    effects: [
      vinRequest(next, 0),
      {
        type: "session",
        event: {
          op: "open",
          twcId: slave.id,
          at: nowMs,
          startKWh: slave.lifetimeKnown ? slave.lifetimeKWh : null,
        },
      },
      logEffect("info", "SESSION_START", `session start on TWC ${twcIdHex(slave.id)}`, {
        twcId: twcIdHex(slave.id),
      }),
    ],
  };
}

/**
 * Ends an open session (charging stopped, link lost or shutdown): VINs rotate, the session is
 * closed at `atMs`, `settings.Vehicles[lastVIN]` totals are updated. No-op when not charging.
 */
export function closeSession(
  slave: SlaveState,
  reason: SessionCloseReason,
  atMs: number,
  settings: BusSettings,
): Step<SlaveState> {
  if (!slave.isCharging) return { state: slave, effects: [] };
  const vin = slave.currentVIN;
  const next: SlaveState = {
    ...slave,
    isCharging: false,
    chargingStartedAtS: 0,
    chargingDroppedAtS: null,
    vinParts: ["", "", ""],
    lastVIN: vin !== "" ? vin : slave.lastVIN,
    currentVIN: "",
    lastVinQueryAtS: 0,
    vinQueryAttempt: 0,
  };
  const effects: Effect[] = [
    {
      type: "session",
      event: {
        op: "close",
        twcId: slave.id,
        at: atMs,
        reason,
        endKWh: slave.lifetimeKnown ? slave.lifetimeKWh : null,
        vin,
      },
    },
  ];
  if (vin !== "") {
    const vehicles = settings.Vehicles;
    const entry = entryOf(vehicles[vin]);
    const startkWh = counter(entry, "startkWh");
    if (startkWh > 0 && slave.lifetimeKnown) {
      const totalkWh = counter(entry, "totalkWh") + Math.max(0, slave.lifetimeKWh - startkWh);
      effects.push({
        type: "settings",
        patch: { Vehicles: { ...vehicles, [vin]: { ...entry, totalkWh, startkWh: 0 } } },
      });
    }
  }
  effects.push(
    logEffect("info", "SESSION_STOP", `session stop on TWC ${twcIdHex(slave.id)} (${reason})`, {
      twcId: twcIdHex(slave.id),
      reason,
      vin,
    }),
  );
  return { state: next, effects };
}

/** One slave's part of numCarsCharging(): start/debounced stop (controller.md §13). */
export function updateCharging(slave: SlaveState, nowMs: number, settings: BusSettings): Step<SlaveState> {
  const nowS = nowMs / 1000;
  if (slave.reportedAmpsActual >= CHARGING_THRESHOLD_A) {
    if (!slave.isCharging) return startCharging(slave, nowMs);
    if (slave.chargingDroppedAtS !== null)
      return { state: { ...slave, chargingDroppedAtS: null }, effects: [] };
    return { state: slave, effects: [] };
  }
  if (!slave.isCharging) return { state: slave, effects: [] };
  if (slave.chargingDroppedAtS === null) return { state: { ...slave, chargingDroppedAtS: nowS }, effects: [] };
  if (nowS - slave.chargingDroppedAtS >= CHARGING_STOP_DEBOUNCE_S) {
    return closeSession(slave, "stopped", nowMs, settings);
  }
  return { state: slave, effects: [] };
}

/** numCarsCharging() over every slave: updated slaves (same objects when unchanged), effects, count. */
export function numCarsCharging(
  slaves: readonly SlaveState[],
  nowMs: number,
  settings: BusSettings,
): { slaves: readonly SlaveState[]; effects: Effect[]; count: number } {
  const effects: Effect[] = [];
  let changed = false;
  const next = slaves.map((s) => {
    const r = updateCharging(s, nowMs, settings);
    if (r.state !== s) changed = true;
    effects.push(...r.effects);
    return r.state;
  });
  return { slaves: changed ? next : slaves, effects, count: next.filter((s) => s.isCharging).length };
}

/** True while VIN answers for this session are still wanted. */
function vinWanted(slave: SlaveState): boolean {
  return slave.isCharging && slave.currentVIN === "" && slave.lastVinQueryAtS !== 0;
}

/** Invalid part or VIN: restart from part 0 if attempts remain, else give up for this session. */
function vinInvalid(slave: SlaveState, nowMs: number, why: string): Step<SlaveState> {
  const id = twcIdHex(slave.id);
  if (slave.vinQueryAttempt < VIN_MAX_ATTEMPTS) {
    const next: SlaveState = {
      ...slave,
      vinParts: ["", "", ""],
      vinQueryAttempt: slave.vinQueryAttempt + 1,
      lastVinQueryAtS: nowMs / 1000,
    };
    return {
      state: next,
      effects: [
        vinRequest(next, 0),
        logEffect("info", "VIN_INVALID", `invalid VIN from TWC ${id} (${why}); retrying`, { twcId: id }),
      ],
    };
  }
  return {
    state: { ...slave, vinParts: ["", "", ""], lastVinQueryAtS: 0 },
    effects: [
      logEffect("warn", "VIN_GIVE_UP", `invalid VIN from TWC ${id} (${why}); giving up for this session`, {
        twcId: id,
      }),
    ],
  };
}

/** A valid VIN: store it, update settings, attach it to the session, run the entitlement check. */
function vinAccepted(slave: SlaveState, vin: string, settings: BusSettings): Step<SlaveState> {
  const id = twcIdHex(slave.id);
  const next: SlaveState = { ...slave, currentVIN: vin, vinParts: ["", "", ""], lastVinQueryAtS: 0 };
  const slaveTwcs = settings.SlaveTWCs;
  const vehicles = settings.Vehicles;
  const prev = vehicles[vin];
  const lifetime = slave.lifetimeKnown ? slave.lifetimeKWh : 0;
  const vehicle = isRec(prev)
    ? { ...prev, chargeSessions: counter(prev, "chargeSessions") + 1, startkWh: lifetime }
    : { chargeSessions: 1, startkWh: lifetime, totalkWh: 0 };
  const effects: Effect[] = [
    {
      type: "settings",
      patch: {
        SlaveTWCs: { ...slaveTwcs, [id]: { ...entryOf(slaveTwcs[id]), supportsVINQuery: 1 } },
        Vehicles: { ...vehicles, [vin]: vehicle },
      },
    },
    { type: "session", event: { op: "vin", twcId: slave.id, vin } },
    logEffect("info", "VIN_RECEIVED", `TWC ${id} charging VIN ${vin}`, { twcId: id, vin }),
  ];
  if (!isEntitled(vin, settings)) {
    effects.push(
      startStopEffect("stop", next.id),
      logEffect("warn", "VIN_NOT_ENTITLED", `VIN ${vin} is not allowed to charge: stopping TWC ${id}`, {
        twcId: id,
        vin,
      }),
    );
  }
  return { state: next, effects };
}

/** Handles a `vinReport` part from this slave (controller.md §13 "VIN retrieval"). */
export function handleVinReport(
  slave: SlaveState,
  part: 0 | 1 | 2,
  data: Uint8Array,
  nowMs: number,
  settings: BusSettings,
): Step<SlaveState> {
  if (!vinWanted(slave)) return { state: slave, effects: [] };
  const chars = vinPartChars(data);
  if (chars === null) return vinInvalid(slave, nowMs, `part ${part} not printable`);
  const parts: [string, string, string] = [...slave.vinParts];
  parts[part] = chars;
  if (part < 2) {
    const nextPart = (part + 1) as 1 | 2;
    const next: SlaveState = { ...slave, vinParts: parts, lastVinQueryAtS: nowMs / 1000 };
    return { state: next, effects: [vinRequest(next, nextPart)] };
  }
  const vin = parts.join("").toUpperCase();
  if (vin.length === 0) {
    const id = twcIdHex(slave.id);
    return {
      state: { ...slave, vinParts: ["", "", ""], lastVinQueryAtS: 0 },
      effects: [
        logEffect("info", "VIN_NONE", `TWC ${id}: no VIN (non-Tesla car or CAN disabled)`, { twcId: id }),
      ],
    };
  }
  if (!isValidVin(vin)) return vinInvalid({ ...slave, vinParts: parts }, nowMs, `"${vin}"`);
  return vinAccepted(slave, vin, settings);
}

/** 60 s VIN retry while charging without a VIN and attempts remain (controller.md §13 "Retry"). */
export function vinRetry(slave: SlaveState, nowMs: number): Step<SlaveState> {
  const nowS = nowMs / 1000;
  if (!vinWanted(slave) || slave.vinQueryAttempt >= VIN_MAX_ATTEMPTS) return { state: slave, effects: [] };
  if (nowS - slave.lastVinQueryAtS < VIN_RETRY_S) return { state: slave, effects: [] };
  const next: SlaveState = {
    ...slave,
    vinParts: ["", "", ""],
    lastVinQueryAtS: nowS,
    vinQueryAttempt: slave.vinQueryAttempt + 1,
  };
  return { state: next, effects: [vinRequest(next, 0)] };
}
