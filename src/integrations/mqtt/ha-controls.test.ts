import assert from "node:assert/strict";
import { test } from "node:test";
import type { ControlCommands } from "./control.ts";
import { parseHaCommand, runHaCommand } from "./ha-controls.ts";

test("Home Assistant command payloads: numbers in range, the select's labels, buttons any payload", () => {
  const ok = (key: string, payload: string): unknown => {
    const r = parseHaCommand(key, payload, 32);
    return r.ok ? r.command : r.reason;
  };
  assert.deepEqual(ok("chargeNowAmps", "16"), { kind: "chargeNowAmps", amps: 16 });
  assert.deepEqual(ok("chargeNowAmps", "16.0"), { kind: "chargeNowAmps", amps: 16 });
  assert.equal(ok("chargeNowAmps", "16.5"), "malformed");
  assert.equal(ok("chargeNowAmps", "0"), "outOfRange");
  assert.equal(ok("chargeNowAmps", "33"), "outOfRange");
  assert.deepEqual(ok("chargeNowDuration", "0.25"), { kind: "chargeNowDuration", seconds: 900 });
  assert.equal(ok("chargeNowDuration", "0.1"), "outOfRange");
  assert.equal(ok("chargeNowDuration", "one"), "malformed");
  assert.deepEqual(ok("nonScheduledAmpsMax", "0"), { kind: "nonScheduledAmpsMax", amps: 0 });
  assert.deepEqual(ok("nonScheduledAction", "Track green energy"), { kind: "nonScheduledAction", action: 3 });
  assert.deepEqual(ok("nonScheduledAction", "2"), { kind: "nonScheduledAction", action: 2 });
  assert.equal(ok("nonScheduledAction", "track green energy"), "malformed");
  for (const k of ["chargeNowStart", "chargeNowCancel", "startCharging", "stopCharging"])
    assert.deepEqual(ok(k, "PRESS"), { kind: k });
  assert.equal(ok("setPolicy", "x"), "unknownTopic");
});

test("a charger's own start/stop buttons: <TWCID>/startCharging and <TWCID>/stopCharging", () => {
  const ok = (key: string): unknown => {
    const r = parseHaCommand(key, "PRESS", 32);
    return r.ok ? r.command : r.reason;
  };
  assert.deepEqual(ok("4142/startCharging"), { kind: "startCharging", twcId: 0x4142 });
  assert.deepEqual(ok("4344/stopCharging"), { kind: "stopCharging", twcId: 0x4344 });
  assert.equal(ok("4142/chargeNowStart"), "unknownTopic");
  assert.equal(ok("41/startCharging"), "unknownTopic");
  assert.equal(ok("zz42/startCharging"), "unknownTopic");
});

test("runHaCommand sends a charger's start/stop to that charger only", () => {
  const calls: string[] = [];
  const commands: ControlCommands = {
    chargeNow: () => calls.push("chargeNow"),
    cancelChargeNow: () => calls.push("cancel"),
    setSetting: () => calls.push("setting"),
    sendStartCommand: (...a: number[]) => calls.push(`start(${a.join(",")})`),
    sendStopCommand: (...a: unknown[]) => calls.push(`stop(${a.filter((x) => typeof x === "number").join(",")})`),
  };
  const choice = { amps: null, seconds: null };
  const doc = {} as Parameters<typeof runHaCommand>[1];
  assert.equal(runHaCommand({ kind: "startCharging", twcId: 0x4142 }, doc, choice, commands, 0), null);
  assert.equal(runHaCommand({ kind: "stopCharging", twcId: 0x4344 }, doc, choice, commands, 0), null);
  assert.equal(runHaCommand({ kind: "stopCharging" }, doc, choice, commands, 0), null);
  assert.deepEqual(calls, [`start(${0x4142})`, `stop(${0x4344})`, "stop()"]);
});
