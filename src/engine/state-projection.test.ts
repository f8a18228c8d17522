/** The pure state projection: a rebuild that reuses unchanged sections equals a full build. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { normaliseSettings } from "../config/settings-normalise.ts";
import { energyComputation } from "../energy/green.ts";
import { isoLocal, toLocalTime } from "../policy/local-time.ts";
import { stateName } from "../protocol/constants.ts";
import { twcId } from "../protocol/frames.ts";
import { Value } from "typebox/value";
import { StateDocumentSchema } from "../state/schema.ts";
import type { StateDocument } from "../state/types.ts";
import { createSlaveState } from "../bus/slave-state.ts";
import { testCore } from "./engine-harness.test-helper.ts";
import type { PolicyView } from "./policy-runtime.ts";
import { sameBesidesLiveness, withLiveness } from "./liveness-patch.ts";
import { buildStateDocument, initialStateDocument, type BuildInputs } from "./state-projection.ts";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 5);
const core = testCore();
const config = { core, slaveTimeoutS: 26, policyCheckIntervalS: 30 };
const view = (amps: number): PolicyView => ({
  active: { index: 0, name: "Charge Now", green: false },
  activePolicy: null,
  policyAmps: amps,
  limitAmps: 32,
  maxAmpsToDivide: amps,
  allowedFlex: 0,
  chargeLimit: -1,
  forced: null,
  latchEndsAtS: null,
  lastEvaluatedAtMs: NOW,
});
const settings = (extra: Record<string, unknown> = {}): BuildInputs["settings"] =>
  normaliseSettings({ chargeNowAmps: 16, chargeNowTimeEnd: NOW / 1000 + 90, scheduledAmpsMax: 10, scheduledAmpsStartHour: 12 + 1 / 60, scheduledAmpsEndHour: 14, ...extra }, 32).settings;

function inputs(nowMs: number, over: Partial<BuildInputs> = {}): BuildInputs {
  const slaves = [createSlaveState(twcId(0x4142), 80, { wiringMaxAmpsPerTWC: 32, useFlexAmpsToStartCharge: false, startStopDelayS: 60 }, NOW)];
  const s = over.settings ?? settings();
  return {
    nowMs,
    iso: (ms) => isoLocal(ms, "UTC"),
    config,
    policy: view(16),
    energy: energyComputation({
      green: false,
      sources: { generationW: 0, consumptionW: 0, consumptionA: 0 },
      allSourcesUsable: true,
      chargers: slaves,
      state: { effectiveBudgetA: 16, carsCharging: 0 },
      settings: s,
      config: { ...core, maxAmpsAllowedFromGrid: 0 },
    }),
    sources: [],
    anyStale: false,
    slaves,
    rpf: () => 1,
    stateName,
    settings: s,
    spikeAmps: 16,
    alerts: [],
    busConnected: true,
    busStats: null,
    settingsSaveFailed: false,
    local: () => toLocalTime(nowMs, "UTC"),
    ...over,
  };
}

const start = (): Readonly<StateDocument> => ({
  ...initialStateDocument({ config, version: "t", startedAtIso: "x", nowIso: "x", bus: { interfaceName: "Dummy", endpoint: null } }),
  revision: 1,
});

test("sections whose inputs are unchanged are reused as they are", () => {
  const i0 = inputs(NOW);
  const d0 = { ...buildStateDocument(start(), i0), revision: 2 };
  const i1 = inputs(NOW + 1000, { policy: i0.policy, settings: i0.settings });
  const d1 = buildStateDocument(d0, i1, i0);
  assert.equal(d1.budget, d0.budget);
  assert.equal(d1.policy, d0.policy);
  assert.equal(d1.schedule, d0.schedule);
  assert.equal(d1.chargeNow, d0.chargeNow);
  assert.deepEqual(d1, buildStateDocument(d0, i1));
});

test("a rebuild with reuse equals a full build whatever changed", () => {
  const i0 = inputs(NOW);
  const d0 = { ...buildStateDocument(start(), i0), revision: 2 };
  const same = { policy: i0.policy, settings: i0.settings };
  const cases: [string, BuildInputs][] = [
    ["the next minute (schedule starts)", inputs(NOW + 55_000, same)],
    ["Charge Now's end passes", inputs(NOW + 91_000, same)],
    ["a new policy view", inputs(NOW + 1000, { settings: i0.settings, policy: view(20) })],
    ["spike amps", inputs(NOW + 1000, { ...same, spikeAmps: 21 })],
    ["new settings", inputs(NOW + 1000, { policy: i0.policy, settings: settings({ scheduledAmpsMax: 12 }) })],
  ];
  for (const [what, i1] of cases) {
    const reused = buildStateDocument(d0, i1, i0);
    assert.deepEqual(reused, buildStateDocument(d0, i1), what);
  }
  assert.equal(buildStateDocument(d0, cases[0]![1], i0).schedule.activeNow, true);
  assert.equal(buildStateDocument(d0, cases[1]![1], i0).chargeNow.active, false);
});

test("the MQTT part: each connection with its since time, the topic prefixes; none without MQTT", () => {
  const i0 = inputs(NOW);
  assert.deepEqual(buildStateDocument(start(), i0).mqtt, {
    connections: [],
    controlTopicPrefix: null,
    statusTopicPrefix: null,
    homeAssistantControls: false,
  });
  const mqtt = {
    connections: [
      { broker: "mqtt://127.0.0.1:1883", version: "5" as const, connected: true, connectedSinceMs: NOW - 1000, lastError: null, users: ["status.MQTT", "control.MQTT"], connects: 2 },
      { broker: "mqtts://b:8883", version: "3.1.1" as const, connected: false, connectedSinceMs: null, lastError: "ECONNREFUSED", users: ["sources.MQTT"], connects: 0 },
    ],
    controlTopicPrefix: "TWC",
    statusTopicPrefix: "home/twc",
    homeAssistantControls: true,
  };
  const d = buildStateDocument(start(), inputs(NOW, { mqtt }));
  assert.deepEqual(d.mqtt, {
    connections: [
      { broker: "mqtt://127.0.0.1:1883", version: "5", connected: true, since: i0.iso(NOW - 1000), lastError: null, users: ["status.MQTT", "control.MQTT"], connects: 2 },
      { broker: "mqtts://b:8883", version: "3.1.1", connected: false, since: null, lastError: "ECONNREFUSED", users: ["sources.MQTT"], connects: 0 },
    ],
    controlTopicPrefix: "TWC",
    statusTopicPrefix: "home/twc",
    homeAssistantControls: true,
  });
  assert.ok(Value.Check(StateDocumentSchema, { ...d, revision: 1 }), "the document keeps to its schema");
});

test("a liveness patch (the heartbeat answers of an idle bus) equals a full build", () => {
  const i0 = inputs(NOW);
  const d0 = { ...buildStateDocument(start(), i0), revision: 2 };
  const same = { policy: i0.policy, settings: i0.settings };
  const iso = i0.iso;
  for (const [what, atMs] of [["the next answer", NOW + 1000], ["silent past the link timeout", NOW + 28_000]] as const) {
    const slaves = i0.slaves.map((s) => ({ ...s, heartbeatCommand: { ...s.heartbeatCommand }, lastRxAtMs: NOW + 1000, lastHeartbeatAtMs: NOW + 1000, historyAvgAmps: 7.5, historyNumSamples: 9 }));
    assert.equal(sameBesidesLiveness(i0.slaves, slaves), true, what);
    const patched = withLiveness(d0, slaves, iso, { nowMs: atMs, timeoutMs: config.slaveTimeoutS * 1000 });
    assert.deepEqual(patched, buildStateDocument(d0, inputs(atMs, { ...same, slaves }), i0), what);
    assert.equal(patched.chargers[0]?.why, d0.chargers[0]?.why, "the rest of the charger is kept as it is");
    assert.equal(patched.chargers[0]?.responding, atMs === NOW + 1000, what);
  }
  const patched = withLiveness(d0, i0.slaves.map((s) => ({ ...s, lastRxAtMs: NOW + 27_000 })), iso, { nowMs: NOW + 27_000, timeoutMs: 26_000 });
  assert.equal(patched.chargers[0]?.responding, true);
  assert.equal(d0.chargers[0]?.lastHeartbeatAt, null, "no heartbeat yet: stays null");
});

test("slaves are the same besides their liveness only when every other field is the same, nested ones by value", () => {
  const a = inputs(NOW).slaves;
  const with_ = (over: Record<string, unknown>): typeof a => a.map((s) => ({ ...s, ...over }));
  assert.equal(sameBesidesLiveness(a, with_({ lastRxAtMs: NOW + 5, lastHeartbeatAtMs: NOW + 5 })), true);
  assert.equal(sameBesidesLiveness(a, with_({ vinParts: ["", "", ""] })), true, "an equal new array");
  const changes: [string, typeof a][] = [
    ["reported amps", with_({ reportedAmpsActual: 0.01 })],
    ["a nested value", with_({ heartbeatCommand: { code: 0x09, centiAmps: 600 } })],
    ["an array entry", with_({ vinParts: ["5YJ", "", ""] })],
    ["a new key", with_({ offerTrace: { budgetA: 1 } })],
    ["NaN against 0", with_({ reportedAmpsMax: Number.NaN })],
    ["another slave", [...a, ...a]],
    ["no slave", []],
  ];
  for (const [what, b] of changes) assert.equal(sameBesidesLiveness(a, b), false, what);
});
