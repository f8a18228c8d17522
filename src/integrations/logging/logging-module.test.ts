/**
 * The common body of the logging modules (logging-module.ts) on a fake sink under the real module
 * host: events reach the sink off the state callback, muted ones never do; a failing sink fails the
 * module (MODULE_FAILED, back-off) and keeps the event, which is written after the restart together
 * with a session seen meanwhile; the queue is bounded and drops are counted and warned; a refused row
 * is dropped, not retried forever; stop writes what is queued.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Commands } from "../../engine/commands.ts";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { moduleContext } from "../context.ts";
import { ModuleHost } from "../host.ts";
import type { StateReader } from "../module.ts";
import type { ChargerView, LogEvent, StateView } from "./events.ts";
import { LoggingModule, RowRejectedError, type LogSink } from "./logging-module.ts";

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** A state stream the test publishes to. */
class FakeState {
  doc: StateView = { chargers: [], energy: { generationW: 0, consumptionW: 0, chargerLoadW: 0, stale: true, sources: [] } };
  private readonly cbs = new Set<() => void>();
  reader(): StateReader {
    const current = (): StateView => this.doc;
    return {
      get snapshot() {
        return current();
      },
      revision: 1,
      onPatch: (cb: () => void) => {
        this.cbs.add(cb);
        return () => this.cbs.delete(cb);
      },
      patchesSince: () => null,
    } as unknown as StateReader;
  }
  publish(doc: StateView): void {
    this.doc = doc;
    for (const cb of [...this.cbs]) cb();
  }
  listeners(): number {
    return this.cbs.size;
  }
}

/** A sink that records, and fails or refuses on command. */
class FakeSink implements LogSink {
  written: LogEvent[] = [];
  opens = 0;
  closes = 0;
  failOpen = false;
  failWrite = false;
  refuse: (ev: LogEvent) => boolean = () => false;
  lost: ((err: unknown) => void) | null = null;
  open(lost: (err: unknown) => void): Promise<void> {
    this.opens++;
    this.lost = lost;
    return this.failOpen ? Promise.reject(new Error("ECONNREFUSED 127.0.0.1:3306")) : Promise.resolve();
  }
  write(ev: LogEvent): Promise<void> {
    if (this.refuse(ev)) return Promise.reject(new RowRejectedError("Duplicate entry"));
    if (this.failWrite) return Promise.reject(new Error("connection lost"));
    this.written.push(ev);
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closes++;
    return Promise.resolve();
  }
}

const charger = (charging: boolean, kWh = 10): ChargerView => ({
  id: "AB12",
  charging,
  chargingSince: null,
  lifetimeKWh: kWh,
  voltage: { a: 230, b: 0, c: 0 },
  vin: { current: null, last: null },
});
/** A document with `chargers` and, when `gen` is a number, a fresh energy reading. */
const docOf = (chargers: ChargerView[], gen: number | null = null): StateView => ({
  chargers,
  energy:
    gen === null
      ? { generationW: 0, consumptionW: 0, chargerLoadW: 0, stale: true, sources: [] }
      : { generationW: gen, consumptionW: 100, chargerLoadW: 0, stale: false, sources: [{ stale: false, updatedAt: "x" }] },
});
const withCharger = (c: ChargerView): StateView => docOf([c]);

/** The module on a fake sink under a real host (slave status muted unless said otherwise). */
function setup(o: { maxQueued?: number; mute?: Partial<Record<"chargeSessions" | "greenEnergy" | "slaveStatus", boolean>> } = {}) {
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 12));
  const logger = captureLogger();
  const alerts: boolean[] = [];
  const host = new ModuleHost({ clock, logger, alert: (on) => alerts.push(on) });
  const state = new FakeState();
  const sink = new FakeSink();
  const ctx = moduleContext("logging.Test", {
    clock,
    logger,
    state: state.reader(),
    commands: {} as Commands,
    fail: (n, e) => host.fail(n, e),
  });
  const module = new LoggingModule(
    {
      name: "logging.Test",
      mute: { chargeSessions: false, greenEnergy: false, slavePower: false, slaveStatus: true, ...o.mute },
      sink,
      ...(o.maxQueued === undefined ? {} : { maxQueued: o.maxQueued }),
    },
    ctx,
  );
  return { clock, logger, alerts, host, state, sink, module };
}

test("events reach the sink off the state callback; muted categories never do; stop releases the subscription", async () => {
  const { host, state, sink, module } = setup();
  await host.start([module]);
  assert.equal(state.listeners(), 1);
  state.publish(withCharger(charger(true)));
  assert.equal(sink.written.length, 0, "nothing is written inside the state callback");
  await flush();
  state.publish(withCharger(charger(false, 12)));
  await flush();
  assert.deepEqual(
    sink.written.map((e) => e.kind),
    ["sessionStart", "sessionStop"],
  );
  await host.stop();
  assert.equal(state.listeners(), 0);
  assert.equal(sink.closes, 1);
  assert.deepEqual(module.stats(), { written: 2, dropped: 0, rejected: 0, queued: 0 });
});

test("a failing sink fails the module with back-off; the event is kept and written after the restart with what happened meanwhile", async () => {
  const { clock, logger, alerts, host, state, sink, module } = setup();
  await host.start([module]);
  state.publish(withCharger(charger(true)));
  await flush();
  sink.failWrite = true;
  state.publish(docOf([charger(true)], 500));
  await flush();
  assert.equal(host.status()[0]?.state, "failed");
  assert.equal(alerts.at(-1), true);
  assert.ok(logger.records.some((r) => r.obj.code === "MODULE_FAILED" && String(r.obj.reason).includes("connection lost")));
  assert.equal(module.stats().queued, 1, "the green energy row waits");
  // While it is down the session ends; the database is still unreachable at the first restart.
  state.publish(withCharger(charger(false, 15)));
  sink.failWrite = false;
  sink.failOpen = true;
  await clock.advanceAsync(1000, 100);
  await flush();
  assert.equal(host.status()[0]?.state, "failed");
  sink.failOpen = false;
  await clock.advanceAsync(2000, 100);
  await flush();
  assert.equal(host.status()[0]?.state, "running");
  assert.equal(alerts.at(-1), false);
  assert.deepEqual(
    sink.written.map((e) => e.kind),
    ["sessionStart", "greenEnergy", "sessionStop"],
  );
  const stop = sink.written[2];
  assert.equal(stop?.kind === "sessionStop" && stop.endKWh, 15);
  await host.stop();
});

test("a connection lost between writes (the sink's lost callback) fails the module", async () => {
  const { host, sink, module } = setup();
  await host.start([module]);
  sink.lost?.(new Error("server closed the connection"));
  assert.equal(host.status()[0]?.state, "failed");
  assert.equal(host.status()[0]?.lastError, "server closed the connection");
  await host.stop();
});

test("the queue is bounded: while the sink is slow the oldest events are dropped, counted and warned once a minute", async () => {
  const { clock, logger, host, state, sink, module } = setup({ maxQueued: 3 });
  await host.start([module]);
  let release: () => void = () => undefined;
  const slow = new Promise<void>((r) => (release = r));
  const write = sink.write.bind(sink);
  sink.write = async (ev) => {
    await slow;
    return write(ev);
  };
  // Ten minutes of green energy while the first write hangs.
  for (let i = 0; i < 10; i++) {
    state.publish(docOf([], 1000 + i));
    await clock.advanceAsync(60_000, 10_000);
    await flush();
  }
  assert.equal(host.status()[0]?.state, "running", "a slow sink is not a failure");
  assert.equal(module.stats().queued, 3);
  assert.ok(module.stats().dropped >= 7, `1001 … 1006 and more dropped; 1000 is being written (${module.stats().dropped})`);
  const warns = logger.records.filter((r) => r.obj.code === "LOGGING_EVENTS_DROPPED");
  assert.ok(warns.length >= 1 && warns.length <= 10, `warned at most once a minute in ten minutes (${warns.length})`);
  assert.match(warns[0]!.msg ?? "", /event\(s\) dropped \(more than 3 waiting\)/);
  release();
  for (let i = 0; i < 20 && module.stats().queued > 0; i++) await flush();
  const written = sink.written.map((e) => (e.kind === "greenEnergy" ? e.genW : e.kind));
  assert.equal(written.length, 3, "the one being written, then the newest two (the bound counts it)");
  assert.equal(written[0], 1000);
  assert.equal(written[2], 1009);
  assert.deepEqual(module.stats().queued, 0);
  await host.stop();
});

test("a row the sink refuses is dropped and counted, the next ones are written", async () => {
  const { host, state, sink, module } = setup();
  sink.refuse = (ev) => ev.kind === "sessionStart";
  await host.start([module]);
  state.publish(withCharger(charger(true)));
  state.publish(withCharger(charger(false)));
  await flush();
  await flush();
  assert.deepEqual(
    sink.written.map((e) => e.kind),
    ["sessionStop"],
  );
  assert.equal(module.stats().rejected, 1);
  assert.equal(host.status()[0]?.state, "running");
  await host.stop();
});
