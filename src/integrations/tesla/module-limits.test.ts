/**
 * Charge limits (vehicles.md §2.2, §3.4, §9.2 scenario 14): the pure parts of settings.chargeLimits
 * (entries, upstream's id keys renamed to VINs, the per-car plan of a pass) and the Fleet API module's
 * charge-limit pass against the HTTPS loopback fake — the worked example (arrival sets the policy's
 * limit and remembers the car's own; a policy without a limit restores it; an owner's manual change is
 * left alone; departure restores and forgets the car), one limit attempt per 300 s, one pass per 60 s,
 * and the start command's arrival pass.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { migrateIdKeys, planCar, raisesLimit, readEntry, withEntry } from "./charge-limits.ts";
import { fakeCar } from "./fake-fleet-api.test-helper.ts";
import { AWAY, HOME, startRig, type Rig } from "./tesla-rig.test-helper.ts";

const VIN = "5YJ3E1EA7KF000001";
const VIN2 = "5YJ3E1EA7KF000002";

/** Asserts no token leaked into the log, then closes the rig. */
const finish = (rig: Rig): Promise<void> => rig.finish();

/** The bodies of the set_charge_limit requests to `vin`. */
function limitsSent(rig: Rig, vin = VIN): number[] {
  return rig.fake.requests.filter((r) => r.path === `/api/1/vehicles/${vin}/command/set_charge_limit`).map((r) => (JSON.parse(r.body) as { percent: number }).percent);
}

/** settings.chargeLimits as the module left it. */
function table(rig: Rig): Record<string, unknown> {
  return (rig.commands.settings.chargeLimits ?? {}) as Record<string, unknown>;
}

void describe("settings.chargeLimits entries (pure)", () => {
  void it("reads [outside, lastApplied], a bare number as [value, 0], null parts as 0; absent is null", () => {
    const raw = { [VIN]: [90, 80], A: 85, B: [null, "70"], C: "x" };
    assert.deepEqual(readEntry(raw, VIN), { outside: 90, lastApplied: 80 });
    assert.deepEqual(readEntry(raw, "A"), { outside: 85, lastApplied: 0 });
    assert.deepEqual(readEntry(raw, "B"), { outside: 0, lastApplied: 70 });
    assert.deepEqual(readEntry(raw, "C"), { outside: 0, lastApplied: 0 });
    assert.equal(readEntry(raw, VIN2), null);
    for (const bad of [null, undefined, [], "x", 5]) assert.equal(readEntry(bad, VIN), null);
    assert.equal(readEntry({}, "toString"), null, "no prototype keys");
  });

  void it("withEntry sets and deletes one key and keeps the others (BLE's, unknown)", () => {
    const raw = { [VIN2]: [70, -1], other: "kept" };
    assert.deepEqual(withEntry(raw, VIN, { outside: 90, lastApplied: 80 }), { [VIN2]: [70, -1], other: "kept", [VIN]: [90, 80] });
    assert.deepEqual(withEntry(raw, VIN2, null), { other: "kept" });
    assert.deepEqual(raw, { [VIN2]: [70, -1], other: "kept" }, "the input is not changed");
    assert.deepEqual(withEntry("garbage", VIN, { outside: 90, lastApplied: -1 }), { [VIN]: [90, -1] });
  });

  void it("migrateIdKeys renames a listed car's Tesla id key to its VIN; an existing VIN entry wins; nothing to do → null", () => {
    assert.deepEqual(migrateIdKeys({ "1001": [90, 80], "9": [1, 1] }, [{ id: 1001, vin: VIN }]), { [VIN]: [90, 80], "9": [1, 1] });
    assert.deepEqual(migrateIdKeys({ "1001": [90, 80], [VIN]: [85, -1] }, [{ id: 1001, vin: VIN }]), { [VIN]: [85, -1] });
    assert.equal(migrateIdKeys({ [VIN]: [85, -1] }, [{ id: 1001, vin: VIN }]), null);
    assert.equal(migrateIdKeys({ "1001": [85, -1] }, [{ id: null, vin: VIN }]), null);
    assert.equal(migrateIdKeys(null, [{ id: 1001, vin: VIN }]), null);
  });

  void it("raisesLimit: a limit above what we left (the applied one, else the car's own) needs a wake", () => {
    assert.equal(raisesLimit(85, { outside: 90, lastApplied: 80 }), true);
    assert.equal(raisesLimit(80, { outside: 90, lastApplied: 80 }), false);
    assert.equal(raisesLimit(95, { outside: 90, lastApplied: -1 }), true);
    assert.equal(raisesLimit(95, null), false, "a car not at home before is never woken for it");
  });

  void it("planCar follows §3.4 step 5 (the worked example)", () => {
    // Arrival: car at 90, policy 80 → send 80, store [90, 80].
    assert.deepEqual(planCar(80, null, true, 90), { arrived: true, departed: false, send: 80, store: { outside: 90, lastApplied: 80 }, skip: false });
    // Policy without a limit: 80 == lastApplied ≠ 90 → send 90, store [90, −1].
    assert.deepEqual(planCar(-1, { outside: 90, lastApplied: 80 }, true, 80), { arrived: false, departed: false, send: 90, store: { outside: 90, lastApplied: -1 }, skip: false });
    // The owner set 85 meanwhile: untouched, store [85, −1].
    assert.deepEqual(planCar(-1, { outside: 90, lastApplied: 80 }, true, 85), { arrived: false, departed: false, send: null, store: { outside: 85, lastApplied: -1 }, skip: false });
    // Departure while at 80: restore 90, the entry goes.
    assert.deepEqual(planCar(80, { outside: 90, lastApplied: 80 }, false, 80), { arrived: false, departed: true, send: 90, store: null, skip: false });
    // Already at the policy's limit: nothing to send, stored.
    assert.deepEqual(planCar(80, null, true, 80).send, null);
    // Never at home, or the car's limit unknown: nothing.
    assert.equal(planCar(80, null, false, 90).skip, true);
    assert.equal(planCar(80, { outside: 90, lastApplied: 80 }, true, null).skip, true);
  });
});

void describe("the module's charge-limit pass against the fake (§3.4)", () => {
  void it("the worked example: arrival → 80 and [90, 80]; no limit → 90 and [90, −1]", async () => {
    const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME, limit: 90 })] });
    try {
      assert.equal(await rig.drive(rig.module.applyLimit(80, "arrival")), "success");
      assert.deepEqual(limitsSent(rig), [80]);
      assert.equal(rig.fake.cars[0]!.limit, 80);
      assert.deepEqual(table(rig)[VIN], [90, 80]);
      rig.advance(301_000);
      assert.equal(await rig.drive(rig.module.applyLimit(-1, "none")), "success");
      assert.deepEqual(limitsSent(rig), [80, 90]);
      assert.equal(rig.fake.cars[0]!.limit, 90, "the car's own limit is back");
      assert.deepEqual(table(rig)[VIN], [90, -1]);
      assert.ok(rig.lines().some((l) => /restoring charge limits/.test(l)));
    } finally {
      await finish(rig);
    }
  });

  void it("an owner's manual change meanwhile is left alone: [85, −1], nothing sent", async () => {
    const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME, limit: 90 })] });
    try {
      await rig.drive(rig.module.applyLimit(80, "arrival"));
      rig.fake.cars[0]!.limit = 85;
      rig.advance(301_000);
      assert.equal(await rig.drive(rig.module.applyLimit(-1, "none")), "success");
      assert.deepEqual(limitsSent(rig), [80]);
      assert.equal(rig.fake.cars[0]!.limit, 85);
      assert.deepEqual(table(rig)[VIN], [85, -1]);
    } finally {
      await finish(rig);
    }
  });

  void it("departure while at 80: the car's 90 is restored, the entry removed, the car not asked to start", async () => {
    const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME, limit: 90 })] });
    try {
      await rig.drive(rig.module.applyLimit(80, "arrival"));
      Object.assign(rig.fake.cars[0]!, AWAY);
      rig.advance(301_000);
      assert.equal(await rig.drive(rig.module.applyLimit(80, "departure")), "success");
      assert.deepEqual(limitsSent(rig), [80, 90]);
      assert.equal(Object.hasOwn(table(rig), VIN), false, "forgotten");
      assert.equal(rig.module.byVin(VIN)!.status()!.stopAskingToStartCharging, true);
    } finally {
      await finish(rig);
    }
  });

  void it("one limit attempt per car per 300 s; one plain pass per 60 s (checks are not held back)", async () => {
    const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME, limit: 90 })] });
    try {
      assert.equal(await rig.drive(rig.module.applyLimit(80, "arrival")), "success");
      rig.advance(61_000);
      assert.equal(await rig.drive(rig.module.applyLimit(70, "none")), "error", "the car was sent a limit < 300 s ago");
      assert.deepEqual(limitsSent(rig), [80]);
      assert.equal(await rig.drive(rig.module.applyLimit(70, "none")), "error", "< 60 s since the last pass");
      assert.equal(await rig.drive(rig.module.applyLimit(70, "arrival")), "error", "a check runs, but the 300 s rule still holds");
      rig.advance(300_000);
      assert.equal(await rig.drive(rig.module.applyLimit(70, "none")), "success");
      assert.deepEqual(limitsSent(rig), [80, 70]);
      assert.deepEqual(table(rig)[VIN], [90, 70]);
      assert.equal(await rig.drive(rig.module.applyLimit(49, "arrival")), "error", "outside 50–100");
      assert.deepEqual(limitsSent(rig), [80, 70]);
    } finally {
      await finish(rig);
    }
  });

  void it("a car away is not touched by an arrival pass; two cars at home each get the limit on their own VIN", async () => {
    const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME, limit: 90 }), fakeCar(VIN2, { ...AWAY, limit: 75 })] });
    try {
      await rig.drive(rig.module.applyLimit(60, "arrival"));
      assert.deepEqual(limitsSent(rig, VIN), [60]);
      assert.deepEqual(limitsSent(rig, VIN2), []);
      assert.equal(Object.hasOwn(table(rig), VIN2), false);
      Object.assign(rig.fake.cars[1]!, HOME);
      rig.advance(301_000);
      await rig.drive(rig.module.applyLimit(60, "arrival"));
      assert.deepEqual(limitsSent(rig, VIN2), [60]);
      assert.deepEqual(table(rig), { [VIN]: [90, 60], [VIN2]: [75, 60] });
    } finally {
      await finish(rig);
    }
  });

  void it("entries keyed by the Tesla id (upstream) are renamed to the VIN when the list loads, and used", async () => {
    const car = fakeCar(VIN, { ...HOME, limit: 80 });
    const rig = await startRig({ cars: [car], settings: { chargeLimits: { [String(car.id)]: [90, 80] } } });
    try {
      await rig.drive(rig.module.applyLimit(-1, "none"));
      assert.deepEqual(table(rig), { [VIN]: [90, -1] });
      assert.deepEqual(limitsSent(rig), [90], "restored from the migrated entry");
    } finally {
      await finish(rig);
    }
  });

  void it("a start runs the arrival pass with the module's last limit first, then waits ≥ 5 s before charge_start", async () => {
    const rig = await startRig({ cars: [fakeCar(VIN, { ...AWAY, limit: 90, soc: 50 })] });
    try {
      assert.equal(await rig.drive(rig.module.applyLimit(80, "none")), "success", "the car is away: nothing to do");
      assert.deepEqual(limitsSent(rig), []);
      Object.assign(rig.fake.cars[0]!, HOME);
      rig.advance(600_000);
      assert.equal(await rig.drive(rig.module.charge(true, VIN)), "success");
      assert.deepEqual(limitsSent(rig), [80], "arrived: the policy's limit first");
      assert.deepEqual(table(rig)[VIN], [90, 80]);
      const limitAt = rig.fake.requests.find((r) => r.path.endsWith("/set_charge_limit"))!.atMs;
      const startAt = rig.fake.requests.find((r) => r.path.endsWith("/charge_start"))!.atMs;
      assert.ok(startAt - limitAt >= 5000, `charge_start ${String(startAt - limitAt)} ms after the limit`);
    } finally {
      await finish(rig);
    }
  });
});
