/** The pure extraction of the logging modules' events from the state stream (events.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_RATES, EMPTY_TRACKER, extractEvents, isMuted, localDateTime, type ChargerView, type LogEvent, type StateView, type TrackerState } from "./events.ts";

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

function charger(over: Partial<ChargerView> = {}): ChargerView {
  return {
    id: "AB12",
    charging: false,
    chargingSince: null,
    lifetimeKWh: 100,
    voltage: { a: 230, b: 231, c: 229 },
    vin: { current: null, last: null },
    ...over,
  };
}

function doc(chargers: ChargerView[], energy: Partial<StateView["energy"]> = {}): StateView {
  return { chargers, energy: { generationW: 0, consumptionW: 0, chargerLoadW: 0, stale: true, sources: [], ...energy } };
}

/** Runs documents through the extraction, returning every event and the last state. */
function run(steps: [number, StateView][], start: TrackerState = EMPTY_TRACKER): { events: LogEvent[]; state: TrackerState } {
  let state = start;
  const events: LogEvent[] = [];
  for (const [at, d] of steps) {
    const r = extractEvents(state, d, at);
    state = r.state;
    events.push(...r.events);
  }
  return { events, state };
}

const sessions = (evs: LogEvent[]): LogEvent[] => evs.filter((e) => e.kind.startsWith("session"));

test("a session: start with chargingSince and start kWh, VIN update, stop with end kWh; chargeid = start epoch s", () => {
  const since = new Date(T0 - 2000).toISOString();
  const { events } = run([
    [T0, doc([charger()])],
    [T0 + 1000, doc([charger({ charging: true, chargingSince: since, lifetimeKWh: 100 })])],
    [T0 + 2000, doc([charger({ charging: true, chargingSince: since, lifetimeKWh: 101, vin: { current: "5YJ3E1EA7KF000001", last: null } })])],
    [T0 + 3000, doc([charger({ charging: true, chargingSince: since, lifetimeKWh: 103, vin: { current: "5YJ3E1EA7KF000001", last: null } })])],
    [T0 + 4000, doc([charger({ charging: false, lifetimeKWh: 104, vin: { current: null, last: "5YJ3E1EA7KF000001" } })])],
  ]);
  const id = Math.floor((T0 - 2000) / 1000);
  assert.deepEqual(sessions(events), [
    { kind: "sessionStart", chargeId: id, twcId: "AB12", startMs: T0 - 2000, startKWh: 100 },
    { kind: "sessionVin", chargeId: id, twcId: "AB12", startMs: T0 - 2000, vin: "5YJ3E1EA7KF000001" },
    { kind: "sessionStop", chargeId: id, twcId: "AB12", startMs: T0 - 2000, startKWh: 100, endMs: T0 + 4000, endKWh: 104, vin: "5YJ3E1EA7KF000001" },
  ]);
});

test("each transition fires once; a charger that vanishes while charging closes its session with the last kWh", () => {
  const { events, state } = run([
    [T0, doc([charger({ charging: true, lifetimeKWh: 5 })])],
    [T0 + 1000, doc([charger({ charging: true, lifetimeKWh: 6 })])],
    [T0 + 2000, doc([charger({ charging: true, lifetimeKWh: null })])],
    [T0 + 3000, doc([])],
    [T0 + 4000, doc([])],
  ]);
  assert.deepEqual(
    sessions(events).map((e) => e.kind),
    ["sessionStart", "sessionStop"],
  );
  const stop = events.find((e) => e.kind === "sessionStop");
  assert.equal(stop?.kind === "sessionStop" && stop.endKWh, 6);
  assert.equal(stop?.kind === "sessionStop" && stop.endMs, T0 + 3000);
  assert.equal(state.open.size, 0);
});

test("start kWh unknown at the start is taken from the first report; a future or bad chargingSince means now", () => {
  const { events } = run([
    [T0, doc([charger({ charging: true, lifetimeKWh: null, chargingSince: "not a date" })])],
    [T0 + 1000, doc([charger({ charging: true, lifetimeKWh: 7 })])],
    [T0 + 2000, doc([charger({ charging: false, lifetimeKWh: 8 })])],
    [T0 + 3000, doc([charger({ charging: true, lifetimeKWh: 8, chargingSince: new Date(T0 + 60_000).toISOString() })])],
  ]);
  const [start, stop, second] = sessions(events);
  assert.equal(start?.kind === "sessionStart" && start.startKWh, null);
  assert.equal(start?.kind === "sessionStart" && start.startMs, T0);
  assert.equal(stop?.kind === "sessionStop" && stop.startKWh, 7);
  assert.equal(second?.kind === "sessionStart" && second.startMs, T0 + 3000);
});

test("green energy every interval while a source is fresh; none while stale or without sources", () => {
  const fresh = (gen: number): StateView => doc([], { sources: [{ stale: false, updatedAt: "2026-11-23T12:00:00.000+00:00" }], stale: false, generationW: gen, consumptionW: 500, chargerLoadW: 1440.12345 });
  const { events } = run([
    [T0, fresh(1000)],
    [T0 + 30_000, fresh(1100)],
    [T0 + 60_000, fresh(1200)],
    [T0 + 120_000, { ...fresh(1300), energy: { ...fresh(1300).energy, stale: true } }],
    [T0 + 125_000, doc([], { sources: [], stale: false })],
    [T0 + 126_000, doc([], { sources: [{ stale: false, updatedAt: null }], stale: false })],
    [T0 + 130_000, fresh(1400)],
  ]);
  assert.deepEqual(
    events.map((e) => (e.kind === "greenEnergy" ? [e.atMs - T0, e.genW, e.conW, e.chgW] : null)),
    [
      [0, 1000, 500, 1440.12345],
      [60_000, 1200, 500, 1440.12345],
      [130_000, 1400, 500, 1440.12345],
    ],
  );
});

test("slave status per charger once it reported kWh, then every interval", () => {
  const a = charger({ id: "AAAA", lifetimeKWh: null });
  const b = charger({ id: "BBBB", lifetimeKWh: 12, voltage: { a: 240, b: 0, c: 0 } });
  const { events } = run([
    [T0, doc([a, b])],
    [T0 + 10_000, doc([{ ...a, lifetimeKWh: 3 }, b])],
    [T0 + 59_000, doc([{ ...a, lifetimeKWh: 3 }, b])],
    [T0 + 60_000, doc([{ ...a, lifetimeKWh: 3 }, b])],
  ]);
  assert.deepEqual(
    events.map((e) => (e.kind === "slaveStatus" ? `${e.atMs - T0} ${e.twcId} ${e.kWh} ${e.volts.join("/")}` : e.kind)),
    ["0 BBBB 12 240/0/0", "10000 AAAA 3 230/231/229", "60000 BBBB 12 240/0/0"],
  );
  assert.equal(DEFAULT_RATES.slaveStatusMs, 60_000);
});

test("mute silences a category; local DATETIME format", () => {
  const g: LogEvent = { kind: "greenEnergy", atMs: T0, genW: 1, conW: 2, chgW: 3 };
  const s: LogEvent = { kind: "sessionStart", chargeId: 1, twcId: "AB12", startMs: T0, startKWh: null };
  const mute = { chargeSessions: true, greenEnergy: false, slavePower: false, slaveStatus: false };
  assert.equal(isMuted(g, mute), false);
  assert.equal(isMuted(s, mute), true);
  const d = new Date(2026, 0, 2, 3, 4, 5);
  assert.equal(localDateTime(d.getTime()), "2026-01-02 03:04:05");
});
