/** The policy runtime's daily sun timer (moved here from the engine) and its typed settings access. */
import { test } from "node:test";
import assert from "node:assert/strict";
import pino from "pino";
import { normaliseSettings } from "../config/settings-normalise.ts";
import type { Settings } from "../config/settings-schema.ts";
import { buildPolicyList } from "../policy/build-list.ts";
import { FakeClock } from "../shared/clock.ts";
import { msToNextSunRefresh, PolicyRuntime } from "./policy-runtime.ts";

const BERLIN = { homeLat: 52.52, homeLon: 13.405 };

interface Setup {
  clock: FakeClock;
  rt: PolicyRuntime;
  settings: () => Readonly<Settings>;
  /** Changes settings behind the runtime's back (as an edited settings.json would). */
  patch: (p: Readonly<Record<string, unknown>>) => void;
}

function runtime(startMs: number, initial: Record<string, unknown>): Setup {
  const clock = new FakeClock(startMs);
  let current = normaliseSettings(initial, 32).settings;
  const patch = (p: Readonly<Record<string, unknown>>): void => {
    current = { ...current, ...p };
  };
  const rt = new PolicyRuntime({
    clock,
    logger: pino({ level: "silent" }),
    policies: buildPolicyList({}).policies,
    configSection: {},
    wiringMaxAmpsAllTWCs: 32,
    gridCapAmps: null,
    intervalS: 24 * 3600,
    settings: { get: () => current, update: patch },
    energy: () => ({ maxAmpsToDivide: 0, limitAmps: 32 }),
    greenAmps: () => 0,
    onPolicyEvent: () => undefined,
    onEvaluated: () => undefined,
    timeZone: "Europe/Berlin",
  });
  return { clock, rt, settings: () => current, patch };
}

test("msToNextSunRefresh: the next 01:00 local, at least a minute ahead", () => {
  const at = (iso: string): number => msToNextSunRefresh(Date.parse(iso), "Europe/Berlin");
  assert.equal(at("2026-06-22T00:30:00+02:00"), 30 * 60_000);
  assert.equal(at("2026-06-22T01:00:00+02:00"), 24 * 3600_000);
  assert.equal(at("2026-06-22T13:15:30+02:00"), (11 * 3600 + 44 * 60 + 30) * 1000);
  assert.equal(at("2026-06-22T00:59:30+02:00"), 60_000);
});

test("start sets today's sunrise and sunset from the home location", () => {
  const { rt, settings } = runtime(Date.parse("2026-06-22T12:00:00+02:00"), BERLIN);
  rt.start();
  try {
    assert.deepEqual([settings().sunrise, settings().sunset], [5, 22]);
  } finally {
    rt.stop();
  }
});

test("the daily timer recomputes sunrise/sunset at 01:00 local and evaluates when they moved", () => {
  const { clock, rt, settings, patch } = runtime(Date.parse("2026-06-22T12:00:00+02:00"), BERLIN);
  rt.start();
  try {
    // The home moves without refreshSun (e.g. settings.json edited): nothing happens until 01:00.
    patch({ homeLat: 0, homeLon: 0 });
    clock.advance(12 * 3600_000 + 59 * 60_000); // 00:59 the next day
    assert.deepEqual([settings().sunrise, settings().sunset], [5, 22]);
    const evaluatedAt = rt.view().lastEvaluatedAtMs;
    clock.advance(60_000); // 01:00
    assert.deepEqual([settings().sunrise, settings().sunset], [8, 20]);
    assert.notEqual(rt.view().lastEvaluatedAtMs, evaluatedAt, "re-evaluated");
  } finally {
    rt.stop();
  }
});

test("refreshSun(false) saves new hours without evaluating; stop clears the sun timer", () => {
  const { clock, rt, settings, patch } = runtime(Date.parse("2026-06-22T12:00:00+02:00"), BERLIN);
  rt.start();
  const evaluatedAt = rt.view().lastEvaluatedAtMs;
  patch({ homeLat: 0, homeLon: 0 });
  rt.refreshSun(false);
  assert.deepEqual([settings().sunrise, settings().sunset], [8, 20]);
  assert.equal(rt.view().lastEvaluatedAtMs, evaluatedAt);
  rt.stop();
  patch(BERLIN);
  clock.advance(2 * 24 * 3600_000);
  assert.deepEqual([settings().sunrise, settings().sunset], [8, 20], "no timer after stop");
});

test("the view is the same object until something changes it", () => {
  const { rt } = runtime(Date.parse("2026-06-22T12:00:00+02:00"), BERLIN);
  rt.start();
  try {
    const v = rt.view();
    assert.equal(rt.view(), v);
    rt.clearForced();
    assert.notEqual(rt.view(), v, "clearForced");
    const w = rt.view();
    rt.evaluate("test");
    assert.notEqual(rt.view(), w, "an evaluation");
  } finally {
    rt.stop();
  }
});
