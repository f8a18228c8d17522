import { test } from "node:test";
import assert from "node:assert/strict";
import type { Settings } from "../config/settings-schema.ts";
import type { SlaveState } from "../bus/slave-state.ts";
import type { Alert, EnergySourceStatus } from "../state/types.ts";
import type { PolicyView } from "./policy-runtime.ts";
import { sameRefreshInputs, type RefreshInputs } from "./refresh-inputs.ts";

const source = (): EnergySourceStatus => ({
  name: "URL",
  ok: true,
  stale: false,
  updatedAt: "2026-01-01T12:00:00.000Z",
  generationW: 1000,
  consumptionW: 400,
  consumptionA: null,
  error: null,
});
const alert = (): Alert => ({ code: "NO_CHARGERS", severity: "warning", message: "No charger has linked", since: "2026-01-01T12:00:30.000+00:00" });

function inputs(): RefreshInputs {
  return {
    slaves: SLAVES,
    policy: VIEW,
    settings: SETTINGS,
    readings: { generationW: 1000, consumptionW: 400, consumptionA: 0, allUsable: true, anyStale: false },
    sources: [source()],
    spikeAmps: 16,
    alerts: [alert()],
    busConnected: true,
    settingsSaveFailed: false,
    minute: 29_000_000,
    chargeNowAhead: false,
    silentSlaves: 0,
  };
}
const SLAVES: readonly SlaveState[] = [];
const VIEW = { maxAmpsToDivide: 0 } as PolicyView;
const SETTINGS = { chargeNowTimeEnd: 0 } as unknown as Readonly<Settings>;

test("the same inputs, read again into fresh objects, need no rebuild", () => {
  assert.equal(sameRefreshInputs(inputs(), inputs()), true);
});

test("any input that enters the document asks for a rebuild", () => {
  const changes: [string, (i: RefreshInputs) => RefreshInputs][] = [
    ["a new slave array", (i) => ({ ...i, slaves: [] })],
    ["a new policy view", (i) => ({ ...i, policy: { ...VIEW } })],
    ["new settings", (i) => ({ ...i, settings: { ...SETTINGS } })],
    ["generation", (i) => ({ ...i, readings: { ...i.readings, generationW: 1001 } })],
    ["consumption", (i) => ({ ...i, readings: { ...i.readings, consumptionW: 401 } })],
    ["consumption amps", (i) => ({ ...i, readings: { ...i.readings, consumptionA: 1 } })],
    ["usability", (i) => ({ ...i, readings: { ...i.readings, allUsable: false } })],
    ["staleness", (i) => ({ ...i, readings: { ...i.readings, anyStale: true } })],
    ["a source's status", (i) => ({ ...i, sources: [{ ...source(), ok: false }] })],
    ["a source's reading time", (i) => ({ ...i, sources: [{ ...source(), updatedAt: "2026-01-01T12:00:01.000Z" }] })],
    ["a source's error", (i) => ({ ...i, sources: [{ ...source(), error: "timeout" }] })],
    ["one more source", (i) => ({ ...i, sources: [source(), source()] })],
    ["spike amps", (i) => ({ ...i, spikeAmps: 21 })],
    ["an alert's message", (i) => ({ ...i, alerts: [{ ...alert(), message: "other" }] })],
    ["an alert's charger", (i) => ({ ...i, alerts: [{ ...alert(), twcId: "ABCD" }] })],
    ["an alert cleared", (i) => ({ ...i, alerts: [] })],
    ["the bus connection", (i) => ({ ...i, busConnected: false })],
    ["a failed save", (i) => ({ ...i, settingsSaveFailed: true })],
    ["the next minute", (i) => ({ ...i, minute: i.minute + 1 })],
    ["Charge Now's end passing", (i) => ({ ...i, chargeNowAhead: true })],
    ["a charger going silent past the link timeout", (i) => ({ ...i, silentSlaves: 1 })],
  ];
  for (const [what, change] of changes) assert.equal(sameRefreshInputs(inputs(), change(inputs())), false, what);
});

test("an MQTT connection that goes up or down, or changes its users, needs a rebuild; fresh equal copies do not", () => {
  const conn = (connected: boolean, users = ["control.MQTT"]) => ({
    broker: "mqtt://127.0.0.1:1883",
    version: "3.1.1" as const,
    connected,
    connectedSinceMs: connected ? 1000 : null,
    lastError: connected ? null : "ECONNREFUSED",
    users,
    connects: 1,
  });
  const mqtt = (c: ReturnType<typeof conn>[]) => ({ connections: c, controlTopicPrefix: "TWC", statusTopicPrefix: null, homeAssistantControls: false });
  const a = { ...inputs(), mqtt: mqtt([conn(true)]) };
  assert.equal(sameRefreshInputs(a, { ...inputs(), mqtt: mqtt([conn(true)]) }), true);
  assert.equal(sameRefreshInputs(a, { ...inputs(), mqtt: mqtt([conn(false)]) }), false);
  assert.equal(sameRefreshInputs(a, { ...inputs(), mqtt: mqtt([conn(true, ["control.MQTT", "status.MQTT"])]) }), false);
  assert.equal(sameRefreshInputs(a, { ...inputs(), mqtt: mqtt([]) }), false);
  assert.equal(sameRefreshInputs(a, inputs()), false, "no MQTT input is the empty one");
  assert.equal(sameRefreshInputs({ ...inputs(), mqtt: mqtt([]) }, { ...inputs(), mqtt: { ...mqtt([]), controlTopicPrefix: null } }), false);
});
