import assert from "node:assert/strict";
import { test } from "node:test";
import { parseHaCommand } from "./ha-controls.ts";

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
