/**
 * Start/stop mode 1 with a vehicle module (controller.md §12, vehicles.md §3.1): the stop and start
 * requests for this slave's car (with its VIN), at most once per 60 s; the 10 s stop timeout and the
 * limit override; "stop asking to start" cleared while a slave draws; modes 2 and 3 never call the car;
 * without a module, mode 1 only warns (STOP_NOT_POSSIBLE).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { twcId } from "../protocol/frames.ts";
import type { Effect } from "./effects.ts";
import { createSlaveState } from "./slave-state.ts";
import type { SlaveState } from "./slave-state.ts";
import { beforeHeartbeat, STOP_TIMEOUT_S } from "./start-stop.ts";
import type { StartStopContext, StartStopStep } from "./start-stop.ts";
import type { VehicleRequest } from "./vehicle-requests.ts";

const NOW = 1_700_000_000;
const VIN = "5YJ3E1EA7KF000001";

function slave(over: Partial<SlaveState> = {}): SlaveState {
  const s = createSlaveState(twcId(0x4142), 32, { wiringMaxAmpsPerTWC: 32, useFlexAmpsToStartCharge: false, startStopDelayS: 60 }, (NOW - 1000) * 1000);
  return { ...s, protocolVersion: 2, currentVIN: VIN, ...over };
}

/** Offered 0 A two minutes ago, the car still draws 6 A. */
const stillDrawing = (over: Partial<SlaveState> = {}): SlaveState =>
  slave({ lastAmpsOffered: 0, reportedAmpsActual: 6, reportedState: 1, ampsOfferedChangedAtS: NOW - 120, ampsMonitorChangedAtS: NOW - 120, ...over });
/** Offered 16 A, the car draws nothing. */
const idleWithOffer = (over: Partial<SlaveState> = {}): SlaveState =>
  slave({ lastAmpsOffered: 16, reportedAmpsMax: 16, reportedAmpsActual: 0.2, reportedState: 3, ...over });

function ctx(over: Partial<StartStopContext> = {}): StartStopContext {
  return { nowS: NOW, chargeStopMode: 1, respondToSlaves: 1, respondToSlavesExpiryAtS: 0, minAmpsPerTWC: 6, hasVehicleModule: true, ...over };
}

const vehicle = (r: StartStopStep): VehicleRequest[] => r.effects.flatMap((e) => (e.type === "vehicle" ? [e.request] : []));
const frames = (r: StartStopStep): string[] => r.effects.flatMap((e) => (e.type === "queue" && e.item.kind === "frame" ? [e.item.frame.kind] : []));
const raised = (r: StartStopStep): string[] => r.effects.flatMap((e: Effect) => (e.type === "alert" && e.op === "raise" ? [e.code] : []));

void describe("mode 1 stop through the car", () => {
  void it("asks the car at this slave to stop (with its VIN), clears STOP_NOT_POSSIBLE, sends no FC B2", () => {
    const r = beforeHeartbeat(stillDrawing(), ctx());
    assert.deepEqual(vehicle(r), [{ op: "charge", start: false, twcId: twcId(0x4142), vin: VIN }]);
    assert.deepEqual(frames(r), []);
    assert.deepEqual(raised(r), []);
    assert.ok(r.effects.some((e) => e.type === "alert" && e.op === "clear" && e.code === "STOP_NOT_POSSIBLE"));
    assert.equal(r.send, true);
  });

  void it("a slave without a VIN asks with vin null (the backend's rule applies)", () => {
    const r = beforeHeartbeat(stillDrawing({ currentVIN: "" }), ctx());
    assert.deepEqual(vehicle(r), [{ op: "charge", start: false, twcId: twcId(0x4142), vin: null }]);
  });

  void it("not before 60 s after the offer changed nor startStopDelay after the current changed", () => {
    assert.deepEqual(vehicle(beforeHeartbeat(stillDrawing({ ampsOfferedChangedAtS: NOW - 30 }), ctx())), []);
    assert.deepEqual(vehicle(beforeHeartbeat(stillDrawing({ ampsMonitorChangedAtS: NOW - 30 }), ctx())), []);
  });

  void it("at most once per 60 s; the 10 s stop timeout then sets the limit override on every later call", () => {
    let s = stillDrawing();
    let timeout: number | null = null;
    const ops: string[][] = [];
    for (let t = 0; t <= 70; t++) {
      const r = beforeHeartbeat(s, ctx({ nowS: NOW + t, stopTimeoutAtS: timeout }));
      s = r.state;
      timeout = r.stopTimeoutAtS;
      if (t === 0) assert.equal(timeout, NOW + STOP_TIMEOUT_S, "armed at the first call");
      ops.push(vehicle(r).map((v) => (v.op === "charge" ? `charge:${String(v.start)}` : v.op)));
    }
    const at = (op: string): number[] => ops.flatMap((o, t) => (o.includes(op) ? [t] : []));
    assert.deepEqual(at("charge:false"), [0, 60]);
    assert.equal(at("limitOverride")[0], STOP_TIMEOUT_S);
    assert.deepEqual(at("limitOverride"), Array.from({ length: 71 - STOP_TIMEOUT_S }, (_, i) => i + STOP_TIMEOUT_S));
  });

  void it("without a vehicle module: no car request, STOP_NOT_POSSIBLE raised (the behaviour before issue 14)", () => {
    const r = beforeHeartbeat(stillDrawing(), ctx({ hasVehicleModule: false }));
    assert.deepEqual(vehicle(r), []);
    assert.deepEqual(raised(r), ["STOP_NOT_POSSIBLE"]);
    assert.equal(r.stopTimeoutAtS, null, "no stop timeout without a module");
  });
});

void describe("mode 1 start through the car", () => {
  void it("asks the car to start (with its VIN), at most once per 60 s", () => {
    const r1 = beforeHeartbeat(idleWithOffer(), ctx());
    assert.deepEqual(vehicle(r1), [{ op: "charge", start: true, twcId: twcId(0x4142), vin: VIN }]);
    assert.deepEqual(frames(r1), []);
    const r2 = beforeHeartbeat(r1.state, ctx({ nowS: NOW + 59 }));
    assert.deepEqual(vehicle(r2), []);
    const r3 = beforeHeartbeat(r2.state, ctx({ nowS: NOW + 60 }));
    assert.equal(vehicle(r3).length, 1);
  });

  void it("after the session ended (current VIN cleared) the start names the last VIN; with neither, vin null", () => {
    assert.deepEqual(vehicle(beforeHeartbeat(idleWithOffer({ currentVIN: "", lastVIN: VIN }), ctx())), [{ op: "charge", start: true, twcId: twcId(0x4142), vin: VIN }]);
    assert.deepEqual(vehicle(beforeHeartbeat(idleWithOffer({ currentVIN: "", lastVIN: "" }), ctx())), [{ op: "charge", start: true, twcId: twcId(0x4142), vin: null }]);
  });

  void it("never for a slave in error state (02), an offer below minAmpsPerTWC, or without a module", () => {
    assert.deepEqual(vehicle(beforeHeartbeat(idleWithOffer({ reportedState: 0x02 }), ctx())), []);
    assert.deepEqual(vehicle(beforeHeartbeat(idleWithOffer({ lastAmpsOffered: 5 }), ctx())), []);
    assert.deepEqual(vehicle(beforeHeartbeat(idleWithOffer(), ctx({ hasVehicleModule: false }))), []);
  });

  void it("a slave drawing ≥ 1 A clears 'stop asking to start' (every car), only with a module", () => {
    const drawing = slave({ lastAmpsOffered: 16, reportedAmpsActual: 12, reportedState: 1 });
    assert.deepEqual(vehicle(beforeHeartbeat(drawing, ctx())), [{ op: "clearStopAsking" }]);
    assert.deepEqual(vehicle(beforeHeartbeat(drawing, ctx({ hasVehicleModule: false }))), []);
  });
});

void describe("modes 2 and 3 never call the car", () => {
  for (const mode of [2, 3] as const) {
    void it(`mode ${mode}`, () => {
      const stop = beforeHeartbeat(stillDrawing({ stoppedByUs: false }), ctx({ chargeStopMode: mode }));
      assert.deepEqual(vehicle(stop), []);
      const start = beforeHeartbeat(idleWithOffer({ stoppedByUs: true }), ctx({ chargeStopMode: mode, nowS: NOW + 120 }));
      assert.deepEqual(vehicle(start), []);
      if (mode === 3) {
        assert.deepEqual(frames(stop), ["stopCharging"]);
        assert.deepEqual(frames(start), ["startCharging"]);
      }
    });
  }
});
