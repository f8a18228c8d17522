/**
 * Issue "the bus", items 8 and 9, through the whole stack (engine harness: Engine + BusController +
 * FrameStream + ReconnectingPort + simulator on a fake clock): absurd readings put on the wire are not
 * believed, and noise that starves the heartbeats raises an alert.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { MASTER_ID, twcId, type Frame } from "../protocol/frames.ts";
import { every } from "../shared/clock.ts";
import { encodeReply } from "../sim/bus-bytes.ts";
import { startHarness, type Harness } from "../engine/engine-harness.test-helper.ts";

const AB = twcId(0x4142);
let h: Harness | null = null;

afterEach(async () => {
  await h?.stop();
  h = null;
});

const charger = (x: Harness): ReturnType<Harness["engine"]["state"]["snapshot"]["chargers"]["at"]> =>
  x.engine.state.snapshot.chargers.find((c) => c.id === "4142");

void describe("absurd readings (item 8)", () => {
  void it("255 A, 65535 V and 4 294 967 295 kWh from a 32 A charger are not believed, counted and alerted", async () => {
    h = await startHarness({
      core: { wiringMaxAmpsPerTWC: 32, wiringMaxAmpsAllTWCs: 32, minAmpsPerTWC: 6 },
      slaves: [
        {
          twcID: "AB",
          maxAmps: 32,
          protocolVersion: 2,
          lifetimeKWh: 56,
          voltage: [230, 0, 0],
          car: { behaviour: "none" },
        },
      ],
    });
    await h.run(70_000); // linked, heartbeats flowing, the first kWh report (56 kWh, 230 V) in
    const good = charger(h);
    assert.equal(good?.lifetimeKWh, 56);
    assert.equal(good?.minAmps, 6);

    const bogusHb: Frame = {
      kind: "slaveHeartbeat",
      sender: AB,
      receiver: MASTER_ID,
      status: { state: 1, reportedMaxCentiAmps: 3200, reportedActualCentiAmps: 25500, length: 9 },
    };
    const bogusKwh: Frame = {
      kind: "kwhReport",
      sender: AB,
      lifetimeKWh: 4_294_967_295,
      volts: [65535, 65535, 65535],
    };
    h.sim.injectNoise(encodeReply(bogusHb));
    h.sim.injectNoise(encodeReply(bogusKwh));
    await h.run(50);

    const slave = h.engine.controller.slaves().find((s) => s.id === AB);
    assert.ok(slave);
    assert.ok(
      slave.reportedAmpsActual < 1,
      `actual ${slave.reportedAmpsActual} A is the last plausible value`,
    );
    assert.equal(slave.lifetimeKWh, 56);
    assert.equal(slave.voltsPhaseA, 230);
    assert.equal(
      slave.minAmpsTWCSupports,
      6,
      "the bogus three-phase voltage did not lower the minimum to 1 A",
    );
    h.engine.refresh();
    const doc = h.engine.state.snapshot;
    assert.equal(doc.energy.voltage, 230, "W↔A conversions keep the plausible voltage");
    assert.ok(charger(h)!.minAmps >= 6, "never below minAmpsPerTWC because of a reading");
    const alert = doc.alerts.find((a) => a.code === "IMPLAUSIBLE_READING");
    assert.ok(alert, `alerts: ${doc.alerts.map((a) => a.code).join(",")}`);
    assert.equal(alert.twcId, "4142");
    assert.match(alert.message, /ampsActual 255 A/);
    assert.match(alert.message, /voltage 65535\/65535\/65535 V/);
    assert.match(alert.message, /lifetimeKWh 4294967295 kWh/);
    assert.deepEqual(h.engine.controller.stats().implausibleReadings, {
      ampsActual: 1,
      ampsMax: 0,
      voltage: 1,
      lifetimeKWh: 1,
    });
    await h.run(62_000); // plausible readings only: the alert goes away
    assert.equal(
      h.engine.state.snapshot.alerts.some((a) => a.code === "IMPLAUSIBLE_READING"),
      false,
    );
  });
});

void describe("heartbeat starvation by noise (item 9)", () => {
  void it("two bytes every 8 ms (6 s on, 1 s off) raise BUS_REPLIES_LOW; it clears when the noise stops", async () => {
    h = await startHarness();
    await h.run(15_000);
    assert.equal(h.engine.controller.slaves().length, 1);
    assert.equal(
      h.engine.state.snapshot.alerts.some((a) => a.code === "BUS_REPLIES_LOW"),
      false,
    );

    const start = h.clock.now();
    let noisy = true;
    const sim = h.sim;
    const clock = h.clock;
    const stopNoise = every(clock, 8, () => {
      // A C0 opens a frame the noise never completes: the receiver is never quiet, so no heartbeat
      // can be written, except in the 1 s pause of every 7 s.
      if (noisy && (clock.now() - start) % 7000 < 6000) sim.injectNoise(Uint8Array.of(0xc0, 0x55));
    });
    await h.run(45_000);
    const stats = h.engine.controller.stats();
    assert.ok(stats.replyRate.replies / stats.replyRate.expected < 0.5, JSON.stringify(stats.replyRate));
    assert.equal(h.engine.controller.slaves().length, 1, "starved, not gone: the slave stays linked");
    const alert = h.engine.state.snapshot.alerts.find((a) => a.code === "BUS_REPLIES_LOW");
    assert.ok(alert, `alerts: ${h.engine.state.snapshot.alerts.map((a) => a.code).join(",")}`);
    assert.equal(alert.severity, "warning");
    assert.match(
      alert.message,
      /Bus replies below the expected rate \(0\.\d\d\/s of 1\.00\/s over 30 s\): noise on the bus\?/,
    );

    noisy = false;
    await h.run(40_000);
    stopNoise();
    assert.equal(
      h.engine.state.snapshot.alerts.some((a) => a.code === "BUS_REPLIES_LOW"),
      false,
    );
    assert.equal(h.engine.controller.stats().repliesLowEvents, 1);
  });
});
