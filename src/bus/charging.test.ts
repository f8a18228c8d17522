import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { normaliseSettings } from "../config/settings-normalise.ts";
import type { Settings } from "../config/settings-schema.ts";
import { twcId } from "../protocol/frames.ts";
import { vinPartData } from "../protocol/vin.ts";
import {
  closeSession,
  handleVinReport,
  isEntitled,
  numCarsCharging,
  updateCharging,
  VIN_MAX_ATTEMPTS,
  vinRetry,
} from "./charging.ts";
import type { Effect, Step } from "./effects.ts";
import { createSlaveState } from "./slave-state.ts";
import type { SlaveState } from "./slave-state.ts";

const T0 = 1_700_000_000_000;
/** Default settings (as normalised from an empty settings.json) with `over` on top. */
const settingsOf = (over: Record<string, unknown> = {}): Readonly<Settings> => ({
  ...normaliseSettings({}, 32).settings,
  ...over,
});
const NONE = settingsOf();
const ID = twcId(0x1234);
const VALID = "5YJ3E1EA8KF000001";
const INVALID = "5YJ3E1EA7KF000001";

function slave(over: Partial<SlaveState> = {}): SlaveState {
  return {
    ...createSlaveState(
      ID,
      32,
      { wiringMaxAmpsPerTWC: 32, useFlexAmpsToStartCharge: false, startStopDelayS: 60 },
      T0,
    ),
    protocolVersion: 2,
    ...over,
  };
}

const vinRequests = (effects: Effect[]): number[] =>
  effects.flatMap((e) =>
    e.type === "queue" && e.item.kind === "frame" && e.item.frame.kind === "vinRequest"
      ? [e.item.frame.part]
      : [],
  );
const sessions = (effects: Effect[]): string[] =>
  effects.flatMap((e) => (e.type === "session" ? [e.event.op] : []));
const patches = (effects: Effect[]): Readonly<Record<string, unknown>>[] =>
  effects.flatMap((e) => (e.type === "settings" ? [e.patch] : []));

/** A charging slave that has just asked for VIN part 0. */
function charging(settings: Readonly<Settings> = NONE): Step<SlaveState> {
  return updateCharging(
    slave({ reportedAmpsActual: 16, lifetimeKWh: 100, lifetimeKnown: true }),
    T0,
    settings,
  );
}

/** Answers parts 0, 1, 2 of `vin` in order (each at `at`). */
function answerVin(s: SlaveState, vin: string, at: number, settings: Readonly<Settings> = NONE): Step<SlaveState> {
  const effects: Effect[] = [];
  let cur = s;
  for (const part of [0, 1, 2] as const) {
    const r = handleVinReport(cur, part, vinPartData(vin, part), at, settings);
    cur = r.state;
    effects.push(...r.effects);
  }
  return { state: cur, effects };
}

void describe("charging detection", () => {
  void it("≥ 1.0 A starts a session, queues VIN part 0 and opens a session", () => {
    const r = charging();
    assert.equal(r.state.isCharging, true);
    assert.equal(r.state.chargingStartedAtS, T0 / 1000);
    assert.equal(r.state.vinQueryAttempt, 1);
    assert.deepEqual(vinRequests(r.effects), [0]);
    const open = r.effects.find((e) => e.type === "session");
    assert.deepEqual(open, { type: "session", event: { op: "open", twcId: ID, at: T0, startKWh: 100 } });
  });

  void it("below 1 A for ≥ 5 s stops it (debounced), rotating the VIN", () => {
    let s = { ...answerVin(charging().state, VALID, T0 + 1000).state, reportedAmpsActual: 0.5 };
    assert.equal(s.currentVIN, VALID);
    let r = updateCharging(s, T0 + 10_000, NONE);
    assert.equal(r.state.isCharging, true);
    assert.equal(r.state.chargingDroppedAtS, (T0 + 10_000) / 1000);
    r = updateCharging(r.state, T0 + 14_900, NONE);
    assert.equal(r.state.isCharging, true, "4.9 s is not enough");
    // A short recovery resets the debounce.
    r = updateCharging({ ...r.state, reportedAmpsActual: 1.0 }, T0 + 14_950, NONE);
    assert.equal(r.state.chargingDroppedAtS, null);
    s = { ...r.state, reportedAmpsActual: 0 };
    r = updateCharging(s, T0 + 20_000, NONE);
    r = updateCharging(r.state, T0 + 25_000, NONE);
    assert.equal(r.state.isCharging, false);
    assert.equal(r.state.chargingStartedAtS, 0);
    assert.equal(r.state.currentVIN, "");
    assert.equal(r.state.lastVIN, VALID);
    const close = r.effects.find((e) => e.type === "session");
    assert.ok(close?.type === "session" && close.event.op === "close");
    assert.equal(close.event.op === "close" && close.event.reason, "stopped");
    assert.equal(close.event.op === "close" && close.event.vin, VALID);
  });

  void it("numCarsCharging counts charging slaves and keeps unchanged objects", () => {
    const idle = slave();
    const other = { ...slave({ reportedAmpsActual: 10 }), id: twcId(0x4142) };
    const r = numCarsCharging([idle, other], T0, NONE);
    assert.equal(r.count, 1);
    assert.equal(r.slaves[0], idle);
    const again = numCarsCharging(r.slaves, T0 + 1000, NONE);
    assert.equal(again.slaves, r.slaves, "nothing changed → same array");
  });

  void it("updates settings.Vehicles totals when a session with a known VIN ends", () => {
    const settings = settingsOf({ Vehicles: { [VALID]: { chargeSessions: 3, startkWh: 100, totalkWh: 40 } }, Other: 1 });
    const s = { ...slave({ isCharging: true, currentVIN: VALID, lifetimeKWh: 112, lifetimeKnown: true }) };
    const r = closeSession(s, "linkLost", T0, settings);
    assert.deepEqual(patches(r.effects), [
      { Vehicles: { [VALID]: { chargeSessions: 3, startkWh: 0, totalkWh: 52 } } },
    ]);
    assert.equal(
      closeSession(slave(), "shutdown", T0, settings).effects.length,
      0,
      "no session, nothing to close",
    );
  });
});

void describe("VIN retrieval", () => {
  void it("assembles the parts, querying the next part right after parts 0 and 1", () => {
    let s = charging().state;
    let r = handleVinReport(s, 0, vinPartData(VALID, 0), T0 + 100, NONE);
    assert.deepEqual(vinRequests(r.effects), [1]);
    s = r.state;
    r = handleVinReport(s, 1, vinPartData(VALID, 1), T0 + 200, NONE);
    assert.deepEqual(vinRequests(r.effects), [2]);
    r = handleVinReport(r.state, 2, vinPartData(VALID, 2), T0 + 300, settingsOf({
      SlaveTWCs: { "4142": { supportsVINQuery: 1 } },
    }));
    assert.equal(r.state.currentVIN, VALID);
    assert.deepEqual(vinRequests(r.effects), []);
    assert.deepEqual(sessions(r.effects), ["vin"]);
    assert.deepEqual(patches(r.effects), [
      {
        SlaveTWCs: { "4142": { supportsVINQuery: 1 }, "1234": { supportsVINQuery: 1 } },
        Vehicles: { [VALID]: { chargeSessions: 1, startkWh: 100, totalkWh: 0 } },
      },
    ]);
    // No more queries once a VIN is known.
    assert.deepEqual(vinRetry(r.state, T0 + 120_000).effects, []);
  });

  void it("counts sessions of a known vehicle", () => {
    const settings = settingsOf({ Vehicles: { [VALID]: { chargeSessions: 2, startkWh: 0, totalkWh: 30 } } });
    const r = answerVin(charging().state, VALID, T0 + 100, settings);
    const p = patches(r.effects)[0] as { Vehicles: Record<string, unknown> };
    assert.deepEqual(p.Vehicles[VALID], { chargeSessions: 3, startkWh: 100, totalkWh: 30 });
  });

  void it("an invalid VIN restarts from part 0, at most 5 attempts per session", () => {
    let s = charging().state;
    const parts: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = answerVin(s, INVALID, T0 + 1000 * (i + 1));
      s = r.state;
      parts.push(...vinRequests(r.effects));
    }
    // Attempts 2–5 restart from part 0; the 5th invalid answer gives up.
    assert.deepEqual(parts.filter((p) => p === 0).length, VIN_MAX_ATTEMPTS - 1);
    assert.equal(s.vinQueryAttempt, VIN_MAX_ATTEMPTS);
    assert.equal(s.currentVIN, "");
    assert.deepEqual(vinRetry(s, T0 + 600_000).effects, [], "no retries after giving up");
  });

  void it("a non-printable part counts as invalid", () => {
    const s = charging().state;
    const r = handleVinReport(s, 0, new Uint8Array([0x35, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0]), T0 + 100, NONE);
    assert.deepEqual(vinRequests(r.effects), [0]);
    assert.equal(r.state.vinQueryAttempt, 2);
  });

  void it("an all-zero VIN (non-Tesla car) stops querying for this session", () => {
    const r = answerVin(charging().state, "", T0 + 100);
    assert.equal(r.state.currentVIN, "");
    assert.deepEqual(vinRequests(r.effects), [1, 2], "parts 1 and 2 asked, no restart");
    assert.equal(r.state.vinQueryAttempt, 1);
    assert.deepEqual(vinRetry(r.state, T0 + 600_000).effects, []);
  });

  void it("retries from part 0 every 60 s while unanswered, at most 5 attempts", () => {
    let s = charging().state;
    const retries: number[] = [];
    for (let sec = 1; sec <= 400; sec++) {
      const r = vinRetry(s, T0 + sec * 1000);
      s = r.state;
      if (vinRequests(r.effects).length > 0) retries.push(sec);
    }
    assert.deepEqual(retries, [60, 120, 180, 240]);
    assert.equal(s.vinQueryAttempt, VIN_MAX_ATTEMPTS);
  });

  void it("ignores VIN reports while not charging", () => {
    const s = slave();
    const r = handleVinReport(s, 0, vinPartData(VALID, 0), T0, NONE);
    assert.equal(r.state, s);
    assert.deepEqual(r.effects, []);
  });
});

void describe("entitlement", () => {
  const groups = (allow: string[], deny: string[]): Readonly<Settings> =>
    settingsOf({
      VehicleGroups: { "Allow Charging": { Members: allow }, "Deny Charging": { Members: deny } },
    });

  void it("mode 1 denies members of Deny Charging; mode 2 allows only members of Allow Charging", () => {
    assert.equal(isEntitled(VALID, groups([], [])), true);
    assert.equal(isEntitled(VALID, groups([], [VALID])), false);
    assert.equal(isEntitled(VALID, { ...groups([], []), chargeAuthorizationMode: 2 }), false);
    assert.equal(isEntitled(VALID, { ...groups([VALID], []), chargeAuthorizationMode: 2 }), true);
    assert.equal(isEntitled("", settingsOf({ chargeAuthorizationMode: 2 })), true, "no VIN → allowed");
  });

  void it("a denied VIN queues FC B2 to that slave only", () => {
    const r = answerVin(charging().state, VALID, T0 + 100, groups([], [VALID]));
    const stops = r.effects.filter(
      (e) => e.type === "queue" && e.item.kind === "frame" && e.item.frame.kind === "stopCharging",
    );
    assert.equal(stops.length, 1);
    const stop = stops[0];
    assert.ok(
      stop?.type === "queue" && stop.item.kind === "frame" && stop.item.frame.kind === "stopCharging",
    );
    assert.equal(stop.item.frame.receiver, ID);
    assert.equal(stop.priority, 3);
    assert.equal(stop.dedupKey, "stop:1234");
    const allowed = answerVin(charging().state, VALID, T0 + 100, groups([], []));
    assert.ok(!allowed.effects.some((e) => e.type === "queue" && e.priority === 3));
  });
});
