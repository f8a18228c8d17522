/**
 * The engine and the bus runtime without up-calls (issue 9 §1), on the engine harness: the engine pushes
 * its decision and settings to the bus, and settings the bus asks for reach the settings store through
 * the bus's `settingsPatch` event.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startHarness } from "./engine-harness.test-helper.ts";

const VIN = "5YJ3E1EA8KF000001";

test("a VIN read on the bus lands in the settings store (settingsPatch), and the pushed budget is offered", async () => {
  const h = await startHarness({
    slaves: [{ twcID: "AB", maxAmps: 80, protocolVersion: 2, vin: VIN, car: { behaviour: "follow" } }],
    settings: { spikeAmpsProactively: 0, spikeAmpsReactively: 0 },
  });
  try {
    await h.run(5000);
    assert.equal(h.engine.controller.slaves()[0]?.lastAmpsOffered, 0);
    h.commands.chargeNow(16, 3600);
    await h.run(20_000);
    assert.equal(h.engine.controller.slaves()[0]?.lastAmpsOffered, 16, "the pushed budget reached the offer");
    assert.equal(h.engine.controller.slaves()[0]?.currentVIN, VIN);
    const vehicle = h.settings.get().Vehicles[VIN] as Record<string, unknown> | undefined;
    assert.equal(vehicle?.["chargeSessions"], 1, JSON.stringify(h.settings.get().Vehicles));
    assert.deepEqual(h.settings.get().SlaveTWCs["4142"], { supportsVINQuery: 1 });
  } finally {
    await h.stop();
  }
});

test("a setting changed by a command reaches the bus with the evaluation it triggers", async () => {
  const h = await startHarness({ settings: { chargeStopMode: 3 } });
  try {
    await h.run(3000);
    h.commands.setSetting("spikeAmpsProactively", 0);
    h.commands.chargeNow(10, 3600);
    await h.run(2500);
    assert.equal(h.engine.controller.slaves()[0]?.lastAmpsOffered, 10, "no proactive spike: the pushed setting is used");
  } finally {
    await h.stop();
  }
});

test("start/stop for one charger: only that charger gets the frame; an unknown one is refused", async () => {
  const h = await startHarness({
    slaves: [
      { twcID: "AB", maxAmps: 80, protocolVersion: 2, car: { behaviour: "follow" } },
      { twcID: "CD", maxAmps: 32, protocolVersion: 2, car: { behaviour: "follow" } },
    ],
  });
  try {
    await h.run(10_000);
    assert.equal(h.engine.controller.slaves().length, 2);
    const sent = (kind: string): string[] =>
      h.sim.receivedFrames.flatMap((f) => (f.kind === kind && "receiver" in f ? [f.receiver.toString(16).toUpperCase()] : []));
    const before = { stop: sent("stopCharging").length, start: sent("startCharging").length };
    h.commands.sendStopCommand(0x4344);
    await h.run(3000);
    assert.deepEqual(sent("stopCharging").slice(before.stop), ["4344"]);
    h.commands.sendStartCommand(0x4142);
    await h.run(3000);
    assert.deepEqual(sent("startCharging").slice(before.start), ["4142"]);
    assert.throws(() => h.commands.sendStartCommand(0x1234), (e: unknown) => (e as { code?: string }).code === "HTTP_NOT_FOUND");
    h.commands.sendStopCommand();
    await h.run(3000);
    assert.deepEqual(sent("stopCharging").slice(before.stop).sort(), ["4142", "4344", "4344"]);
  } finally {
    await h.stop();
  }
});
