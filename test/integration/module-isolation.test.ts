/**
 * Integration modules never stop the product (issue 9 §5). In-process, on a FakeClock: modules whose
 * start throws, hangs, or that fail later are isolated by the module host while the bus keeps
 * heartbeating and HTTP keeps answering; the MODULE_FAILED alert shows in the state document and
 * clears once they run again. As a process: energy sources that cannot reach their meters (a server
 * that never answers, closed ports) leave the product serving and shutting down normally.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import type { Module } from "../../src/integrations/module.ts";
import { FakeClock } from "../../src/shared/clock.ts";
import type { StateDocument } from "../../src/state/types.ts";
import { advanceUntil, localInstant, startHarness } from "./http-harness.ts";
import { dummyConfig, freePort, getJson, spawnCli, tempDir, waitFor, writeConfig } from "./helpers.ts";

test("modules that throw, hang or fail later are isolated; the bus and HTTP carry on; MODULE_FAILED shows and clears", { timeout: 60_000 }, async () => {
  const clock = new FakeClock(localInstant(23));
  const h = await startHarness({ clock });
  try {
    await advanceUntil(clock, () => h.product.engine.state.snapshot.chargers.length === 1, 60_000);
    let throwing = 2;
    let hanging = true;
    const modules: Module[] = [
      {
        name: "test.throws",
        start: () => {
          if (throwing-- > 0) throw new Error("start exploded");
        },
        stop: () => undefined,
      },
      { name: "test.hangs", start: () => (hanging ? new Promise<void>(() => undefined) : undefined), stop: () => undefined },
      { name: "test.failsLater", start: () => undefined, stop: () => undefined },
    ];
    void h.product.modules.start(modules);
    h.product.modules.fail("test.failsLater", new Error("lost its broker"));

    const alert = (): StateDocument["alerts"][number] | undefined =>
      h.product.engine.state.snapshot.alerts.find((a) => a.code === "MODULE_FAILED");
    await advanceUntil(clock, () => alert() !== undefined, 5_000);
    assert.equal(alert()?.severity, "warning");
    assert.match(alert()?.message ?? "", /test\.throws \(start exploded\)/);
    assert.match(alert()?.message ?? "", /test\.failsLater \(lost its broker\)/);
    assert.match(alert()?.since ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$/, "local time with offset");

    const framesBefore = h.product.simBus!.stats.framesReceived;
    hanging = false;
    // The hanging start times out (10 s), the throwing one fails twice more (1 s, 2 s): all run again by 20 s.
    await advanceUntil(clock, () => h.product.modules.status().every((s) => s.state === "running"), 30_000);
    assert.ok(h.product.simBus!.stats.framesReceived > framesBefore + 5, "the bus kept heartbeating meanwhile");
    const res = await fetch(h.url("/api/getStatus"));
    assert.equal(res.status, 200, "HTTP answers");
    await advanceUntil(clock, () => alert() === undefined, 5_000);
    const byName = new Map(h.product.modules.status().map((s) => [s.name, s]));
    assert.equal(byName.get("test.throws")?.restarts, 2);
    assert.equal(byName.get("test.hangs")?.restarts, 1);
    assert.equal(byName.get("test.failsLater")?.restarts, 1);
    assert.equal(byName.get("history")?.state, "running", "the product's own modules were not touched");
    const state = (await getJson(h.port, "/api/v2/state")) as StateDocument;
    assert.equal(state.alerts.some((a) => a.code === "MODULE_FAILED"), false);
  } finally {
    await h.stop();
  }
});

test("energy sources that cannot reach their meters do not stop the product", { timeout: 60_000 }, async () => {
  // A meter that accepts connections and never answers, and two ports where nothing listens.
  const sockets = new Set<Socket>();
  const silent = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  const silentPort = (silent.address() as { port: number }).port;
  const closedPort = await freePort();
  const t = tempDir("twcm-modules-");
  const port = await freePort();
  const config = writeConfig(
    t.dir,
    dummyConfig(join(t.dir, "settings"), port, {
      sources: {
        URL: { enabled: true, url: `http://127.0.0.1:${silentPort}/meter`, generationItem: "gen", pollIntervalS: 2 },
        HASS: { enabled: true, serverIP: "127.0.0.1", serverPort: closedPort, apiKey: "k", hassEntityGeneration: "sensor.pv" },
        MQTT: { enabled: true, brokerIP: "127.0.0.1", brokerPort: closedPort, generationTopic: "pv/w" },
      },
    }),
  );
  const cli = spawnCli(["--config", config]);
  try {
    const state = await waitFor(async () => {
      const s = (await getJson(port, "/api/v2/state")) as StateDocument;
      const failing = s.energy.sources.filter((src) => src.error !== null).map((src) => src.name);
      return s.chargers.length === 1 && failing.includes("URL") && failing.includes("HASS") ? s : null;
    }, 30_000, `linked charger and failing sources: ${cli.output()}`);
    assert.deepEqual(state.energy.sources.map((s) => s.name), ["URL", "HASS", "MQTT"]);
    assert.ok(await getJson(port, "/api/getStatus"), "the legacy API answers");
    assert.equal(cli.child.exitCode, null, "still running");
  } finally {
    const code = await cli.kill("SIGTERM");
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
    t.cleanup();
    assert.equal(code, 0, cli.output());
  }
});
