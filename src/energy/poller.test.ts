import assert from "node:assert/strict";
import { test } from "node:test";
import { captureLogger } from "../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../shared/clock.ts";
import { ModuleHost } from "../integrations/host.ts";
import { meterModule } from "../integrations/meter-module.ts";
import { EnergyPoller } from "./poller.ts";
import { Listeners } from "./source.ts";
import type { EnergySource, EnergySourceName, Reading } from "./source.ts";
import type { HealthTransition } from "./staleness.ts";

/** A source driven by the test. */
class ManualSource implements EnergySource {
  reading: Reading | null = null;
  error: string | null = null;
  started = false;
  private readonly listeners = new Listeners<Reading>(captureLogger());
  constructor(readonly name: EnergySourceName) {}
  start(): void {
    this.started = true;
  }
  stop(): Promise<void> {
    this.started = false;
    return Promise.resolve();
  }
  latest(): Reading | null {
    return this.reading;
  }
  lastError(): string | null {
    return this.error;
  }
  on(_e: "reading", cb: (r: Reading) => void): () => void {
    return this.listeners.add(cb);
  }
  push(r: Omit<Reading, "at">, at: number): void {
    this.reading = { ...r, at };
    this.error = null;
    this.listeners.emit(this.reading);
  }
}

function setup() {
  const clock = new FakeClock();
  const url = new ManualSource("URL");
  const hass = new ManualSource("HASS");
  const poller = new EnergyPoller({ clock, logger: captureLogger() });
  // The sources' lifecycle is the module host's (integrations/host.ts); the poller watches them.
  const host = new ModuleHost({ clock, logger: captureLogger(), alert: () => undefined });
  const modules = [url, hass].map((s) => meterModule(`sources.${s.name}`, s, poller));
  const events: HealthTransition[][] = [];
  poller.on("transition", (c) => events.push(c));
  poller.start();
  void host.start(modules);
  return { clock, url, hass, poller, host, events };
}

void test("starts and stops every source", async () => {
  const { url, hass, poller, host, clock } = setup();
  assert.equal(url.started && hass.started, true);
  await poller.stop();
  await host.stop();
  assert.equal(url.started || hass.started, false);
  assert.equal(clock.pending, 0);
});

void test("first reading is a transition; readings sum usable sources; status per source", async () => {
  const { clock, url, poller, events } = setup();
  clock.advance(5_000);
  url.push({ generationW: 3000, consumptionW: 800 }, clock.now());
  assert.equal(events.length, 1);
  assert.deepEqual(
    events[0]?.map((t) => [t.name, t.usableChanged, t.to.usable]),
    [["URL", true, true]],
  );
  const r = poller.readings(clock.now());
  assert.equal(r.generationW, 3000);
  assert.equal(r.consumptionW, 800);
  assert.equal(r.allUsable, false, "HASS has not delivered yet");
  assert.equal(r.anyStale, false, "…but it is not stale before energyStaleAfterS");
  const status = poller.status(clock.now());
  assert.deepEqual(status[0], {
    name: "URL",
    ok: true,
    stale: false,
    updatedAt: new Date(clock.now()).toISOString(),
    generationW: 3000,
    consumptionW: 800,
    consumptionA: null,
    error: null,
  });
  assert.deepEqual(status[1], {
    name: "HASS",
    ok: false,
    stale: false,
    updatedAt: null,
    generationW: null,
    consumptionW: null,
    consumptionA: null,
    error: null,
  });
  await poller.stop();
});

void test("a silent source turns stale 300 s after start-up; an old reading turns unusable after 300 s (timer on the clock)", async () => {
  const { clock, url, poller, events } = setup();
  url.push({ generationW: 1000, consumptionW: 100 }, clock.now());
  events.length = 0;
  clock.advance(300_000);
  assert.equal(events.length, 0, "300 s old is still fresh");
  assert.equal(poller.readings(clock.now()).generationW, 1000);
  clock.advance(1_000);
  const flat = events.flat().map((t) => [t.name, t.usableChanged, t.to.usable, t.to.stale]);
  assert.deepEqual(flat, [
    ["URL", true, false, true],
    ["HASS", false, false, true],
  ]);
  const r = poller.readings(clock.now());
  assert.equal(r.generationW, 0);
  assert.equal(r.anyStale, true);
  assert.equal(poller.status(clock.now())[0]?.stale, true);
  assert.equal(poller.status(clock.now())[0]?.ok, false);

  events.length = 0;
  url.push({ generationW: 2000, consumptionW: 100 }, clock.now());
  assert.deepEqual(
    events.flat().map((t) => [t.name, t.to.usable, t.to.stale]),
    [["URL", true, false]],
  );
  await poller.stop();
});

void test("a reading that keeps arriving emits no further transitions", async () => {
  const { clock, url, poller, events } = setup();
  for (let i = 0; i < 50; i++) {
    url.push({ generationW: i, consumptionW: 0 }, clock.now());
    clock.advance(10_000);
  }
  assert.equal(events.flat().filter((t) => t.name === "URL").length, 1);
  await poller.stop();
});

void test("a failing source reports its error and is not ok", async () => {
  const { clock, url, poller } = setup();
  url.push({ generationW: 1, consumptionW: 1 }, clock.now());
  url.error = "HTTP 500";
  const s = poller.status(clock.now())[0];
  assert.equal(s?.ok, false);
  assert.equal(s?.error, "HTTP 500");
  assert.equal(s?.stale, false);
  await poller.stop();
});

/** A source with module attributes and read counters, like the catalogue's polled sources. */
class AttributedSource extends ManualSource {
  attrs: Record<string, string | number | boolean | null> = {};
  attributes(): Record<string, string | number | boolean | null> {
    return this.attrs;
  }
  readCounts(): { ok: number; failed: number } {
    return { ok: 3, failed: 1 };
  }
}

void test("moduleAttribute: registered name or alias, usable reading only, unknown/absent/null → undefined", () => {
  const clock = new FakeClock();
  const pw = new AttributedSource("Powerwall2");
  const poller = new EnergyPoller({ clock, logger: captureLogger(), sources: [pw], staleAfterS: 60 });
  poller.start();
  assert.equal(poller.moduleAttribute("TeslaPowerwall2", "batteryLevel", clock.now()), undefined); // no reading yet
  pw.attrs = { batteryLevel: 85, gridStatus: null };
  pw.push({ generationW: 0, consumptionW: 0 }, clock.now());
  assert.deepEqual(poller.moduleAttribute("TeslaPowerwall2", "batteryLevel", clock.now()), { value: 85 });
  assert.deepEqual(poller.moduleAttribute("Powerwall2", "batteryLevel", clock.now()), { value: 85 });
  assert.equal(poller.moduleAttribute("Powerwall2", "gridStatus", clock.now()), undefined);
  assert.equal(poller.moduleAttribute("Powerwall2", "nope", clock.now()), undefined);
  assert.equal(poller.moduleAttribute("Fronius", "generatedW", clock.now()), undefined); // not running
  assert.equal(poller.moduleAttribute("NoSuch", "x", clock.now()), undefined);
  assert.equal(poller.moduleAttribute("Powerwall2", "batteryLevel", clock.now() + 61_000), undefined); // stale
  const st = poller.status(clock.now())[0];
  assert.equal(st?.readsOk, 3);
  assert.equal(st?.readsFailed, 1);
  void poller.stop();
});
