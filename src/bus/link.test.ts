import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MASTER_ID, twcId } from "../protocol/frames.ts";
import type { Frame, TwcId } from "../protocol/frames.ts";
import type { Effect } from "./effects.ts";
import { nextTurn, transition } from "./link.ts";
import { createLinkState, findSlave, MAX_SLAVES } from "./registry.ts";
import type { LinkConfig, LinkState } from "./registry.ts";

const T0 = 1_000_000;
const config: LinkConfig = {
  mode: "master",
  slaveTimeoutS: 26,
  defaults: { wiringMaxAmpsPerTWC: 32, useFlexAmpsToStartCharge: false, startStopDelayS: 60 },
};
const A = twcId(0x1234);
const B = twcId(0x4142);
const C = twcId(0x5678);
const D = twcId(0x9abc);

function linkReady(sender: TwcId, ratedAmps = 80, length: 14 | 16 | 20 = 16): Frame {
  return { kind: "slaveLinkReady", sender, sign: 0x56, ratedCentiAmps: ratedAmps * 100, length };
}
function slaveHb(sender: TwcId, max: number, actual: number, state = 0, receiver: TwcId = MASTER_ID): Frame {
  return {
    kind: "slaveHeartbeat",
    sender,
    receiver,
    status: { state, reportedMaxCentiAmps: max * 100, reportedActualCentiAmps: actual * 100, length: 9 },
  };
}

/** Feeds frames in order; returns the final state and all effects. */
function feed(state: LinkState, frames: Frame[], now = T0): { state: LinkState; effects: Effect[] } {
  const effects: Effect[] = [];
  let s = state;
  for (const frame of frames) {
    const r = transition(s, { type: "frame", frame }, now);
    s = r.state;
    effects.push(...r.effects);
  }
  return { state: s, effects };
}
const fresh = (c: LinkConfig = config): LinkState => createLinkState(c, T0);
const ids = (s: LinkState): number[] => s.slaves.map((x) => x.id);
const has = (effects: Effect[], pred: (e: Effect) => boolean): boolean => effects.some(pred);

void describe("link: protocol detection (twc-protocol §14.2)", () => {
  void it("1. a 14-byte linkready → v1, minimum 5 A", () => {
    const s = feed(fresh(), [linkReady(A, 80, 14)]).state;
    assert.equal(findSlave(s, A)?.protocolVersion, 1);
    assert.equal(findSlave(s, A)?.minAmpsTWCSupports, 5);
  });

  void it("2. a 16-byte linkready → v2, minimum 6 A", () => {
    const s = feed(fresh(), [linkReady(A, 80, 16)]).state;
    assert.equal(findSlave(s, A)?.protocolVersion, 2);
    assert.equal(findSlave(s, A)?.minAmpsTWCSupports, 6);
  });

  void it("3. a 20-byte linkready → v1, minimum 6 A; only the first linkready decides", () => {
    const s = feed(fresh(), [linkReady(A, 80, 20)]).state;
    assert.equal(findSlave(s, A)?.protocolVersion, 1);
    assert.equal(findSlave(s, A)?.minAmpsTWCSupports, 6);
    const s2 = feed(fresh(), [linkReady(A, 80, 14), linkReady(A, 80, 16)]).state;
    assert.equal(findSlave(s2, A)?.protocolVersion, 1, "the v1 record is not re-detected");
    assert.equal(findSlave(s2, A)?.minAmpsTWCSupports, 5);
  });

  void it("4. spike amps 21 for ≥ 80 A, 16 below; the last linkready wins", () => {
    let s = feed(fresh(), [linkReady(A, 80)]).state;
    assert.equal(s.spikeAmps, 21);
    s = feed(s, [linkReady(B, 32)]).state;
    assert.equal(s.spikeAmps, 16);
    s = feed(s, [linkReady(A, 80)]).state;
    assert.equal(s.spikeAmps, 21);
  });

  void it("5. a slave linkready with our ID starts a burst and creates no record", () => {
    const r = feed(fresh(), [linkReady(MASTER_ID)]);
    assert.equal(r.state.slaves.length, 0);
    assert.ok(has(r.effects, (e) => e.type === "burst"));
    assert.ok(!has(r.effects, (e) => e.type === "queue"));
  });

  void it("6. a three-phase kWh report lowers only the sender's minimum to 1 A", () => {
    let s = feed(fresh(), [linkReady(A), linkReady(B)]).state;
    s = feed(s, [{ kind: "kwhReport", sender: A, lifetimeKWh: 56, volts: [230, 241, 232] }], T0 + 5000).state;
    assert.equal(findSlave(s, A)?.minAmpsTWCSupports, 1);
    assert.equal(findSlave(s, A)?.lifetimeKWh, 56);
    assert.equal(findSlave(s, A)?.lifetimeKnown, true);
    assert.equal(findSlave(s, B)?.minAmpsTWCSupports, 6, "Y is unaffected");
    assert.equal(s.lastKwhReportAtMs, T0 + 5000);
    s = feed(s, [{ kind: "kwhReport", sender: B, lifetimeKWh: 20, volts: [246, 0, 0] }]).state;
    assert.equal(findSlave(s, B)?.minAmpsTWCSupports, 6, "single phase keeps the minimum");
  });

  void it("7. a 4th slave drops the oldest and raises TOO_MANY_SLAVES", () => {
    const r = feed(fresh(), [linkReady(A), linkReady(B), linkReady(C), linkReady(D)]);
    assert.equal(MAX_SLAVES, 3);
    assert.deepEqual(ids(r.state), [B, C, D]);
    assert.ok(has(r.effects, (e) => e.type === "slaveRemoved" && e.slave.id === A && e.reason === "tooMany"));
    assert.ok(has(r.effects, (e) => e.type === "alert" && e.op === "raise" && e.code === "TOO_MANY_SLAVES"));
  });

  void it("8. a slave silent for 26 s is removed at its turn and the next slave takes the same slot", () => {
    let s = feed(fresh(), [linkReady(A), linkReady(B)]).state;
    const turns: string[] = [];
    const removed: Effect[] = [];
    // One turn per second; B answers every heartbeat, A stays silent after its linkready at T0.
    for (let sec = 1; sec <= 30; sec++) {
      const t = nextTurn(s, T0 + sec * 1000);
      s = t.state;
      removed.push(...t.effects.filter((e) => e.type === "slaveRemoved"));
      turns.push(`${sec}:${t.slave?.id === A ? "A" : "B"}`);
      if (t.slave?.id === B) s = feed(s, [slaveHb(B, 0, 0)], T0 + sec * 1000 + 30).state;
    }
    assert.ok(turns.includes("25:A"), "A still has its turn at 25 s");
    assert.deepEqual(turns.slice(24, 30), ["25:A", "26:B", "27:B", "28:B", "29:B", "30:B"]);
    assert.deepEqual(ids(s), [B]);
    assert.equal(removed.length, 1);
    const r = removed[0];
    assert.ok(r?.type === "slaveRemoved" && r.slave.id === A && r.reason === "timeout");
  });
});

void describe("link: linkready and heartbeats", () => {
  void it("queues an immediate P1 heartbeat and records the link time", () => {
    const r = feed(fresh(), [linkReady(A)]);
    const q = r.effects.find((e) => e.type === "queue");
    assert.deepEqual(q, {
      type: "queue",
      priority: 1,
      dedupKey: "hb-now:1234",
      item: { kind: "heartbeat", twcId: A },
    });
    assert.equal(findSlave(r.state, A)?.lastRxAtMs, T0);
    assert.equal(findSlave(r.state, A)?.maxAmps, 80);
  });

  void it("S-2: wiring above the rating → DANGER, alert and a cut to rating/4", () => {
    const r = feed(fresh({ ...config, defaults: { ...config.defaults, wiringMaxAmpsPerTWC: 40 } }), [
      linkReady(A, 32),
    ]);
    assert.equal(findSlave(r.state, A)?.wiringMaxAmps, 8);
    assert.ok(has(r.effects, (e) => e.type === "log" && e.level === "error" && e.message.includes("DANGER")));
    assert.ok(
      has(r.effects, (e) => e.type === "alert" && e.op === "raise" && e.code === "WIRING_ABOVE_RATING"),
    );
    const ok = feed(fresh(), [linkReady(B, 80)]);
    assert.equal(findSlave(ok.state, B)?.wiringMaxAmps, 32);
    assert.ok(!has(ok.effects, (e) => e.type === "alert"));
  });

  void it("stores heartbeats of known slaves addressed to us and requests a kWh poll", () => {
    let s = feed(fresh(), [linkReady(A)]).state;
    const r = feed(s, [slaveHb(A, 32, 31.5, 1)], T0 + 1500);
    s = r.state;
    const a = findSlave(s, A)!;
    assert.equal(a.reportedAmpsMax, 32);
    assert.equal(a.reportedAmpsActual, 31.5);
    assert.equal(a.reportedState, 1);
    assert.equal(a.lastAmpsOffered, 32, "initialised from the first reported max");
    assert.equal(a.lastRxAtMs, T0 + 1500);
    assert.equal(a.lastHeartbeatAtMs, T0 + 1500);
    assert.equal(a.ampsMonitor, 31.5);
    assert.equal(a.drawing, true);
    assert.ok(has(r.effects, (e) => e.type === "kwhPoll"));
    assert.ok(has(r.effects, (e) => e.type === "drawing" && e.drawing));
  });

  void it("ignores heartbeats from unknown slaves or addressed to another ID", () => {
    let s = feed(fresh(), [linkReady(A)]).state;
    const before = findSlave(s, A)!;
    s = feed(s, [slaveHb(B, 32, 10), slaveHb(A, 32, 10, 1, twcId(0x1111))], T0 + 5000).state;
    assert.equal(s.slaves.length, 1);
    assert.equal(findSlave(s, A)?.lastRxAtMs, before.lastRxAtMs, "does not refresh lastRxAtMs");
    assert.equal(findSlave(s, A)?.reportedAmpsActual, 0);
  });

  void it("drawing edges have hysteresis (> 3 A on, < 2 A off)", () => {
    let s = feed(fresh(), [linkReady(A)]).state;
    const edges: boolean[] = [];
    for (const amps of [2.5, 3.5, 2.5, 2.9, 1.5, 2.5, 3.2]) {
      const r = feed(s, [slaveHb(A, 32, amps, 1)]);
      s = r.state;
      for (const e of r.effects) if (e.type === "drawing") edges.push(e.drawing);
    }
    assert.deepEqual(edges, [true, false, true]);
  });

  void it("error state 02 raises CHARGER_ERROR_STATE and clears when it ends", () => {
    let s = feed(fresh(), [linkReady(A)]).state;
    const r1 = feed(s, [slaveHb(A, 0, 0, 2)]);
    assert.ok(
      has(r1.effects, (e) => e.type === "alert" && e.op === "raise" && e.code === "CHARGER_ERROR_STATE"),
    );
    assert.ok(has(r1.effects, (e) => e.type === "log" && e.code === "CHARGER_ERROR_STATE"));
    const r2 = feed(r1.state, [slaveHb(A, 0, 0, 2)], T0 + 1000);
    assert.ok(
      !has(r2.effects, (e) => e.type === "log" && e.code === "CHARGER_ERROR_STATE"),
      "warning at most once per minute",
    );
    s = feed(r2.state, [slaveHb(A, 0, 0, 0)], T0 + 2000).state;
    const r3 = feed(r2.state, [slaveHb(A, 0, 0, 0)], T0 + 2000);
    assert.ok(
      has(r3.effects, (e) => e.type === "alert" && e.op === "clear" && e.code === "CHARGER_ERROR_STATE"),
    );
    assert.equal(findSlave(s, A)?.reportedState, 0);
  });

  void it("detects a foreign master and alerts once per episode", () => {
    const other = twcId(0x2222);
    const r = feed(fresh(), [
      { kind: "masterLinkReady2", sender: other, sign: 1 },
      { kind: "masterHeartbeat", sender: other, receiver: A, command: { code: 0 } },
    ]);
    const logs = r.effects.filter((e) => e.type === "log" && e.level === "error");
    assert.equal(logs.length, 1);
    assert.match(logs[0]?.type === "log" ? logs[0].message : "", /rotary switch to F/);
    assert.ok(has(r.effects, (e) => e.type === "alert" && e.op === "raise" && e.code === "FOREIGN_MASTER"));
    const later = transition(r.state, { type: "housekeeping" }, T0 + 61_000);
    assert.ok(
      has(later.effects, (e) => e.type === "alert" && e.op === "clear" && e.code === "FOREIGN_MASTER"),
    );
  });

  void it("ignores and counts our own echo", () => {
    const r = feed(fresh(), [
      { kind: "masterLinkReady1", sender: MASTER_ID, sign: 0x77 },
      { kind: "masterHeartbeat", sender: MASTER_ID, receiver: A, command: { code: 0 } },
      { kind: "kwhRequest", sender: MASTER_ID, receiver: A, length: 15 },
    ]);
    assert.equal(r.effects.filter((e) => e.type === "count" && e.counter === "echo").length, 3);
    assert.ok(!has(r.effects, (e) => e.type === "alert"));
    assert.equal(r.state.slaves.length, 0);
  });

  void it("resets lastRxAtMs of every slave when the transport reopens", () => {
    const s = feed(fresh(), [linkReady(A), linkReady(B)]).state;
    const r = transition(s, { type: "transportOpened" }, T0 + 20_000);
    assert.deepEqual(
      r.state.slaves.map((x) => x.lastRxAtMs),
      [T0 + 20_000, T0 + 20_000],
    );
  });
});

void describe("link: monitor mode", () => {
  const monitor: LinkConfig = { ...config, mode: "monitor" };

  void it("records slaves seen in heartbeats (80 A) and never queues anything", () => {
    const master = twcId(0x3333);
    const r = feed(fresh(monitor), [
      { kind: "masterHeartbeat", sender: master, receiver: A, command: { code: 9, centiAmps: 1600 } },
      slaveHb(A, 16, 15.5, 1, master),
      linkReady(B, 32, 14),
      { kind: "masterLinkReady2", sender: master, sign: 1 },
    ]);
    assert.deepEqual(ids(r.state), [A, B]);
    assert.equal(findSlave(r.state, A)?.maxAmps, 80);
    assert.equal(findSlave(r.state, A)?.lastAmpsOffered, 16);
    assert.equal(findSlave(r.state, A)?.reportedAmpsActual, 15.5);
    assert.equal(findSlave(r.state, B)?.protocolVersion, 1);
    assert.deepEqual(r.state.mastersSeen, [master]);
    assert.ok(!has(r.effects, (e) => e.type === "queue" || e.type === "burst" || e.type === "kwhPoll"));
    assert.ok(!has(r.effects, (e) => e.type === "alert"));
  });

  void it("removes silent slaves in housekeeping", () => {
    const s = feed(fresh(monitor), [slaveHb(A, 0, 0, 0, twcId(0x3333))]).state;
    assert.equal(transition(s, { type: "housekeeping" }, T0 + 26_000).state.slaves.length, 1);
    const r = transition(s, { type: "housekeeping" }, T0 + 26_001);
    assert.equal(r.state.slaves.length, 0);
    assert.ok(has(r.effects, (e) => e.type === "slaveRemoved"));
  });
});
