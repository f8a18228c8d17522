/**
 * The BLE module against a fake tesla-control that records its argv (vehicles.md §4.2–§4.8): keys per
 * VIN, the argv of wake / start / stop / amps / limit / state / pairing with a private 0600 key file
 * deleted afterwards, "already satisfied", the limit pass that remembers the car's own limit, state
 * reads into the vehicle record, pairing status, minChargeLevel, and a VIN the chargers never reported.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { startBleRig, type BleRig } from "./ble-rig.test-helper.ts";

const VIN = "5YJ3E1EA7KF000001";
const VIN2 = "5YJ3E1EA7KF000002";
const NON_TESLA = "00000000000000000";

function vehicles(rig: BleRig): Record<string, Record<string, unknown>> {
  return rig.commands.settings.Vehicles as Record<string, Record<string, unknown>>;
}

/** The argv after the program, with the key file replaced by K. */
function argvs(rig: BleRig): string[][] {
  return rig.fake.calls().map((c) => c.argv.map((a) => (a === c.keyFile && a !== "" ? "K" : a)));
}

async function withRig(o: Parameters<typeof startBleRig>[0], fn: (rig: BleRig) => Promise<void> | void): Promise<void> {
  const rig = await startBleRig(o);
  try {
    await fn(rig);
  } finally {
    await rig.close();
  }
}

test("start creates a P-256 key for every Tesla VIN of settings.Vehicles and keeps what was there", async () => {
  await withRig({ settings: { Vehicles: { [VIN]: { chargeSessions: 3 }, [NON_TESLA]: {} } } }, (rig) => {
    const e = vehicles(rig)[VIN]!;
    assert.equal(e.chargeSessions, 3);
    assert.match(Buffer.from(String(e.privKey), "base64").toString("utf8"), /^-----BEGIN PRIVATE KEY-----/);
    assert.match(Buffer.from(String(e.pubKeyPEM), "base64").toString("utf8"), /^-----BEGIN PUBLIC KEY-----/);
    const point = Buffer.from(String(e.pubKey), "base64");
    assert.equal(point.length, 65);
    assert.equal(point[0], 4);
    assert.equal(vehicles(rig)[NON_TESLA]?.privKey, undefined, "the non-Tesla VIN gets no key");
    assert.equal(rig.module.loaded(), true);
    assert.equal(rig.module.program(), rig.fake.path);
  });
});

test("start: wake (VCSEC domain) then charging-start, each with its own 0600 private key file, deleted afterwards", async () => {
  await withRig({ settings: { Vehicles: { [VIN]: {} } } }, async (rig) => {
    assert.equal(await rig.drive(rig.module.charge(true, VIN)), "success");
    assert.deepEqual(argvs(rig), [
      ["-debug", "-ble", "-vin", VIN, "-key-file", "K", "-domain", "vcsec", "wake"],
      ["-debug", "-ble", "-vin", VIN, "-key-file", "K", "charging-start"],
    ]);
    const calls = rig.fake.calls();
    for (const c of calls) {
      assert.equal(c.keyMode, "600");
      assert.equal(c.keyHead, "-----BEGIN PRIVATE KEY-----");
      assert.equal(existsSync(c.keyFile), false, "the key file is removed after the call");
    }
    assert.notEqual(calls[0]!.keyFile, calls[1]!.keyFile, "a fresh file per invocation");
    assert.ok(rig.runs.every((r) => r.timeoutMs === 5000));
    assert.equal(vehicles(rig)[VIN]?.BLEPeeringStatus, "peered", "a signed command that worked marks the key paired");
    assert.equal(rig.module.cars()[0]?.lastCommand?.operation, "charging-start");
    assert.equal(rig.module.cars()[0]?.lastCommand?.ok, true);
  });
});

test("stop sends charging-stop without a wake; without a VIN every BLE car is stopped", async () => {
  await withRig({ settings: { Vehicles: { [VIN]: {}, [VIN2]: {} } } }, async (rig) => {
    assert.equal(await rig.drive(rig.module.charge(false)), "success");
    assert.deepEqual(argvs(rig), [
      ["-debug", "-ble", "-vin", VIN, "-key-file", "K", "charging-stop"],
      ["-debug", "-ble", "-vin", VIN2, "-key-file", "K", "charging-stop"],
    ]);
  });
});

test("charging amps: wake then charging-set-amps with the whole amps", async () => {
  await withRig({ settings: { Vehicles: { [VIN]: {} } } }, async (rig) => {
    assert.deepEqual(await rig.drive(rig.module.setChargeRate(8.7, VIN)), { ok: true });
    assert.deepEqual(argvs(rig).map((a) => a.slice(6)), [["-domain", "vcsec", "wake"], ["charging-set-amps", "8"]]);
  });
});

test("charge limit: the car's own limit is read first and restored by −1 (V-12)", async () => {
  await withRig({ settings: { Vehicles: { [VIN]: {} } } }, async (rig) => {
    assert.equal(await rig.drive(rig.module.applyLimit(75, "none")), "success");
    assert.deepEqual(
      rig.fake.calls().map((c) => c.command),
      ["state-charge", "state-location", "wake", "charging-set-limit"],
    );
    assert.deepEqual(argvs(rig)[0], ["-ble", "-vin", VIN, "-key-file", "K", "state", "charge"]);
    assert.deepEqual(argvs(rig)[3]?.slice(6), ["charging-set-limit", "75"]);
    assert.deepEqual((rig.commands.settings.chargeLimits as Record<string, unknown>)[VIN], [80, 75], "outside = the car's 80 %");
    // The same limit again: nothing sent.
    assert.equal(await rig.drive(rig.module.applyLimit(75, "none")), "success");
    assert.equal(rig.fake.calls().length, 4);
    assert.equal(await rig.drive(rig.module.applyLimit(-1, "none")), "success");
    assert.deepEqual(argvs(rig).slice(4).map((a) => a.slice(6)), [["-domain", "vcsec", "wake"], ["charging-set-limit", "80"]]);
    assert.equal((rig.commands.settings.chargeLimits as Record<string, unknown>)[VIN], undefined);
    // Out of range: refused without a call.
    assert.equal(await rig.drive(rig.module.applyLimit(40, "none")), "error");
    assert.equal(rig.fake.calls().length, 6);
  });
});

test("a state read fills the car's record (SoC, limit, charging state, currents, location) and marks it at home", async () => {
  await withRig({ settings: { Vehicles: { [VIN]: {} } } }, async (rig) => {
    assert.equal(await rig.drive(rig.module.refreshState(VIN)), true);
    const s = rig.module.vehicles()[0]?.status();
    assert.ok(s);
    assert.equal(s.source, "TeslaBLE");
    assert.equal(s.socPercent, 64);
    assert.equal(s.chargeLimitPercent, 80);
    assert.equal(s.chargingState, "Charging");
    assert.equal(s.availableCurrentA, 16);
    assert.equal(s.actualCurrentA, 15);
    assert.equal(s.voltage, 231);
    assert.equal(s.timeToFullChargeH, 1.5);
    assert.deepEqual(s.location, { lat: 52.52, lon: 13.405, gpsAsOfMs: 1795000000_000 });
    assert.equal(s.atHome, true);
    assert.equal(s.lastSeenMs, rig.clock.now());
  });
});

test("a state read that yields nothing wakes the car and tries once more; invalid JSON is no data", async () => {
  await withRig({ settings: { Vehicles: { [VIN]: {} } } }, async (rig) => {
    rig.fake.setMode(["garbage", "garbage", "garbage", "garbage", "success"], "state-charge");
    assert.equal(await rig.drive(rig.module.refreshState(VIN)), true);
    assert.deepEqual(
      rig.fake.calls().map((c) => c.command),
      ["state-charge", "state-charge", "state-charge", "state-charge", "wake", "state-charge", "state-location"],
      "4 attempts (the retry wrapper), then a wake and one more read",
    );
    rig.fake.setMode("garbage", "state-charge");
    // Read 10 s ago: no wake, no data, the record keeps its values.
    rig.advance(10_000);
    assert.equal(await rig.drive(rig.module.refreshState(VIN)), false);
    assert.equal(rig.fake.calls().length, 11, "4 more attempts of state charge, no wake");
    assert.ok(rig.fake.calls().slice(7).every((c) => c.command === "state-charge"));
    assert.equal(rig.module.vehicles()[0]?.status()?.socPercent, 64);
  });
});

test("a start answered 'already charging' is a success and later starts skip the car until a stop", async () => {
  await withRig({ settings: { Vehicles: { [VIN]: {} } } }, async (rig) => {
    rig.fake.setMode("already", "charging-start");
    assert.equal(await rig.drive(rig.module.charge(true, VIN)), "success");
    assert.equal(rig.module.cars()[0]?.stopAskingToStartCharging, true);
    assert.equal(rig.fake.calls().length, 2, "one wake, one start: no retry of a satisfied command");
    assert.equal(await rig.drive(rig.module.charge(true, VIN)), "success");
    assert.equal(rig.fake.calls().length, 2, "skipped");
    assert.equal(await rig.drive(rig.module.charge(false, VIN)), "success");
    assert.equal(rig.module.cars()[0]?.stopAskingToStartCharging, false);
  });
});

test("pairing: add-key-request with the public key (30 s), status requested with what to do at the car, peered after a command", async () => {
  await withRig({ settings: { Vehicles: { [VIN]: {} } } }, async (rig) => {
    assert.equal(rig.module.cars()[0]?.pairing, "unpaired");
    const r = await rig.drive(rig.module.pair(VIN));
    assert.equal(r.ok, true);
    assert.match(r.instructions, /key card/);
    assert.deepEqual(argvs(rig), [["-debug", "-ble", "-vin", VIN, "add-key-request", "K", "owner", "cloud_key"]]);
    assert.equal(rig.fake.calls()[0]?.keyHead, "-----BEGIN PUBLIC KEY-----");
    assert.equal(rig.runs[0]?.timeoutMs, 30_000);
    assert.equal(vehicles(rig)[VIN]?.BLEPeeringStatus, "requested");
    assert.equal(rig.module.cars()[0]?.pairing, "requested");
    assert.match(rig.module.cars()[0]?.instructions ?? "", /tap a key card/);
    await rig.drive(rig.module.wake(VIN));
    assert.equal(vehicles(rig)[VIN]?.BLEPeeringStatus, "peered");
    assert.equal(rig.module.cars()[0]?.instructions, "");
  });
});

test("a VIN the chargers never reported is refused without running tesla-control", async () => {
  await withRig({ settings: { Vehicles: { [VIN]: {} } } }, async (rig) => {
    const r = await rig.drive(rig.module.setChargeRate(10, VIN2));
    assert.equal(r.ok, false);
    assert.equal(await rig.drive(rig.module.charge(false, VIN2)), "error");
    assert.equal((await rig.drive(rig.module.pair(VIN2))).ok, false);
    assert.equal(rig.fake.calls().length, 0);
  });
});

test("minChargeLevel: a car below it (SoC from a BLE read) is not stopped", async () => {
  await withRig({ settings: { Vehicles: { [VIN]: {} } }, config: { minChargeLevel: 70 } }, async (rig) => {
    assert.equal(await rig.drive(rig.module.charge(false, VIN)), "success");
    assert.deepEqual(rig.fake.calls().map((c) => c.command), ["state-charge", "state-location"], "read, no charging-stop at 64 % < 70 %");
  });
});

test("in a container the argv starts with the separate arguments nsenter --net=/rootns/net (V-11)", async () => {
  await withRig({ settings: { Vehicles: { [VIN]: {} } }, opts: { inContainer: true } }, async (rig) => {
    await rig.drive(rig.module.wake(VIN));
    assert.equal(rig.runs[0]?.file, "nsenter");
    assert.deepEqual(rig.runs[0]?.args.slice(0, 2), ["--net=/rootns/net", rig.fake.path]);
  });
});
