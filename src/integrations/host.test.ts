import assert from "node:assert/strict";
import { test } from "node:test";
import { captureLogger } from "../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../shared/clock.ts";
import { restartDelayMs } from "./backoff.ts";
import { ModuleHost, START_TIMEOUT_MS, STOP_TIMEOUT_MS } from "./host.ts";
import type { Module } from "./module.ts";

/** Lets pending promise callbacks run. */
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A module whose start and stop do what the test says, recording every call in `calls`. */
function testModule(
  name: string,
  calls: string[],
  o: { start?: () => void | Promise<void>; stop?: () => void | Promise<void> } = {},
): Module {
  return {
    name,
    start: () => {
      calls.push(`start ${name}`);
      return o.start?.();
    },
    stop: () => {
      calls.push(`stop ${name}`);
      return o.stop?.();
    },
  };
}

function setup() {
  const clock = new FakeClock();
  const logger = captureLogger();
  const alerts: { on: boolean; message: string; atMs: number }[] = [];
  const host = new ModuleHost({ clock, logger, alert: (on, message, atMs) => alerts.push({ on, message, atMs }) });
  const calls: string[] = [];
  const failures = (): number => logger.records.filter((r) => r.obj.code === "MODULE_FAILED").length;
  return { clock, logger, alerts, host, calls, failures };
}

void test("modules start in order and stop in reverse order; a synchronous start runs at once", async () => {
  const { host, calls, alerts } = setup();
  const ready = host.start([testModule("history", calls), testModule("sources.URL", calls), testModule("demo", calls)]);
  assert.deepEqual(calls, ["start history", "start sources.URL", "start demo"], "every start() was called before start returned");
  assert.deepEqual(host.status().map((s) => s.state), ["running", "running", "running"]);
  await ready;
  calls.length = 0;
  await host.stop();
  assert.deepEqual(calls, ["stop demo", "stop sources.URL", "stop history"]);
  assert.deepEqual(host.status().map((s) => s.state), ["stopped", "stopped", "stopped"]);
  assert.deepEqual(alerts, [], "no alert without a failure");
});

void test("a start that throws is isolated: logged once, alert raised, stopped, restarted after 1 s; the alert clears when it runs", async () => {
  const { clock, host, calls, alerts, failures, logger } = setup();
  let attempts = 0;
  const flaky = testModule("sources.URL", calls, {
    start: () => {
      attempts++;
      if (attempts === 1) throw new Error("cannot reach http://user:secret@meter.local/");
    },
  });
  await host.start([testModule("history", calls), flaky]);
  assert.deepEqual(calls, ["start history", "start sources.URL", "stop sources.URL"]);
  assert.equal(failures(), 1, "logged once");
  const log = logger.records.find((r) => r.obj.code === "MODULE_FAILED");
  assert.equal(log?.level, "error");
  assert.equal(log?.obj.module, "sources.URL");
  assert.doesNotMatch(String(log?.msg), /secret/, "the reason is redacted");
  assert.match(String(log?.msg), /restarting in 1 s/);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.on, true);
  assert.match(alerts[0]?.message ?? "", /sources\.URL \(cannot reach/);
  assert.deepEqual(host.status()[1], {
    name: "sources.URL",
    state: "failed",
    lastError: "cannot reach http://(hidden)@meter.local/",
    restarts: 0,
    retryAtMs: clock.now() + 1000,
  });
  assert.equal(host.status()[0]?.state, "running", "the other module is not affected");

  clock.advance(999);
  await flush();
  assert.equal(attempts, 1, "not before the back-off");
  clock.advance(1);
  await flush();
  assert.equal(attempts, 2);
  assert.equal(host.status()[1]?.state, "running");
  assert.equal(host.status()[1]?.restarts, 1);
  assert.deepEqual(alerts.at(-1), { on: false, message: "", atMs: clock.now() }, "cleared once it runs again");
  assert.equal(failures(), 1);
  await host.stop();
});

void test("a start that rejects is isolated and retried the same way", async () => {
  const { clock, host, calls, alerts } = setup();
  let attempts = 0;
  const m = testModule("sources.HASS", calls, {
    start: () => (++attempts === 1 ? Promise.reject(new Error("HTTP 401")) : Promise.resolve()),
  });
  await host.start([m]);
  assert.equal(host.status()[0]?.state, "failed");
  assert.equal(host.status()[0]?.lastError, "HTTP 401");
  assert.equal(alerts.at(-1)?.on, true);
  assert.deepEqual(calls, ["start sources.HASS", "stop sources.HASS"]);
  clock.advance(1000);
  await flush();
  assert.equal(host.status()[0]?.state, "running");
  assert.equal(alerts.at(-1)?.on, false);
  await host.stop();
});

void test("a start that hangs is timed out on the clock, stopped and retried; its late result is ignored", async () => {
  const { clock, host, calls, alerts, failures } = setup();
  let release: (() => void) | null = null;
  let attempts = 0;
  const m = testModule("sources.MQTT", calls, {
    start: () => (++attempts === 1 ? new Promise<void>((r) => (release = r)) : undefined),
  });
  let settled = false;
  void host.start([m]).then(() => (settled = true));
  await flush();
  assert.equal(host.status()[0]?.state, "starting");
  assert.equal(settled, false);
  clock.advance(START_TIMEOUT_MS - 1);
  await flush();
  assert.equal(host.status()[0]?.state, "starting");
  clock.advance(1);
  await flush();
  assert.equal(settled, true, "host.start settles when the first attempt timed out");
  assert.equal(host.status()[0]?.state, "failed");
  assert.match(host.status()[0]?.lastError ?? "", /start did not finish within 10 s/);
  assert.equal(failures(), 1);
  assert.equal(alerts.at(-1)?.on, true);
  assert.deepEqual(calls, ["start sources.MQTT", "stop sources.MQTT"]);

  clock.advance(1000);
  await flush();
  assert.equal(host.status()[0]?.state, "running", "the second attempt ran");
  assert.ok(release, "the first start is still pending");
  (release as () => void)();
  await flush();
  assert.equal(host.status()[0]?.state, "running");
  assert.equal(host.status()[0]?.restarts, 1, "the late result of the abandoned start changes nothing");
  assert.equal(failures(), 1);
  await host.stop();
});

void test("fail() at runtime isolates the module: logged, alert raised, stopped, restarted with back-off", async () => {
  const { clock, host, calls, alerts, failures } = setup();
  await host.start([testModule("history", calls), testModule("status.MQTT", calls)]);
  calls.length = 0;
  clock.advance(5000);
  host.fail("status.MQTT", new Error("connection lost"));
  host.fail("status.MQTT", new Error("connection lost again"));
  assert.equal(failures(), 1, "one failure is logged once; later reports while failed are ignored");
  assert.deepEqual(calls, ["stop status.MQTT"]);
  assert.equal(host.status()[1]?.lastError, "connection lost");
  assert.equal(alerts.at(-1)?.on, true);
  assert.match(alerts.at(-1)?.message ?? "", /^Module status\.MQTT \(connection lost\) failed/);
  clock.advance(1000);
  await flush();
  assert.deepEqual(calls, ["stop status.MQTT", "start status.MQTT"]);
  assert.equal(alerts.at(-1)?.on, false);
  host.fail("nobody", new Error("x"));
  assert.equal(failures(), 1, "an unknown module's report is ignored");
  await host.stop();
});

void test("back-off doubles from 1 s to 5 min, and starts again at 1 s after a minute of running", async () => {
  const { clock, host, calls } = setup();
  let failing = true;
  const m = testModule("sources.URL", calls, {
    start: () => {
      if (failing) throw new Error("down");
    },
  });
  await host.start([m]);
  const starts = (): number => calls.filter((c) => c.startsWith("start")).length;
  const delays: number[] = [];
  for (let i = 0; i < 12; i++) {
    const before = starts();
    const t0 = clock.now();
    while (starts() === before) {
      clock.advance(500);
      await flush();
    }
    delays.push(clock.now() - t0);
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000]);
  assert.deepEqual(delays, Array.from({ length: 12 }, (_, i) => restartDelayMs(i + 1)));

  failing = false;
  const before = starts();
  clock.advance(300_000);
  await flush();
  assert.equal(starts(), before + 1);
  assert.equal(host.status()[0]?.state, "running");
  clock.advance(60_000);
  host.fail("sources.URL", new Error("lost"));
  assert.equal(host.status()[0]?.retryAtMs, clock.now() + 1000, "after a minute of running the back-off starts again at 1 s");
  clock.advance(1000);
  await flush();
  host.fail("sources.URL", new Error("lost at once"));
  assert.equal(host.status()[0]?.retryAtMs, clock.now() + 2000, "failing again at once doubles it");
  await host.stop();
  assert.equal(clock.pending, 0, "stop cancels the pending restart");
});

void test("a stop that hangs is timed out; the others still stop in reverse order", async () => {
  const { clock, host, calls, logger } = setup();
  await host.start([
    testModule("history", calls),
    testModule("sources.URL", calls, { stop: () => new Promise<void>(() => undefined) }),
    testModule("demo", calls),
  ]);
  calls.length = 0;
  let stopped = false;
  void host.stop().then(() => (stopped = true));
  await flush();
  assert.deepEqual(calls, ["stop demo", "stop sources.URL"]);
  clock.advance(STOP_TIMEOUT_MS - 1);
  await flush();
  assert.equal(stopped, false);
  clock.advance(1);
  await flush();
  await flush();
  assert.equal(stopped, true);
  assert.deepEqual(calls, ["stop demo", "stop sources.URL", "stop history"]);
  assert.ok(logger.records.some((r) => r.obj.code === "MODULE_STOP_TIMEOUT" && r.obj.module === "sources.URL"));
});

void test("a stop that throws or rejects is logged and does not stop the others", async () => {
  const { host, calls, logger } = setup();
  await host.start([
    testModule("a", calls, { stop: () => Promise.reject(new Error("nope")) }),
    testModule("b", calls, {
      stop: () => {
        throw new Error("boom");
      },
    }),
  ]);
  await host.stop();
  assert.deepEqual(calls.filter((c) => c.startsWith("stop")), ["stop b", "stop a"]);
  assert.equal(logger.records.filter((r) => /stop failed/.test(String(r.msg))).length, 2);
});

void test("stop() during a hanging start stops the module; no restart is scheduled after stop", async () => {
  const { clock, host, calls } = setup();
  void host.start([testModule("x", calls, { start: () => new Promise<void>(() => undefined) })]);
  await host.stop();
  assert.deepEqual(calls, ["start x", "stop x"]);
  clock.advance(START_TIMEOUT_MS + 600_000);
  await flush();
  assert.deepEqual(calls, ["start x", "stop x"], "nothing restarted after the host stopped");
  assert.equal(host.status()[0]?.state, "stopped");
});

void test("two failed modules share one alert naming both; it clears only when both run", async () => {
  const { clock, host, calls, alerts } = setup();
  let fail = 2;
  const starts = { a: 0, b: 0 };
  const m = (name: "a" | "b", failFor: number): Module =>
    testModule(name, calls, {
      start: () => {
        if (++starts[name] <= failFor) throw new Error(`${name} down`);
      },
    });
  await host.start([m("a", 1), m("b", fail)]);
  assert.match(alerts.at(-1)?.message ?? "", /^2 modules failed: a \(a down\); b \(b down\)/);
  clock.advance(1000);
  await flush();
  assert.equal(alerts.at(-1)?.on, true);
  assert.match(alerts.at(-1)?.message ?? "", /^Module b \(b down\) failed/);
  fail = 0;
  clock.advance(2000);
  await flush();
  assert.equal(alerts.at(-1)?.on, false);
  await host.stop();
});

void test("a module name given twice starts once", async () => {
  const { host, calls, logger } = setup();
  await host.start([testModule("history", calls), testModule("history", calls)]);
  assert.deepEqual(calls, ["start history"]);
  assert.ok(logger.records.some((r) => r.obj.code === "MODULE_DUPLICATE"));
  await host.stop();
});
