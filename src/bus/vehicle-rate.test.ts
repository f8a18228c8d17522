/**
 * The car-side charge rate of one slave (controller.md §6 D2/D3.1, §11; vehicles.md §3.2): the §11
 * repeat rule (first call ≥ 45 s after start, ≥ 15 s between calls, the same value repeated only every
 * tenth skipped heartbeat), D2's whole amps, D3.1's one raise to the wiring limit that only a real
 * success marks done.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { twcId } from "../protocol/frames.ts";
import type { Effect } from "./effects.ts";
import { initialRateState, raiseAnswered, rateStep, repeatRule } from "./vehicle-rate.ts";
import type { RateRequest, VehicleRateState } from "./vehicle-rate.ts";

const T0 = 1_700_000_000;
const ID = twcId(0x4142);
const VIN = "5YJ3E1EA7KF000001";

/** The setChargeRate requests among the effects. */
function rates(effects: readonly Effect[]): { amps: number; purpose: string; vin: string | null }[] {
  return effects.flatMap((e) =>
    e.type === "vehicle" && e.request.op === "setChargeRate" ? [{ amps: e.request.amps, purpose: e.request.purpose, vin: e.request.vin }] : [],
  );
}

/** Heartbeats once a second from `fromS` to `toS` (exclusive) with the same request; the seconds (after T0) of the calls. */
function beats(s0: VehicleRateState, req: RateRequest, fromS: number, toS: number): { calls: number[]; amps: number[]; state: VehicleRateState } {
  let s = s0;
  const calls: number[] = [];
  const amps: number[] = [];
  for (let t = fromS; t < toS; t++) {
    const r = rateStep(s, req, ID, VIN, T0 + t);
    s = r.state;
    for (const x of rates(r.effects)) {
      calls.push(t);
      amps.push(x.amps);
    }
  }
  return { calls, amps, state: s };
}

void describe("§11 repeat rule", () => {
  void it("the first call is no earlier than 45 s after start; the same value then every 21 heartbeats (15 s apart, repeat mod 10)", () => {
    const r = beats(initialRateState(T0), { mode: "api", amps: 10 }, 0, 100);
    assert.deepEqual(r.calls, [45, 66, 87]);
    assert.deepEqual(r.amps, [10, 10, 10]);
  });

  void it("a new value is sent at once when 15 s passed, else at the first heartbeat 15 s after the last call", () => {
    const first = beats(initialRateState(T0), { mode: "api", amps: 10 }, 0, 50);
    assert.deepEqual(first.calls, [45]);
    const later = beats(first.state, { mode: "api", amps: 12 }, 50, 70);
    assert.deepEqual(later.calls, [60], "15 s after the call at 45");
    assert.deepEqual(later.amps, [12]);
    const again = beats(later.state, { mode: "api", amps: 8 }, 80, 81);
    assert.deepEqual(again.calls, [80], "≥ 15 s since the last call: a changed value goes out at once");
  });

  void it("never more than one call per 15 s, whatever the values do", () => {
    let s = initialRateState(T0);
    const calls: number[] = [];
    for (let t = 0; t < 600; t++) {
      const r = repeatRule(s, 6 + (t % 7), T0 + t);
      s = r.state;
      if (r.call) calls.push(t);
    }
    assert.ok(calls.length > 10);
    assert.ok(calls[0]! >= 45);
    for (let i = 1; i < calls.length; i++) assert.ok(calls[i]! - calls[i - 1]! >= 15, `${calls[i - 1]} → ${calls[i]}`);
  });

  void it("a clock that jumped back does not block the calls for long", () => {
    const s: VehicleRateState = { ...initialRateState(T0), lastRequestAtS: T0 + 10_000, lastValue: 9 };
    assert.equal(repeatRule(s, 10, T0 + 100).call, true);
  });
});

void describe("D2: the car limits the draw", () => {
  void it("sends trunc(amps) for this slave's car and marks the car's limit 'not raised'", () => {
    const s = { ...initialRateState(T0), raised: true };
    const r = rateStep(s, { mode: "api", amps: 13.9 }, ID, VIN, T0 + 100);
    assert.deepEqual(rates(r.effects), [{ amps: 13, purpose: "limit", vin: VIN }]);
    assert.equal(r.state.raised, false);
  });

  void it("nothing below 1 A or for a non-number, and no request at all without a rate decision", () => {
    for (const amps of [0.5, Number.NaN, -3, Number.POSITIVE_INFINITY]) {
      assert.deepEqual(rates(rateStep(initialRateState(T0), { mode: "api", amps }, ID, VIN, T0 + 100).effects), [], String(amps));
    }
    const s = initialRateState(T0);
    const r = rateStep(s, null, ID, VIN, T0 + 100);
    assert.deepEqual(r.effects, []);
    assert.equal(r.state, s);
  });
});

void describe("D3.1: raise the car's own limit to the wiring limit", () => {
  void it("asks once; a failed answer is retried 60 s later; a success ends it", () => {
    const req: RateRequest = { mode: "twc", wiringMaxAmps: 32 };
    let r = beats(initialRateState(T0), req, 0, 100);
    assert.deepEqual(r.calls, [45]);
    assert.deepEqual(r.amps, [32]);
    let s = raiseAnswered(r.state, false);
    assert.equal(s.raised, false, "a failure does not mark it raised");
    r = beats(s, req, 100, 200);
    assert.deepEqual(r.calls, [105, 165], "every 60 s while not raised");
    s = raiseAnswered(r.state, true);
    assert.equal(s.raised, true);
    assert.deepEqual(beats(s, req, 200, 400).calls, [], "raised: never asked again");
  });

  void it("entering D2 again makes the next D3 raise it again", () => {
    let s = raiseAnswered({ ...initialRateState(T0), lastRaiseAttemptAtS: T0 }, true);
    s = rateStep(s, { mode: "api", amps: 10 }, ID, VIN, T0 + 100).state;
    const r = rateStep(s, { mode: "twc", wiringMaxAmps: 40 }, ID, null, T0 + 200);
    assert.deepEqual(rates(r.effects), [{ amps: 40, purpose: "raise", vin: null }]);
  });
});
