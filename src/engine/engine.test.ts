/**
 * Engine component tests: the real controller stack on a FakeClock against the simulator —
 * Charge Now, cancel, shared wiring with two cars, expiry, forced policy, offsets moving the green
 * budget, the schedule across midnight, and webhooks to a loopback server.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { startHarness } from "./engine-harness.test-helper.ts";

const MONDAY_NOON_UTC = Date.UTC(2026, 10, 23, 12, 0, 0);

test("Charge Now sets the budget at once, the car draws it within 10 s, cancel reverts", async () => {
  const h = await startHarness({ core: { wiringMaxAmpsAllTWCs: 40, wiringMaxAmpsPerTWC: 40 } });
  try {
    await h.run(5000);
    assert.equal(h.engine.state.snapshot.policy.active, "Non Scheduled Charging");
    h.commands.chargeNow(20, 3600);
    // Synchronous: the state is consistent when the command returns.
    assert.equal(h.engine.state.snapshot.policy.active, "Charge Now");
    assert.equal(h.engine.state.snapshot.budget.maxAmpsToDivide, 20);
    await h.run(10_000);
    const c = h.engine.state.snapshot.chargers[0]!;
    assert.equal(c.ampsOffered, 20);
    assert.ok(c.reportedAmpsActual >= 19 && c.reportedAmpsActual <= 20, `draws ${c.reportedAmpsActual}`);
    assert.equal(c.charging, true);
    h.commands.cancelChargeNow();
    assert.equal(h.engine.state.snapshot.policy.active, "Non Scheduled Charging");
    assert.equal(h.engine.state.snapshot.budget.maxAmpsToDivide, 0);
    assert.equal(h.settings.get().chargeNowAmps, 0);
    await h.run(15_000);
    assert.equal(h.engine.state.snapshot.chargers[0]!.ampsOffered, 0);
  } finally {
    await h.stop();
  }
});

test("Charge Now expires by itself: settings zeroed and the next policy selected at once", async () => {
  const h = await startHarness({ policyCheckIntervalS: 3600 });
  try {
    await h.run(2000);
    h.commands.chargeNow(8, 60);
    assert.equal(h.engine.state.snapshot.policy.active, "Charge Now");
    await h.run(61_500);
    assert.equal(h.engine.state.snapshot.policy.active, "Non Scheduled Charging");
    assert.equal(h.settings.get().chargeNowAmps, 0);
    assert.equal(h.settings.get().chargeNowTimeEnd, 0);
  } finally {
    await h.stop();
  }
});

test("two cars on a 32 A shared circuit: once both draw, offers to drawing slaves never sum above 32 A", async () => {
  const h = await startHarness({
    core: { wiringMaxAmpsAllTWCs: 32, wiringMaxAmpsPerTWC: 32 },
    slaves: [
      { twcID: "AB", maxAmps: 80, protocolVersion: 2, car: { behaviour: "follow" } },
      { twcID: "CD", maxAmps: 48, protocolVersion: 2, car: { behaviour: "follow" } },
    ],
  });
  try {
    h.commands.chargeNow(32, 7200);
    let worst = 0;
    let bothDrawing = 0;
    let bothSince: number | null = null;
    h.engine.controller.on("heartbeatSent", () => {
      const slaves = h.engine.controller.slaves();
      const drawing = slaves.filter((s) => s.reportedAmpsActual >= 1);
      if (drawing.length === 2) {
        bothSince ??= h.clock.now();
        bothDrawing++;
        // controller.md S-3 (a)–(c): the start of a second car is a documented transient of a few
        // seconds; from 15 s after both cars draw, the sum must stay within the shared limit.
        if (h.clock.now() - bothSince > 15_000) worst = Math.max(worst, drawing.reduce((a, s) => a + s.lastAmpsOffered, 0));
      } else {
        bothSince = null;
      }
      for (const s of slaves) assert.ok(s.lastAmpsOffered <= 32, "never above the per-TWC wiring");
    });
    await h.run(180_000);
    assert.ok(bothDrawing > 50, `both cars drew during ${bothDrawing} heartbeats`);
    assert.ok(worst <= 32, `sum of offers to drawing slaves reached ${worst} A`);
    const actual = h.engine.controller.slaves().reduce((a, s) => a + s.reportedAmpsActual, 0);
    assert.ok(actual > 20 && actual <= 32, `total draw ${actual}`);
  } finally {
    await h.stop();
  }
});

test("setPolicy holds for one check interval, then normal selection resumes", async () => {
  const h = await startHarness({ policyCheckIntervalS: 30 });
  try {
    await h.run(1000);
    h.commands.setPolicy("Track Green Energy");
    assert.equal(h.engine.state.snapshot.policy.active, "Track Green Energy");
    assert.ok(h.engine.state.snapshot.policy.forced);
    await h.run(29_000);
    assert.equal(h.engine.state.snapshot.policy.active, "Track Green Energy");
    await h.run(1500);
    assert.equal(h.engine.state.snapshot.policy.active, "Non Scheduled Charging");
    assert.equal(h.engine.state.snapshot.policy.forced, null);
  } finally {
    await h.stop();
  }
});

test("consumption offsets move the green budget by the documented amount (controller.md §17.5 A, E, F)", async () => {
  const h = await startHarness({ startMs: MONDAY_NOON_UTC, withSource: true, core: { wiringMaxAmpsAllTWCs: 40, wiringMaxAmpsPerTWC: 40 }, slaves: [] });
  try {
    h.source!.set(5000, 1000);
    await h.run(1000);
    assert.equal(h.engine.state.snapshot.policy.active, "Track Green Energy");
    assert.equal(h.engine.state.snapshot.budget.maxAmpsToDivide, 16.67);
    h.commands.addOffset("Heat pump", 2, "A");
    h.commands.addOffset("Pool", 500, "W");
    assert.equal(h.engine.state.snapshot.budget.maxAmpsToDivide, 12.58);
    assert.equal(h.engine.state.snapshot.energy.consumptionW, 1980);
    h.commands.deleteOffset("Heat pump");
    h.commands.deleteOffset("Pool");
    h.commands.addOffset("Battery", -1000, "W");
    assert.equal(h.engine.state.snapshot.budget.maxAmpsToDivide, 20.83);
    h.commands.deleteOffset("Battery");
    h.commands.setLegacyOffset(1.05);
    assert.equal(h.engine.state.snapshot.budget.maxAmpsToDivide, 15.62);
  } finally {
    await h.stop();
  }
});

test("a schedule crossing midnight holds from Monday 22:00 to Tuesday 06:00 (Monday only)", async () => {
  const h = await startHarness({ startMs: Date.UTC(2026, 10, 23, 21, 50, 0), slaves: [] });
  try {
    h.commands.setSchedule({
      scheduledAmpsMax: 16,
      scheduledAmpsStartHour: 22,
      scheduledAmpsEndHour: 6,
      scheduledAmpsDaysBitmap: 1,
    });
    assert.equal(h.engine.state.snapshot.policy.active, "Non Scheduled Charging");
    await h.run(11 * 60_000); // Monday 22:01
    assert.equal(h.engine.state.snapshot.policy.active, "Scheduled Charging");
    assert.equal(h.engine.state.snapshot.budget.maxAmpsToDivide, 16);
    await h.run(2 * 3600_000); // Tuesday 00:01
    assert.equal(h.engine.state.snapshot.policy.active, "Scheduled Charging");
    await h.run(5 * 3600_000 + 57 * 60_000); // Tuesday 05:58
    assert.equal(h.engine.state.snapshot.policy.active, "Scheduled Charging");
    await h.run(3 * 60_000); // Tuesday 06:01
    assert.notEqual(h.engine.state.snapshot.policy.active, "Scheduled Charging");
  } finally {
    await h.stop();
  }
});

test("policy webhooks POST the status document to a loopback server on enter and exit", async () => {
  const calls: { method: string; url: string; body: string; type: string | undefined }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      calls.push({ method: req.method ?? "", url: req.url ?? "", body, type: req.headers["content-type"] });
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  const { sendWebhook } = await import("../cli/webhook.ts");
  const { systemClock } = await import("../shared/clock.ts");
  const h = await startHarness({
    slaves: [],
    policy: { extend: { webhooks: { "Charge Now": { enter: `http://127.0.0.1:${port}/enter`, exit: `http://127.0.0.1:${port}/exit` } } } },
    webhook: (url, method, body) => sendWebhook(url, method, body, systemClock),
  });
  try {
    h.commands.chargeNow(10, 600);
    h.commands.cancelChargeNow();
    for (let i = 0; i < 100 && calls.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      calls.map((c) => [c.method, c.url, c.type]),
      [
        ["POST", "/enter", "application/json"],
        ["POST", "/exit", "application/json"],
      ],
    );
    assert.equal((JSON.parse(calls[0]!.body) as { currentPolicy: string }).currentPolicy, "Charge Now");
  } finally {
    await h.stop();
    server.close();
  }
});
