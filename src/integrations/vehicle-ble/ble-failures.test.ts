/**
 * The BLE module when things go wrong (vehicles.md §4.1, §4.4, §4.5): the program missing or not
 * executable (module unloaded, an alert naming the fix), found on PATH instead, a hang killed at the
 * 5 s timeout, "not in range" retried 4 times with the 2, 4, 8 s back-off, the circuit breaker opening
 * after the threshold and half-opening after its timeout, a key the car does not know (no retry, an
 * alert and the pairing instructions) and no Bluetooth adapter (an alert naming the fix).
 */
import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createTeslaBleModule } from "./ble-module.ts";
import { bleConfig, startBleRig, type BleRig } from "./ble-rig.test-helper.ts";

const VIN = "5YJ3E1EA7KF000001";

async function withRig(o: Parameters<typeof startBleRig>[0], fn: (rig: BleRig) => Promise<void>): Promise<void> {
  const rig = await startBleRig({ settings: { Vehicles: { [VIN]: {} } }, ...o });
  try {
    await fn(rig);
  } finally {
    await rig.close();
  }
}

test("tesla-control missing: the module stays unloaded with an alert naming config.teslaControlPath and how to install it", async () => {
  await withRig({ withProgram: false }, async (rig) => {
    assert.equal(rig.module.loaded(), false);
    assert.equal(rig.module.usable(), false);
    const a = rig.module.alerts().find((x) => x.code === "VEHICLE_BLE_PROGRAM_MISSING");
    assert.ok(a, "alert raised");
    assert.match(a.message, /config\.teslaControlPath/);
    assert.match(a.message, /go install github\.com\/teslamotors\/vehicle-command\/cmd\/tesla-control/);
    assert.ok(rig.lines().some((l) => l.startsWith("error") && l.includes("VEHICLE_BLE_PROGRAM_MISSING")));
    assert.equal(await rig.drive(rig.module.charge(true, VIN)), "error");
    assert.equal((await rig.drive(rig.module.pair(VIN))).ok, false);
    assert.equal(rig.runs.length, 0, "nothing is run");
  });
});

test("tesla-control not executable: unloaded, the alert says chmod +x", async () => {
  await withRig({ noStart: true }, async (rig) => {
    chmodSync(rig.fake.path, 0o644);
    await rig.module.start();
    assert.equal(rig.module.loaded(), false);
    assert.match(rig.module.alerts()[0]?.message ?? "", /not executable \(chmod \+x it\)/);
  });
});

test("the configured path is not a file: tesla-control is found on PATH", async () => {
  await withRig({ withProgram: false, noStart: true }, async (rig) => {
    const m = createTeslaBleModule({ ...bleConfig(), controlPath: join(rig.fake.dir, "missing") }, rig.ctx, { dbus: false, inContainer: false, pathEnv: `/nonexistent:${rig.fake.dir}` });
    await m.start();
    try {
      assert.equal(m.program(), join(rig.fake.dir, "tesla-control"));
      assert.deepEqual(m.alerts(), []);
    } finally {
      m.stop();
    }
  });
});

test("a hang is killed at the 5 s timeout; 4 attempts 2, 4, 8 s apart; the failure is logged and the result says timeout", async () => {
  await withRig({}, async (rig) => {
    rig.fake.setMode("hang", "wake");
    const t0 = rig.clock.now();
    const r = await rig.drive(rig.module.wake(VIN));
    assert.equal(r.ok, false);
    assert.equal(r.ok ? null : r.kind, "timeout");
    assert.equal(rig.runs.length, 4, "maxRetries 3: four attempts");
    assert.ok(rig.runs.every((x) => x.timedOut), "each one killed");
    assert.deepEqual(rig.runs.map((x) => (x.endMs - x.atMs) / 1000), [5, 5, 5, 5], "killed at the 5 s timeout (fake clock)");
    assert.deepEqual(rig.runs.map((x) => (x.atMs - t0) / 1000), [0, 7, 16, 29], "back-off 2, 4, 8 s after each 5 s attempt");
    assert.ok(rig.lines().some((l) => l.startsWith("warn") && l.includes('"failure":"timeout"')));
    assert.equal(rig.module.cars()[0]?.lastCommand?.failure, "timeout");
  });
});

test("not in range: retried, then the command fails as 'asleep'; a later success resets the count", async () => {
  await withRig({}, async (rig) => {
    rig.fake.setMode("not_in_range", "charging-set-amps");
    const r = await rig.drive(rig.module.setChargeRate(10, VIN));
    assert.equal(r.ok, false);
    assert.equal(r.ok ? null : r.kind, "asleep");
    assert.match(r.ok ? "" : r.reason, /failed to find BLE beacon/);
    assert.equal(rig.fake.calls().filter((c) => c.command === "charging-set-amps").length, 4);
    rig.fake.setMode(["not_in_range", "success"], "charging-set-amps");
    assert.deepEqual(await rig.drive(rig.module.setChargeRate(10, VIN)), { ok: true }, "second attempt succeeds");
  });
});

test("circuit breaker: open after the threshold (no invocation), half-open after its timeout", async () => {
  await withRig({ config: { maxRetries: 0, circuitBreakerThreshold: 2, circuitBreakerTimeoutS: 60 } }, async (rig) => {
    rig.fake.setMode("not_in_range", "wake");
    await rig.drive(rig.module.wake(VIN));
    await rig.drive(rig.module.wake(VIN));
    assert.equal(rig.runs.length, 2);
    const until = rig.module.cars()[0]?.breakerOpenUntilMs;
    assert.equal(until, rig.clock.now() + 60_000);
    const r = await rig.drive(rig.module.wake(VIN));
    assert.equal(rig.runs.length, 2, "breaker open: tesla-control not run");
    assert.equal(r.ok, false);
    assert.match(r.ok ? "" : r.reason, /paused after repeated failures/);
    assert.equal(r.ok ? null : r.retryAtMs, until);
    rig.advance(60_000);
    assert.equal(rig.module.cars()[0]?.breakerOpenUntilMs, null, "half-open");
    rig.fake.setMode("success", "wake");
    assert.equal((await rig.drive(rig.module.wake(VIN))).ok, true);
    assert.equal(rig.runs.length, 3, "one attempt let through");
    rig.fake.setMode("not_in_range", "wake");
    await rig.drive(rig.module.wake(VIN));
    assert.equal(rig.module.cars()[0]?.breakerOpenUntilMs, null, "the success reset the count: one failure does not open it");
  });
});

test("key not paired: no retry, an alert and the pairing instructions; the result's fix says to pair", async () => {
  await withRig({}, async (rig) => {
    rig.fake.setMode("not_paired");
    const r = await rig.drive(rig.module.setChargeRate(10, VIN));
    assert.equal(r.ok, false);
    assert.equal(r.ok ? null : r.kind, "unauthorized");
    assert.match(r.ok ? "" : (r.fix ?? ""), /pair TWCManager's key with the car on its Vehicles page/);
    assert.deepEqual(rig.fake.calls().map((c) => c.command), ["wake", "charging-set-amps"], "an unknown key is not retried");
    const a = rig.module.alerts().find((x) => x.code === "VEHICLE_BLE_NOT_PAIRED");
    assert.ok(a);
    assert.match(a.message, new RegExp(VIN));
    const car = rig.module.cars()[0];
    assert.equal(car?.pairing, "unpaired");
    assert.match(car?.instructions ?? "", /key card/);
    // Paired later: the next success clears the alert.
    rig.fake.setMode("success");
    await rig.drive(rig.module.wake(VIN));
    assert.equal(rig.module.alerts().find((x) => x.code === "VEHICLE_BLE_NOT_PAIRED"), undefined);
  });
});

test("no Bluetooth adapter: an alert naming the fix, no retry storm", async () => {
  await withRig({}, async (rig) => {
    rig.fake.setMode("no_adapter");
    assert.equal(await rig.drive(rig.module.charge(false, VIN)), "error");
    assert.equal(rig.runs.length, 1, "an adapter problem is not retried");
    const a = rig.module.alerts().find((x) => x.code === "VEHICLE_BLE_ADAPTER_MISSING");
    assert.ok(a);
    assert.match(a.message, /can't init hci/);
    assert.match(a.message, /Bluetooth LE adapter/);
    assert.match(a.message, /systemctl start bluetooth/);
    const p = await rig.drive(rig.module.pair(VIN));
    assert.equal(p.ok, false);
    assert.match(p.instructions, /Bluetooth LE adapter/);
    rig.fake.setMode("success");
    await rig.drive(rig.module.wake(VIN));
    assert.equal(rig.module.alerts().length, 0, "cleared by the next success");
  });
});

test("a program that cannot be started at call time (removed after start) fails the command, never throws", async () => {
  await withRig({}, async (rig) => {
    writeFileSync(rig.fake.path, "");
    chmodSync(rig.fake.path, 0o000);
    const r = await rig.drive(rig.module.setChargeRate(10, VIN));
    assert.equal(r.ok, false);
    assert.match(r.ok ? "" : r.reason, /could not be started/);
  });
});
