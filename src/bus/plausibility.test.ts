/**
 * Issue "the bus", item 8: absurd readings are not believed. Pure limits (plausibility.ts) and their use
 * by the link state machine (registry.ts): a refused field keeps its last plausible value, is counted
 * and raises IMPLAUSIBLE_READING naming the charger, the field and the value.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MASTER_ID, twcId } from "../protocol/frames.ts";
import type { Frame, TwcId } from "../protocol/frames.ts";
import type { Effect } from "./effects.ts";
import { transition } from "./link.ts";
import { createLinkState, findSlave } from "./registry.ts";
import type { LinkConfig, LinkState } from "./registry.ts";
import {
  ampsLimit,
  checkLifetimeKwh,
  maxKwhIncrease,
  NO_KWH_TRACK,
  plausibleAmps,
  plausibleVolts,
  type KwhTrack,
} from "./plausibility.ts";

const T0 = 1_000_000;
const A = twcId(0x4142);
const config: LinkConfig = {
  mode: "master",
  slaveTimeoutS: 26,
  defaults: { wiringMaxAmpsPerTWC: 32, useFlexAmpsToStartCharge: false, startStopDelayS: 60 },
};

const linkReady = (rated: number): Frame => ({
  kind: "slaveLinkReady",
  sender: A,
  sign: 0x77,
  ratedCentiAmps: rated * 100,
  length: 16,
});
const hb = (max: number, actual: number): Frame => ({
  kind: "slaveHeartbeat",
  sender: A,
  receiver: MASTER_ID,
  status: { state: 1, reportedMaxCentiAmps: max * 100, reportedActualCentiAmps: actual * 100, length: 9 },
});
const kwh = (lifetimeKWh: number, volts: [number, number, number]): Frame => ({
  kind: "kwhReport",
  sender: A,
  lifetimeKWh,
  volts,
});

function feed(state: LinkState, frames: Frame[], now: number): { state: LinkState; effects: Effect[] } {
  const effects: Effect[] = [];
  let s = state;
  for (const frame of frames) {
    const r = transition(s, { type: "frame", frame }, now);
    s = r.state;
    effects.push(...r.effects);
  }
  return { state: s, effects };
}

const alertOf = (
  effects: Effect[],
  id: TwcId = A,
): Extract<Effect, { type: "alert"; op: "raise" }> | undefined =>
  effects.findLast(
    (e): e is Extract<Effect, { type: "alert"; op: "raise" }> =>
      e.type === "alert" && e.op === "raise" && e.code === "IMPLAUSIBLE_READING" && e.twcId === id,
  );

void describe("plausibility limits", () => {
  void it("currents: at most min(rating, 80 A) + 5 A", () => {
    assert.equal(ampsLimit({ maxAmps: 32 }), 37);
    assert.equal(ampsLimit({ maxAmps: 80 }), 85);
    assert.equal(ampsLimit({ maxAmps: 655.35 }), 85, "an absurd rating does not widen the limit");
    assert.equal(plausibleAmps({ maxAmps: 32 }, 31.5), true);
    assert.equal(plausibleAmps({ maxAmps: 32 }, 255), false);
    assert.equal(plausibleAmps({ maxAmps: 80 }, 655.35), false);
    assert.equal(plausibleAmps({ maxAmps: 80 }, Number.NaN), false);
  });

  void it("voltages: each phase 0 (not measured) or 80 … 300 V", () => {
    assert.equal(plausibleVolts([240, 0, 0]), true);
    assert.equal(plausibleVolts([230, 241, 232]), true);
    assert.equal(plausibleVolts([65535, 0, 0]), false);
    assert.equal(plausibleVolts([65535, 65535, 65535]), false);
    assert.equal(plausibleVolts([230, 12, 0]), false);
  });

  void it("lifetime kWh: bounded, never backwards, rising at most what the unit can deliver", () => {
    const known = { maxAmps: 32, lifetimeKWh: 100, lifetimeKnown: true };
    const track: KwhTrack = { atMs: T0, candidate: null };
    const hour = 3_600_000;
    assert.equal(
      checkLifetimeKwh({ ...known, lifetimeKnown: false }, 4_294_967_295, NO_KWH_TRACK, T0).accept,
      false,
    );
    assert.equal(checkLifetimeKwh({ ...known, lifetimeKnown: false }, 56, NO_KWH_TRACK, T0).accept, true);
    assert.equal(checkLifetimeKwh(known, 101, track, T0 + 60_000).accept, true);
    assert.equal(checkLifetimeKwh(known, 99, track, T0 + 60_000).accept, false);
    // 37 A × 300 V × 3 phases for one hour = 33.3 kWh (+ 1 kWh rounding)
    assert.equal(Math.floor(maxKwhIncrease(known, hour)), 34);
    assert.equal(checkLifetimeKwh(known, 134, track, T0 + hour).accept, true);
    assert.equal(checkLifetimeKwh(known, 200, track, T0 + hour).accept, false);
  });

  void it("three consistent reports against a contradicting baseline become the new baseline", () => {
    let slave = { maxAmps: 80, lifetimeKWh: 900_000, lifetimeKnown: true };
    let track: KwhTrack = { atMs: T0, candidate: null };
    const verdicts: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const v = checkLifetimeKwh(slave, 56, track, T0 + (i + 1) * 60_000);
      verdicts.push(v.accept);
      track = v.track;
      if (v.accept) slave = { ...slave, lifetimeKWh: 56 };
    }
    assert.deepEqual(verdicts, [false, false, true]);
    assert.equal(checkLifetimeKwh(slave, 57, track, T0 + 5 * 60_000).accept, true);
  });
});

void describe("implausible readings in the link state machine", () => {
  const linked = (rated: number): LinkState =>
    feed(createLinkState(config, T0), [linkReady(rated), hb(32, 20.5), kwh(56, [240, 0, 0])], T0).state;

  void it("255 A drawn on a 32 A unit is not used, counted and alerted with the value", () => {
    const r = feed(linked(32), [hb(32, 255)], T0 + 1000);
    const slave = findSlave(r.state, A);
    assert.equal(slave?.reportedAmpsActual, 20.5, "the last plausible draw stays");
    assert.equal(slave?.lastRxAtMs, T0 + 1000, "the heartbeat itself still counts as alive");
    assert.equal(r.state.implausible.ampsActual, 1);
    const alert = alertOf(r.effects);
    assert.ok(alert, "IMPLAUSIBLE_READING raised for 4142");
    assert.match(alert.message, /TWC 4142/);
    assert.match(alert.message, /ampsActual 255 A/);
  });

  void it("65535 V on all phases neither changes the voltage nor lowers the minimum to 1 A", () => {
    const before = findSlave(linked(80), A);
    assert.equal(before?.minAmpsTWCSupports, 6);
    const r = feed(linked(80), [kwh(57, [65535, 65535, 65535])], T0 + 60_000);
    const slave = findSlave(r.state, A);
    assert.equal(slave?.minAmpsTWCSupports, 6, "no three-phase minimum from a bogus voltage");
    assert.deepEqual([slave?.voltsPhaseA, slave?.voltsPhaseB, slave?.voltsPhaseC], [240, 0, 0]);
    assert.equal(slave?.lifetimeKWh, 57, "the plausible kWh of the same report is used");
    assert.equal(r.state.implausible.voltage, 1);
    assert.match(alertOf(r.effects)?.message ?? "", /voltage 65535\/65535\/65535 V/);
  });

  void it("a real three-phase report still gives the three-phase minimum (S-16)", () => {
    const r = feed(linked(80), [kwh(57, [230, 241, 232])], T0 + 60_000);
    assert.equal(findSlave(r.state, A)?.minAmpsTWCSupports, 1);
    assert.equal(alertOf(r.effects), undefined);
  });

  void it("4 294 967 295 kWh is not stored; the alert lists every refused field", () => {
    const r = feed(linked(32), [hb(32, 255), kwh(4_294_967_295, [240, 0, 0])], T0 + 60_000);
    const slave = findSlave(r.state, A);
    assert.equal(slave?.lifetimeKWh, 56);
    assert.equal(r.state.implausible.lifetimeKWh, 1);
    const message = alertOf(r.effects)?.message ?? "";
    assert.match(message, /ampsActual 255 A/);
    assert.match(message, /lifetimeKWh 4294967295 kWh/);
  });

  void it("the alert clears 60 s after the last implausible reading, and with the slave", () => {
    let s = feed(linked(32), [hb(32, 255)], T0 + 1000).state;
    let r = transition(s, { type: "housekeeping" }, T0 + 50_000);
    assert.equal(
      r.effects.some((e) => e.type === "alert" && e.code === "IMPLAUSIBLE_READING"),
      false,
    );
    r = transition(r.state, { type: "housekeeping" }, T0 + 62_000);
    assert.ok(
      r.effects.some((e) => e.type === "alert" && e.op === "clear" && e.code === "IMPLAUSIBLE_READING"),
    );
    assert.deepEqual(r.state.implausibleSeen, {});
    s = r.state;
    assert.equal(s.implausible.ampsActual, 1, "the counter is monotonic");
  });
});
