/** A charger silent for longer than the link timeout reads "not responding", with the time of its last answer (issue 12 §4). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isoLocal } from "../policy/local-time.ts";
import { twcId } from "../protocol/frames.ts";
import { createSlaveState } from "../bus/slave-state.ts";
import { projectCharger, projectChargers } from "./state-projection.ts";

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const iso = (ms: number): string => isoLocal(ms, "UTC");
const electrical = { voltage: 240, phases: 1, rpf: () => 1 };
const name = (): string => "ready";
const slave = createSlaveState(twcId(0x4142), 80, { wiringMaxAmpsPerTWC: 32, useFlexAmpsToStartCharge: false, startStopDelayS: 60 }, T0);

test("responding until the link timeout has passed since the last frame, then not", () => {
  const answered = { ...slave, lastRxAtMs: T0 + 10_000, lastHeartbeatAtMs: T0 + 10_000 };
  const at = (nowMs: number) => projectCharger(answered, electrical, iso, name, { nowMs, timeoutMs: 26_000 });
  assert.equal(at(T0 + 10_000).responding, true);
  assert.equal(at(T0 + 36_000).responding, true, "exactly the timeout is still responding");
  const silent = at(T0 + 36_001);
  assert.equal(silent.responding, false);
  assert.equal(silent.lastAnswerAt, iso(T0 + 10_000), "the time of the last heartbeat");
});

test("before any heartbeat the last answer is the link-up; without liveness the fields are absent", () => {
  const c = projectCharger(slave, electrical, iso, name, { nowMs: T0 + 1000, timeoutMs: 26_000 });
  assert.equal(c.lastAnswerAt, iso(T0));
  const bare = projectCharger(slave, electrical, iso, name);
  assert.equal("responding" in bare, false);
  assert.equal("lastAnswerAt" in bare, false);
  const { chargers } = projectChargers([slave], electrical, iso, name, { nowMs: T0 + 60_000, timeoutMs: 26_000 });
  assert.equal(chargers[0]?.responding, false, "projectChargers passes liveness on");
});
