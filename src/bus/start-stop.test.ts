import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { twcId } from "../protocol/frames.ts";
import { createSlaveState } from "./slave-state.ts";
import type { SlaveState } from "./slave-state.ts";
import type { AlertCode } from "../state/types.ts";
import type { LogLevel } from "./effects.ts";
import { beforeHeartbeat } from "./start-stop.ts";
import type { StartStopContext } from "./start-stop.ts";

const NOW = 1_700_000_000;

function slave(over: Partial<SlaveState> = {}): SlaveState {
  const s = createSlaveState(
    twcId(0x1234),
    32,
    { wiringMaxAmpsPerTWC: 32, useFlexAmpsToStartCharge: false, startStopDelayS: 60 },
    (NOW - 1000) * 1000,
  );
  return { ...s, protocolVersion: 2, ...over };
}

/** A slave we told 0 A long ago whose car still draws 10 A (the stop condition of §12 step 1). */
function stillDrawing(over: Partial<SlaveState> = {}): SlaveState {
  return slave({
    lastAmpsOffered: 0,
    reportedAmpsActual: 10,
    reportedState: 1,
    ampsOfferedChangedAtS: NOW - 120,
    ampsMonitorChangedAtS: NOW - 120,
    ...over,
  });
}

/** A slave offered 16 A whose car is not drawing (the start condition). */
function idleWithOffer(over: Partial<SlaveState> = {}): SlaveState {
  return slave({
    lastAmpsOffered: 16,
    reportedAmpsMax: 16,
    reportedAmpsActual: 0.25,
    reportedState: 3,
    ...over,
  });
}

/** The step read back as what the assertions look at: commands, the settings patch, logs and alerts from its effects. */
function decide(
  s: SlaveState,
  c: StartStopContext,
): {
  slave: SlaveState;
  send: boolean;
  commands: ("start" | "stop")[];
  settingsPatch: Readonly<Record<string, unknown>> | null;
  logs: { level: LogLevel; code: string }[];
  alerts: AlertCode[];
  stopWarnedAtS: number | null;
} {
  const r = beforeHeartbeat(s, c);
  const commands: ("start" | "stop")[] = [];
  const logs: { level: LogLevel; code: string }[] = [];
  const alerts: AlertCode[] = [];
  let settingsPatch: Readonly<Record<string, unknown>> | null = null;
  for (const e of r.effects) {
    if (e.type === "queue" && e.item.kind === "frame" && e.item.frame.kind === "startCharging") commands.push("start");
    if (e.type === "queue" && e.item.kind === "frame" && e.item.frame.kind === "stopCharging") commands.push("stop");
    if (e.type === "queue") assert.equal(e.dedupKey.endsWith(":1234"), true, "queued to this slave only");
    if (e.type === "settings") settingsPatch = { ...(settingsPatch ?? {}), ...e.patch };
    if (e.type === "log") logs.push({ level: e.level, code: e.code });
    if (e.type === "alert" && e.op === "raise") alerts.push(e.code);
  }
  return { slave: r.state, send: r.send, commands, settingsPatch, logs, alerts, stopWarnedAtS: r.stopWarnedAtS };
}

function ctx(over: Partial<StartStopContext> = {}): StartStopContext {
  return {
    nowS: NOW,
    chargeStopMode: 3,
    respondToSlaves: 1,
    respondToSlavesExpiryAtS: 0,
    minAmpsPerTWC: 6,
    hasVehicleModule: false,
    ...over,
  };
}

void describe("§12 step 0: stop-responding mode", () => {
  void it("suppresses the heartbeat until the expiry, then resumes and resets the setting", () => {
    const r = decide(stillDrawing(), ctx({ respondToSlaves: 0, respondToSlavesExpiryAtS: NOW + 1 }));
    assert.equal(r.send, false);
    assert.deepEqual(r.commands, []);
    assert.equal(r.settingsPatch, null);
    const r2 = decide(slave(), ctx({ respondToSlaves: 0, respondToSlavesExpiryAtS: NOW }));
    assert.equal(r2.send, true);
    assert.deepEqual(r2.settingsPatch, { respondToSlaves: 1 });
  });
});

void describe("§12 step 1: when to stop", () => {
  void it("stops only after 60 s since the offer change and startStopDelayS since the last current change", () => {
    assert.deepEqual(decide(stillDrawing(), ctx()).commands, ["stop"]);
    assert.deepEqual(
      decide(stillDrawing({ ampsOfferedChangedAtS: NOW - 59 }), ctx()).commands,
      [],
    );
    assert.deepEqual(decide(stillDrawing({ ampsMonitorChangedAtS: NOW - 59 }), ctx()).commands, []);
    assert.deepEqual(
      decide(stillDrawing({ ampsMonitorChangedAtS: NOW - 59, startStopDelayS: 30 }), ctx()).commands,
      ["stop"],
    );
    assert.deepEqual(
      decide(stillDrawing({ reportedAmpsActual: 4.0 }), ctx()).commands,
      [],
      "needs > 4 A",
    );
    assert.deepEqual(decide(stillDrawing({ lastAmpsOffered: 6 }), ctx()).commands, []);
  });

  void it("v1 slaves are never started or stopped automatically", () => {
    assert.deepEqual(decide(stillDrawing({ protocolVersion: 1 }), ctx()).commands, []);
    const stopped = idleWithOffer({ protocolVersion: 1, stoppedByUs: true });
    assert.deepEqual(decide(stopped, ctx()).commands, []);
  });
});

void describe("stopCar by chargeStopMode", () => {
  void it("mode 1 without a vehicle module: no action, alert, warning at most every 10 minutes", () => {
    const r1 = decide(stillDrawing(), ctx({ chargeStopMode: 1 }));
    assert.equal(r1.send, true);
    assert.deepEqual(r1.commands, []);
    assert.equal(r1.settingsPatch, null);
    assert.deepEqual(r1.alerts, ["STOP_NOT_POSSIBLE"]);
    assert.equal(r1.logs.filter((l) => l.level === "warn").length, 1);
    assert.equal(r1.stopWarnedAtS, NOW);
    const r2 = decide(
      r1.slave,
      ctx({ chargeStopMode: 1, nowS: NOW + 599, stopWarnedAtS: r1.stopWarnedAtS }),
    );
    assert.deepEqual(r2.alerts, ["STOP_NOT_POSSIBLE"]);
    assert.equal(r2.logs.length, 0);
    assert.equal(r2.stopWarnedAtS, NOW);
    const r3 = decide(
      r2.slave,
      ctx({ chargeStopMode: 1, nowS: NOW + 600, stopWarnedAtS: r2.stopWarnedAtS }),
    );
    assert.equal(r3.logs.filter((l) => l.level === "warn").length, 1);
    assert.equal(r3.stopWarnedAtS, NOW + 600);
  });

  void it("mode 2: stop responding for 60 s (this heartbeat is still written)", () => {
    const r = decide(stillDrawing(), ctx({ chargeStopMode: 2 }));
    assert.equal(r.send, true);
    assert.deepEqual(r.commands, []);
    assert.deepEqual(r.settingsPatch, { respondToSlaves: 0, respondToSlavesExpiry: NOW + 60 });
    const next = ctx({
      chargeStopMode: 2,
      nowS: NOW + 1,
      respondToSlaves: 0,
      respondToSlavesExpiryAtS: NOW + 60,
    });
    assert.equal(decide(r.slave, next).send, false);
    assert.equal(decide(r.slave, { ...next, nowS: NOW + 59 }).send, false);
    const resumed = decide(slave(), { ...next, nowS: NOW + 60 });
    assert.equal(resumed.send, true);
    assert.deepEqual(resumed.settingsPatch, { respondToSlaves: 1 });
  });

  void it("mode 3: FC B2 to this slave at most once per 60 s, marks stoppedByUs", () => {
    const r1 = decide(stillDrawing({ startAttempts: 2 }), ctx());
    assert.deepEqual(r1.commands, ["stop"]);
    assert.equal(r1.slave.stoppedByUs, true);
    assert.equal(r1.slave.startAttempts, 0);
    assert.equal(r1.slave.lastStopCommandAtS, NOW);
    assert.equal(r1.send, true);
    assert.deepEqual(decide(r1.slave, ctx({ nowS: NOW + 59 })).commands, []);
    assert.deepEqual(decide(r1.slave, ctx({ nowS: NOW + 60 })).commands, ["stop"]);
  });
});

void describe("startCar by chargeStopMode", () => {
  void it("mode 3: FC B1 only to a slave we stopped, ≥ 60 s apart, at most 3 attempts", () => {
    assert.deepEqual(decide(idleWithOffer(), ctx()).commands, [], "a user stop is never undone");
    let s = idleWithOffer({ stoppedByUs: true, lastStartCommandAtS: 0 });
    const r1 = decide(s, ctx());
    assert.deepEqual(r1.commands, ["start"]);
    assert.deepEqual(
      [r1.slave.startAttempts, r1.slave.lastStartCommandAtS, r1.slave.stoppedByUs],
      [1, NOW, true],
    );
    s = r1.slave;
    assert.deepEqual(decide(s, ctx({ nowS: NOW + 59 })).commands, []);
    const r2 = decide(s, ctx({ nowS: NOW + 60 }));
    assert.deepEqual(r2.commands, ["start"]);
    const r3 = decide(r2.slave, ctx({ nowS: NOW + 120 }));
    assert.deepEqual(r3.commands, ["start"]);
    assert.deepEqual([r3.slave.startAttempts, r3.slave.stoppedByUs], [3, false], "after the third attempt");
    assert.deepEqual(decide(r3.slave, ctx({ nowS: NOW + 600 })).commands, []);
  });

  void it("never starts a slave in error state 02, or when the offer is below minAmpsPerTWC", () => {
    const stopped = idleWithOffer({ stoppedByUs: true });
    assert.deepEqual(decide({ ...stopped, reportedState: 2 }, ctx()).commands, []);
    assert.deepEqual(decide({ ...stopped, lastAmpsOffered: 5 }, ctx()).commands, []);
    assert.deepEqual(
      decide({ ...stopped, lastAmpsOffered: 0 }, ctx({ minAmpsPerTWC: 0 })).commands,
      [],
    );
    assert.deepEqual(decide({ ...stopped, reportedAmpsActual: 1.0 }, ctx()).commands, []);
  });

  void it("a drawing car clears stoppedByUs and the attempt counter", () => {
    const r = decide(
      slave({ lastAmpsOffered: 16, reportedAmpsActual: 12, stoppedByUs: true, startAttempts: 2 }),
      ctx(),
    );
    assert.deepEqual([r.slave.stoppedByUs, r.slave.startAttempts], [false, 0]);
    assert.deepEqual(r.commands, []);
  });

  void it("mode 1 does nothing; mode 2 only re-enables responding", () => {
    const stopped = idleWithOffer({ stoppedByUs: true });
    const r1 = decide(stopped, ctx({ chargeStopMode: 1 }));
    assert.deepEqual([r1.commands, r1.settingsPatch, r1.alerts], [[], null, []]);
    const r2 = decide(stopped, ctx({ chargeStopMode: 2 }));
    assert.deepEqual([r2.commands, r2.settingsPatch], [[], null], "already responding");
  });
});

void describe("a full stop/start cycle in mode 3", () => {
  void it("stops a car that ignores 0 A, then restarts it once the offer is back", () => {
    let s = stillDrawing({ ampsOfferedChangedAtS: NOW, ampsMonitorChangedAtS: NOW - 600 });
    const sent: string[] = [];
    for (let t = 0; t <= 200; t++) {
      // The car stops 2 s after FC B2; the offer returns to 16 A at t = 100.
      if (s.lastStopCommandAtS > 0 && NOW + t >= s.lastStopCommandAtS + 2)
        s = { ...s, reportedAmpsActual: 0.25, reportedState: 3 };
      if (t === 100) s = { ...s, lastAmpsOffered: 16, ampsOfferedChangedAtS: NOW + t };
      const r = decide(s, ctx({ nowS: NOW + t }));
      for (const c of r.commands) sent.push(`${c}@${t}`);
      s = r.slave;
    }
    assert.deepEqual(sent, ["stop@60", "start@100", "start@160"]);
  });
});
