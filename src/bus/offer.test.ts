import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { twcId } from "../protocol/frames.ts";
import type { Effect } from "./effects.ts";
import { commandBytes } from "./frames-out.ts";
import {
  computeOffer,
  effectiveBudget,
  heartbeatCommandFor,
  othersLoad,
  setLastAmpsOffered,
} from "./offer.ts";
import type { OfferContext } from "./offer.ts";
import { createSlaveState } from "./slave-state.ts";
import type { SlaveState } from "./slave-state.ts";

/** Epoch seconds of "t = 0" in the traces (a realistic clock: all time* fields start at 0). */
const T0 = 1_700_000_000;

/** The 9-byte command block of §8 as it goes on the wire. */
const commandBlock = (slave: SlaveState, offered: number): Uint8Array => commandBytes(heartbeatCommandFor(slave, offered));
/** The log lines among a step's effects. */
const logsOf = (r: { effects: readonly Effect[] }): { level: string; code: string; message: string }[] =>
  r.effects.flatMap((e) => (e.type === "log" ? [{ level: e.level, code: e.code, message: e.message }] : []));
/** §6 H: the step cancels a queued FC B2 for its slave. */
const cancelsStop = (r: { effects: readonly Effect[] }): boolean => r.effects.some((e) => e.type === "cancelStop");

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex").toUpperCase();
}
const ZEROS = "00".repeat(9);
/** The 9-byte block as the traces write it: `09 0834` → "090834000000000000". */
function blk(cmd: string, amps: string): string {
  return (cmd + amps + "00".repeat(6)).toUpperCase();
}

interface Cfg {
  wiringAll: number;
  wiringPerTwc: number;
  minAmpsPerTWC: number;
  green: boolean;
  spike: number;
  /** Pass othersCommittedAmps (the safer shared clamp); the traces must be identical either way. */
  committed?: boolean;
  /** Spike settings (default on). */
  proactive?: boolean;
  /** Protocol version and TWC minimum of new slaves (default v2, 6). */
  version?: 1 | 2;
}

function v2Slave(id: number, rating: number, cfg: Cfg): SlaveState {
  const s = createSlaveState(
    twcId(id),
    rating,
    { wiringMaxAmpsPerTWC: cfg.wiringPerTwc, useFlexAmpsToStartCharge: false, startStopDelayS: 60 },
    T0 * 1000,
  );
  const version = cfg.version ?? 2;
  return { ...s, protocolVersion: version, minAmpsTWCSupports: version === 2 ? 6 : 5 };
}

/** One simulated TWC with a car behind it. */
interface Sim {
  s: SlaveState;
  /** TWC limit in effect at the reply of each second. */
  limitAt: Map<number, number>;
  limit: number;
  charging: boolean;
  droppedAt: number | null;
  /** The car's current given the TWC limit history and the time. */
  car: (limitAt: (t: number) => number, t: number) => number;
}

function sim(s: SlaveState, car: Sim["car"]): Sim {
  return { s, limitAt: new Map(), limit: 0, charging: false, droppedAt: null, car };
}

/** A car following the limit `lag` seconds late, drawing `deficit` A less. */
function follower(deficit: number, lag = 0, pluggedFrom = -Infinity): Sim["car"] {
  return (limitAt, t) => {
    if (t < pluggedFrom) return 0;
    return Math.max(0, limitAt(t - lag) - deficit);
  };
}

/**
 * One heartbeat exchange with `x` at trace time `t` (s): the TWC applies the block we sent, replies,
 * the controller stores the reply (§5), runs charging detection (§13) and computes the offer.
 */
function heartbeat(
  all: Sim[],
  x: Sim,
  t: number,
  budget: number,
  cfg: Cfg,
): { offered: number; block: string; desired: number } {
  const now = T0 + t;
  const b = commandBytes(x.s.heartbeatCommand);
  if (b[0] !== 0) x.limit = ((b[1]! << 8) | b[2]!) / 100;
  x.limitAt.set(t, x.limit);
  const actual =
    Math.round(x.car((u) => (u < 0 ? 0 : (x.limitAt.get(u) ?? (u > t ? x.limit : 0))), t) * 100) / 100;
  const s: SlaveState = {
    ...x.s,
    reportedAmpsMax: x.limit,
    reportedAmpsActual: actual,
    reportedState: actual > 0 ? 1 : 0,
  };
  if (s.lastAmpsOffered < 0) s.lastAmpsOffered = s.reportedAmpsMax;
  if (s.ampsMonitor < 0 || Math.abs(actual - s.ampsMonitor) > 0.8) {
    s.ampsMonitor = actual;
    s.ampsMonitorChangedAtS = now;
  }
  x.s = s;
  for (const y of all) {
    if (y.s.reportedAmpsActual >= 1) {
      y.charging = true;
      y.droppedAt = null;
    } else if (y.charging) {
      y.droppedAt ??= now;
      if (now - y.droppedAt >= 5) {
        y.charging = false;
        y.droppedAt = null;
      }
    }
  }
  const ctx: OfferContext = {
    nowS: now,
    budgetM: budget,
    allowedFlex: 0,
    green: cfg.green,
    numCharging: all.filter((y) => y.charging).length,
    allActualAmps: all.reduce((a, y) => a + y.s.reportedAmpsActual, 0),
    spikeAmps: cfg.spike,
    minAmpsPerTWC: cfg.minAmpsPerTWC,
    wiringMaxAmpsAllTWCs: cfg.wiringAll,
    spikeAmpsProactively: cfg.proactive ?? true,
    spikeAmpsReactively: true,
    chargeRateControl: 1,
  };
  if (cfg.committed === true) {
    Object.assign(
      ctx,
      othersLoad(
        all.map((y) => y.s),
        x.s.id,
      ),
    );
  }
  const r = computeOffer(x.s, ctx);
  x.s = r.state;
  assert.equal(r.state.lastAmpsOffered, r.offered);
  assert.equal(r.state.ampsDesired, r.desired);
  return { offered: r.offered, block: hex(commandBytes(r.state.heartbeatCommand)), desired: r.desired };
}

for (const committed of [false, true])
  void describe(`worked traces (controller.md §15)${committed ? ", with othersCommittedAmps" : ""}`, () => {
    void it("T1: 80 A slave, fixed 40 A, per-TWC wiring 32 → 32 A, then no change", () => {
      const cfg: Cfg = {
        wiringAll: 40,
        wiringPerTwc: 32,
        minAmpsPerTWC: 12,
        green: false,
        spike: 21,
        committed,
      };
      const a = sim(v2Slave(0x1234, 80, cfg), follower(0.5));
      const r1 = heartbeat([a], a, 1, 40, cfg);
      assert.deepEqual([r1.offered, r1.block], [32, blk("09", "0C80")]);
      const r2 = heartbeat([a], a, 2, 40, cfg);
      assert.equal(a.s.reportedAmpsMax, 32);
      assert.deepEqual([r2.offered, r2.block], [32, ZEROS]);
    });

    void it("T2: green policy, one v2 slave, every row", () => {
      const cfg: Cfg = {
        wiringAll: 40,
        wiringPerTwc: 40,
        minAmpsPerTWC: 6,
        green: true,
        spike: 21,
        committed,
      };
      const a = sim(v2Slave(0x1234, 80, cfg), follower(0.5));
      const budget = (t: number): number => (t <= 3 ? 16 : t <= 11 ? 20 : t <= 76 ? 3 : 10);
      const rows = new Map<number, [number, number, number, string]>([
        // t → [reported max, reported actual, offered, block]
        [1, [0, 0, 21, blk("09", "0834")]],
        [2, [21, 20.5, 21, ZEROS]],
        [3, [21, 20.5, 21, ZEROS]],
        [4, [21, 20.5, 21, ZEROS]],
        [5, [21, 20.5, 21, ZEROS]],
        [6, [21, 20.5, 20, blk("09", "07D0")]],
        [12, [20, 19.5, 6, blk("09", "0258")]],
        [72, [6, 5.5, 0, blk("09", "0000")]],
        [77, [0, 0, 0, blk("09", "0000")]],
        [78, [0, 0, 21, blk("09", "0834")]],
      ]);
      for (let t = 1; t <= 78; t++) {
        const r = heartbeat([a], a, t, budget(t), cfg);
        const row = rows.get(t);
        if (row) {
          assert.deepEqual([a.s.reportedAmpsMax, a.s.reportedAmpsActual, r.offered, r.block], row, `t=${t}`);
        } else if (t >= 7 && t <= 11) {
          assert.deepEqual([r.offered, r.block], [20, ZEROS], `t=${t}`);
        } else if (t >= 13 && t <= 71) {
          assert.deepEqual([a.s.reportedAmpsMax, a.s.reportedAmpsActual], [6, 5.5], `t=${t}`);
          assert.deepEqual([r.offered, r.block], [6, ZEROS], `t=${t} (dampened)`);
        } else {
          assert.deepEqual(
            [r.offered, r.block],
            [0, blk("09", "0000")],
            `t=${t}: 0 A is re-sent every heartbeat`,
          );
        }
      }
    });

    void it("T3: budget collapses after a long stable period, car reacts 3 s late", () => {
      const cfg: Cfg = {
        wiringAll: 40,
        wiringPerTwc: 40,
        minAmpsPerTWC: 6,
        green: true,
        spike: 21,
        committed,
      };
      const a = sim(v2Slave(0x1234, 80, cfg), follower(0.5, 3));
      for (let t = 1; t <= 80; t++) heartbeat([a], a, t, 20, cfg);
      assert.deepEqual([a.s.lastAmpsOffered, a.s.reportedAmpsActual], [20, 19.5]);
      const r81 = heartbeat([a], a, 81, 3, cfg);
      assert.deepEqual([r81.offered, r81.block], [0, blk("09", "0000")], "dampen flag false at t=81");
      const r82 = heartbeat([a], a, 82, 3, cfg);
      assert.ok(a.s.reportedAmpsActual > 0, "car still drawing at t=82");
      assert.deepEqual([r82.offered, r82.block], [6, blk("09", "0258")], "dampened to 6 A at t=82");
      let zeros = 0;
      let sixes = 0;
      for (let t = 83; t <= 160; t++) {
        const r = heartbeat([a], a, t, 3, cfg);
        if (t <= 140) {
          // Within startStopDelayS of the flip at t=81: 6 while the car draws, 0 on a heartbeat at 0 A.
          const want = a.s.reportedAmpsActual > 0 ? 6 : 0;
          assert.equal(r.offered, want, `t=${t}`);
          if (want === 0) zeros++;
          else sixes++;
          if (want === 0) assert.equal(r.block, blk("09", "0000"), `t=${t}`);
        } else {
          assert.deepEqual([r.offered, r.block], [0, blk("09", "0000")], `t=${t}: dampening over`);
        }
      }
      assert.ok(zeros > 0 && sixes > 0, "the hysteresis oscillates while the car reacts late");
    });

    void it("T4: two 80 A slaves share 40 A, every row", () => {
      const cfg: Cfg = {
        wiringAll: 40,
        wiringPerTwc: 32,
        minAmpsPerTWC: 6,
        green: false,
        spike: 21,
        committed,
      };
      const a = sim(v2Slave(0xaaaa, 80, cfg), follower(0.3));
      const b = sim(v2Slave(0xbbbb, 80, cfg), follower(0.3, 0, 20));
      const all = [a, b];
      const rows = new Map<number, number>([
        [1, 32],
        [2, 32],
        [3, 32],
        // The product re-checks unchanged offers against the shared limit (docs/decisions.md): b's held
        // 32 A is cut to 8 A as soon as a draws, at t=4 instead of t=8.
        [4, committed ? 8 : 32],
        [6, committed ? 8 : 32],
        [8, 8],
        [20, 8],
        [21, 20],
        [24, 20],
      ]);
      for (let t = 1; t <= 24; t++) {
        const x = t % 2 === 1 ? a : b;
        const r = heartbeat(all, x, t, 40, cfg);
        const want = rows.get(t);
        if (want !== undefined) assert.equal(r.offered, want, `t=${t}`);
        if (t === 3) assert.equal(a.s.reportedAmpsActual, 31.7);
        if (t === 20) assert.equal(b.s.reportedAmpsActual, 7.7);
        if (t === 24) {
          assert.equal(a.s.reportedAmpsActual, 19.7);
          assert.equal(r.desired, 21, "proactive spike requested");
          assert.equal(r.block, blk("09", "07D0"), "spike cut by shared wiring to trunc(40 − 19.7)");
        }
      }
      // Between t=2 and t=8 (t=4 with the re-check) both slaves hold 32 A although only 40 A exist (S-3 a, b).
    });
  });

void describe("concurrent spikes on a small shared circuit (found by offer.property.test.ts)", () => {
  // Two v1 32 A slaves on 16 A shared wiring (per-TWC 11 A), budget 12 A: fair share 6 A, so both
  // keep raising 5 → 6 A via the 16 A spike. Each spike is clamped against the other slave's *actual*
  // 5 A, so both get 11 A at the same time and both cars draw 11 A: 22 A on a 16 A circuit, again
  // every few seconds. Counting a drawing slave with max(actual, offered) prevents it.
  function maxTotalDraw(committed: boolean): number {
    const cfg: Cfg = {
      wiringAll: 16,
      wiringPerTwc: 11,
      minAmpsPerTWC: 0,
      green: false,
      spike: 16,
      committed,
      version: 1,
    };
    const a = sim(v2Slave(0xaaaa, 32, cfg), follower(0));
    const b = sim(v2Slave(0xbbbb, 32, cfg), follower(0));
    let worst = 0;
    for (let t = 1; t <= 120; t++) {
      heartbeat([a, b], t % 2 === 1 ? a : b, t, 12, cfg);
      if (t > 20) worst = Math.max(worst, a.s.reportedAmpsActual + b.s.reportedAmpsActual);
    }
    return worst;
  }
  void it("with othersCommittedAmps the total draw stays within wiring + the TWC minimum", () => {
    assert.ok(maxTotalDraw(true) <= 16 + 5, String(maxTotalDraw(true)));
  });
  void it("the spec-literal clamp (actual draw only) overloads the circuit periodically", () => {
    assert.equal(maxTotalDraw(false), 22);
  });
});

function ctxOf(over: Partial<OfferContext> = {}): OfferContext {
  return {
    nowS: T0 + 100,
    budgetM: 40,
    allowedFlex: 0,
    green: false,
    numCharging: 0,
    allActualAmps: 0,
    spikeAmps: 21,
    minAmpsPerTWC: 6,
    wiringMaxAmpsAllTWCs: 40,
    spikeAmpsProactively: true,
    spikeAmpsReactively: true,
    chargeRateControl: 1,
    ...over,
  };
}

function slaveOf(over: Partial<SlaveState> = {}): SlaveState {
  const cfg: Cfg = { wiringAll: 40, wiringPerTwc: 32, minAmpsPerTWC: 6, green: false, spike: 21 };
  return { ...v2Slave(0x1234, 80, cfg), lastAmpsOffered: 0, ...over };
}

void describe("setLastAmpsOffered (§7 clamps)", () => {
  void it("an unchanged value is not re-checked against the shared wiring", () => {
    const s = slaveOf({ lastAmpsOffered: 20, reportedAmpsActual: 19.7, ampsOfferedChangedAtS: T0 });
    const r = setLastAmpsOffered(s, 20, ctxOf({ allActualAmps: 19.7 + 30 }));
    assert.equal(r.offered, 20);
    assert.equal(r.state.ampsOfferedChangedAtS, T0);
    assert.equal(r.state.ampsDesired, 20);
  });

  void it("the shared clamp offers what is left, truncated, and logs it", () => {
    const s = slaveOf({ lastAmpsOffered: 8, reportedAmpsActual: 7.7 });
    const r = setLastAmpsOffered(s, 21, ctxOf({ allActualAmps: 7.7 + 19.7 }));
    assert.equal(r.offered, 20);
    assert.equal(r.state.ampsDesired, 21);
    assert.equal(r.state.ampsOfferedChangedAtS, T0 + 100);
    assert.ok(
      logsOf(r).some(
        (l) => l.message === "offering 20 A instead of 21 A to avoid overloading wiring shared by all TWCs",
      ),
    );
  });

  void it("the shared clamp never goes below the TWC minimum (S-3 d), but never raises an offer", () => {
    const s = slaveOf({ lastAmpsOffered: 0 });
    assert.equal(setLastAmpsOffered(s, 20, ctxOf({ allActualAmps: 36 })).offered, 6);
    assert.equal(
      setLastAmpsOffered({ ...s, minAmpsTWCSupports: 1 }, 20, ctxOf({ allActualAmps: 36 })).offered,
      4,
    );
    assert.equal(
      setLastAmpsOffered({ ...s, lastAmpsOffered: 6 }, 0, ctxOf({ allActualAmps: 45 })).offered,
      0,
    );
  });

  void it("the per-TWC clamp is last: 40 A desired on 32 A wiring → 32 (T1)", () => {
    const r = setLastAmpsOffered(slaveOf(), 40, ctxOf());
    assert.equal(r.offered, 32);
    assert.ok(logsOf(r).some((l) => l.level === "debug" && l.code === "WIRING_TWC_CLAMP"));
  });

  void it("two 80 A units on a 125 A feed (100 A usable): per-TWC 80 A applies after the shared clamp", () => {
    const s = slaveOf({ wiringMaxAmps: 80 });
    assert.equal(setLastAmpsOffered(s, 100, ctxOf({ wiringMaxAmpsAllTWCs: 100 })).offered, 80);
    assert.equal(
      setLastAmpsOffered(s, 100, ctxOf({ wiringMaxAmpsAllTWCs: 100, allActualAmps: 30 })).offered,
      70,
    );
  });

  void it("never above the rating, even if wiringMaxAmps was not cut (S-2)", () => {
    const s = slaveOf({ maxAmps: 32, wiringMaxAmps: 40 });
    assert.equal(setLastAmpsOffered(s, 40, ctxOf()).offered, 32);
    // Also on the "unchanged" path: a huge lastAmpsOffered taken from the slave's reported max.
    assert.equal(setLastAmpsOffered({ ...s, lastAmpsOffered: 655.35 }, 655.35, ctxOf()).offered, 32);
  });

  void it("a per-TWC limit below the minimum offer means charging never starts (S-1, S-6)", () => {
    const s = slaveOf({ maxAmps: 32, wiringMaxAmps: 8 }); // 32 A unit after the S-2 cut
    assert.equal(setLastAmpsOffered(s, 20, ctxOf({ minAmpsPerTWC: 12 })).offered, 0);
    assert.equal(setLastAmpsOffered(s, 20, ctxOf({ minAmpsPerTWC: 6 })).offered, 8);
  });

  void it("always returns finite whole amps ≥ 0", () => {
    const s = slaveOf();
    for (const d of [Number.NaN, Infinity, -Infinity, -3, 12.9, 1e12]) {
      const o = setLastAmpsOffered(s, d, ctxOf()).offered;
      assert.ok(Number.isInteger(o) && o >= 0 && o <= 32, `${d} → ${o}`);
    }
  });
});

void describe("commandBlock (§8)", () => {
  void it("09 + amps for v2, 05 for v1, zeros when the slave already reports the offer", () => {
    assert.equal(hex(commandBlock(slaveOf({ reportedAmpsMax: 0 }), 32)), blk("09", "0C80"));
    assert.equal(
      hex(commandBlock(slaveOf({ protocolVersion: 1, reportedAmpsMax: 0 }), 48)),
      blk("05", "12C0"),
    );
    assert.equal(hex(commandBlock(slaveOf({ reportedAmpsMax: 32 }), 32)), ZEROS);
    assert.equal(hex(commandBlock(slaveOf({ reportedAmpsMax: 32 }), 20)), blk("09", "07D0"));
  });
  void it("an offer of 0 is re-sent even when the slave reports 0", () => {
    assert.equal(hex(commandBlock(slaveOf({ reportedAmpsMax: 0 }), 0)), blk("09", "0000"));
    assert.equal(
      hex(commandBlock(slaveOf({ protocolVersion: 1, reportedAmpsMax: 0 }), 0)),
      blk("05", "0000"),
    );
  });
});

void describe("effectiveBudget (§4)", () => {
  void it("min of request and limit, 0 when not positive or not a number", () => {
    assert.equal(effectiveBudget(40, 32), 32);
    assert.equal(effectiveBudget(20, 32), 20);
    assert.equal(effectiveBudget(0, 32), 0);
    assert.equal(effectiveBudget(-5, 32), 0);
    assert.equal(effectiveBudget(20, -1), 0);
    assert.equal(effectiveBudget(Number.NaN, 32), 0);
    assert.equal(effectiveBudget(20, Number.NaN), 0);
    assert.equal(effectiveBudget(Infinity, 32), 32);
    assert.equal(effectiveBudget(Infinity, Infinity), 0);
  });
});

void describe("computeOffer paths (§6, §9)", () => {
  void it("flex keeps a drawing car at the minimum but does not start one unless configured", () => {
    const ctx = ctxOf({ budgetM: 4, allowedFlex: 3, numCharging: 1, minAmpsPerTWC: 6 });
    const drawing = slaveOf({ reportedAmpsActual: 5.5, reportedAmpsMax: 6, lastAmpsOffered: 6 });
    assert.equal(computeOffer(drawing, { ...ctx, allActualAmps: 5.5 }).offered, 6);
    assert.equal(computeOffer(slaveOf(), { ...ctx, numCharging: 0 }).offered, 0);
    const starter = slaveOf({ useFlexAmpsToStartCharge: true });
    assert.equal(
      computeOffer(starter, { ...ctx, numCharging: 0 }).offered,
      21,
      "minOffer 6, raised via the spike",
    );
    assert.equal(computeOffer(starter, { ...ctx, numCharging: 0, spikeAmpsProactively: false }).offered, 6);
    assert.equal(computeOffer(drawing, { ...ctx, allActualAmps: 5.5, allowedFlex: 1 }).offered, 0);
  });

  void it("D1: a new car gets the TWC minimum when the budget suffices for everyone in principle", () => {
    const s = slaveOf({ minAmpsTWCSupports: 6 });
    const r = computeOffer(s, ctxOf({ budgetM: 40, numCharging: 2, allActualAmps: 38, minAmpsPerTWC: 12 }));
    assert.equal(r.offered, 6, "TWC minimum, not minOffer 12");
    const r2 = computeOffer(s, ctxOf({ budgetM: 20, numCharging: 2, allActualAmps: 19, minAmpsPerTWC: 12 }));
    assert.equal(r2.offered, 0, "M/N = 10 ≤ 12 → stop");
  });

  void it("non-green policies clear the flip time and never dampen", () => {
    const s = slaveOf({
      ampsDesiredFlippedAtS: T0 + 99,
      reportedAmpsActual: 10,
      lastAmpsOffered: 10,
      lastAmpsDesired: 10,
    });
    const r = computeOffer(s, ctxOf({ budgetM: 3, numCharging: 1, allActualAmps: 10 }));
    assert.equal(r.offered, 0);
    assert.equal(r.state.ampsDesiredFlippedAtS, T0 + 100, "flip recorded by step E");
    const r2 = computeOffer(
      { ...s, lastAmpsDesired: 0 },
      ctxOf({ budgetM: 3, numCharging: 1, allActualAmps: 10 }),
    );
    assert.equal(r2.state.ampsDesiredFlippedAtS, 0);
  });

  void it("reactive spike, then spike − 2 when the car stays stuck", () => {
    const now = T0 + 100;
    const s = slaveOf({
      lastAmpsOffered: 16,
      reportedAmpsMax: 16,
      reportedAmpsActual: 5.2,
      ampsOfferedChangedAtS: now - 30,
      ampsMonitorChangedAtS: now - 30,
    });
    const ctx = ctxOf({ budgetM: 16, numCharging: 1, allActualAmps: 5.2 });
    const r1 = computeOffer(s, ctx);
    assert.equal(r1.offered, 21);
    assert.equal(computeOffer(r1.state, { ...ctx, nowS: now + 3 }).offered, 21, "held");
    assert.equal(computeOffer(r1.state, { ...ctx, nowS: now + 11 }).offered, 19, "spike − 2");
    assert.equal(computeOffer(s, { ...ctx, spikeAmpsReactively: false }).offered, 16);
  });

  void it("reductions wait 5 s after the previous change", () => {
    const now = T0 + 100;
    const s = slaveOf({
      lastAmpsOffered: 30,
      reportedAmpsMax: 30,
      reportedAmpsActual: 29.5,
      ampsOfferedChangedAtS: now - 4,
    });
    const ctx = ctxOf({ budgetM: 25, numCharging: 1, allActualAmps: 29.5 });
    assert.equal(computeOffer(s, ctx).offered, 30);
    assert.equal(computeOffer(s, { ...ctx, nowS: now + 1 }).offered, 25);
  });

  void it("invalid budgets yield 0 (even with green dampening and flex); huge budgets are capped", () => {
    const s = slaveOf({ reportedAmpsActual: 10, lastAmpsOffered: 10, ampsDesiredFlippedAtS: T0 + 99 });
    for (const budgetM of [Number.NaN, Infinity, -Infinity]) {
      const r = computeOffer(
        s,
        ctxOf({ budgetM, green: true, allowedFlex: 10, numCharging: 1, allActualAmps: 10 }),
      );
      assert.equal(r.offered, 0, String(budgetM));
      assert.equal(cancelsStop(r), false);
      assert.ok(logsOf(r).some((l) => l.code === "OFFER_INVALID_INPUT"));
    }
    const huge = computeOffer(
      slaveOf({ wiringMaxAmps: 80 }),
      ctxOf({ budgetM: 1e12, wiringMaxAmpsAllTWCs: 40 }),
    );
    assert.equal(huge.offered, 40);
    assert.equal(cancelsStop(huge), true);
  });
});

void describe("othersLoad", () => {
  void it("counts drawing slaves with max(actual, offered) and idle ones with their actual draw", () => {
    const self = slaveOf({ reportedAmpsActual: 30, lastAmpsOffered: 32 });
    const drawing = { ...slaveOf({ reportedAmpsActual: 7.7, lastAmpsOffered: 21 }), id: twcId(0xbbbb) };
    const idle = { ...slaveOf({ reportedAmpsActual: 0.25, lastAmpsOffered: 32 }), id: twcId(0xcccc) };
    const over = { ...slaveOf({ reportedAmpsActual: 12, lastAmpsOffered: 8 }), id: twcId(0xdddd) };
    assert.deepEqual(othersLoad([self, drawing, idle, over], self.id), {
      othersCommittedAmps: 21 + 0.25 + 12,
      othersOfferedAmps: 21 + 8,
    });
    assert.deepEqual(othersLoad([self], self.id), { othersCommittedAmps: 0, othersOfferedAmps: 0 });
  });
});
