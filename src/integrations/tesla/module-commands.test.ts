/**
 * Fleet API start/stop against the HTTPS loopback fake (vehicles.md §2.11, §2.12, §3.3, §9.2 scenarios
 * 11, 12, 15, 16): a car away from home gets no wake, no start and no stop and a far car is polled at
 * most hourly; a car below `minChargeLevel` is not stopped; two cars are told apart by VIN; the in-car
 * schedule is respected; `could_not_wake_buses` is retried after 5 s, at most 3 attempts; and the
 * proxy path (`teslaProxy` with `teslaProxyCert` a PEM file, or false) carries the same requests.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fakeCar, fakeJwt } from "./fake-fleet-api.test-helper.ts";
import { AWAY, HOME, startRig, type Rig } from "./tesla-rig.test-helper.ts";

const VIN = "5YJ3E1EA7KF000001";
const VIN2 = "5YJ3E1EA7KF000002";

/** Asserts no token leaked into the log, then closes the rig. */
const finish = (rig: Rig): Promise<void> => rig.finish();

test("a car away from home: no start (flagged), no stop, and once known away no wake", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...AWAY, chargingState: "Charging" })] });
  try {
    assert.equal(await rig.drive(rig.module.charge(true, VIN)), "success");
    assert.equal(rig.module.statuses()[0]!.atHome, false);
    assert.equal(rig.module.statuses()[0]!.stopAskingToStartCharging, true, "start refused because away: flagged");
    rig.advance(61_000);
    await rig.drive(rig.module.charge(false, VIN));
    assert.equal(rig.fake.count(/command\//), 0, "no start, no stop for a car away");
    rig.fake.cars[0]!.state = "asleep";
    for (let i = 0; i < 5; i++) {
      rig.advance(400_000);
      await rig.drive(rig.module.charge(false, VIN));
      await rig.drive(rig.module.charge(true, VIN));
    }
    assert.equal(rig.fake.count(/wake_up/), 0, "never wake a car that is away");
    assert.equal(rig.fake.count(/command\//), 0);
  } finally {
    await finish(rig);
  }
});

test("a far car (outside the 1.4° square) is polled at most hourly", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { lat: HOME.lat + 3, lon: HOME.lon })] });
  try {
    assert.equal(await rig.drive(rig.module.available("none")), true);
    const car = rig.module.byVin(VIN)!;
    for (let i = 0; i < 13; i++) {
      await rig.drive(car.refresh());
      rig.advance(600_000);
    }
    const reads = rig.fake.requests.filter((r) => r.path.includes("/vehicle_data"));
    assert.ok(reads.length >= 2 && reads.length <= 3, `${String(reads.length)} reads in 2 h`);
    for (let i = 1; i < reads.length; i++) assert.ok(reads[i]!.atMs - reads[i - 1]!.atMs >= 3_600_000);
  } finally {
    await finish(rig);
  }
});

test("minChargeLevel: a car below it is not sent charge_stop; above it, it is", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME, soc: 45, chargingState: "Charging" })], config: { minChargeLevel: 50 } });
  try {
    assert.equal(await rig.drive(rig.module.charge(false, VIN)), "success");
    assert.equal(rig.fake.count(/charge_stop/), 0, "below minChargeLevel: no stop");
    assert.ok(rig.lines().some((l) => /below minChargeLevel 50/.test(l)));
    rig.fake.cars[0]!.soc = 55;
    rig.advance(61_000);
    assert.equal(await rig.drive(rig.module.charge(false, VIN)), "success");
    assert.equal(rig.fake.count(/charge_stop/), 1);
    assert.equal(rig.fake.cars[0]!.chargingState, "Stopped");
  } finally {
    await finish(rig);
  }
});

test("two cars: a VIN-targeted stop reaches only that car; a start without VIN reaches every car at home that can start", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME, chargingState: "Charging" }), fakeCar(VIN2, { ...HOME, chargingState: "Charging" })] });
  try {
    assert.equal(await rig.drive(rig.module.charge(false, VIN2.toLowerCase())), "success");
    assert.equal(rig.fake.count(new RegExp(`${VIN2}/command/charge_stop`)), 1);
    assert.equal(rig.fake.count(new RegExp(`${VIN}/command/`)), 0, "the other car untouched");
    rig.advance(61_000);
    assert.equal(await rig.drive(rig.module.charge(true)), "success");
    assert.equal(rig.fake.count(new RegExp(`${VIN2}/command/charge_start`)), 1);
    assert.equal(rig.fake.count(new RegExp(`${VIN}/command/charge_start`)), 0, "already charging: skipped and flagged");
    assert.equal(rig.module.byVin(VIN)!.status()!.stopAskingToStartCharging, true);
    assert.equal(await rig.drive(rig.module.charge(true)), "error", "another start/stop within 60 s");
  } finally {
    await finish(rig);
  }
});

test("in-car schedule pending: no start with respectVehicleSchedule, a start without it", async () => {
  for (const respect of [true, false]) {
    const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME, scheduledPending: true })], config: { respectVehicleSchedule: respect } });
    try {
      assert.equal(await rig.drive(rig.module.charge(true, VIN)), "success");
      assert.equal(rig.fake.count(/charge_start/), respect ? 0 : 1);
      assert.equal(rig.module.statuses()[0]!.stopAskingToStartCharging, false, "not flagged: re-evaluated next time");
    } finally {
      await finish(rig);
    }
  }
});

test("could_not_wake_buses on a command: retried after 5 s, at most 3 attempts", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME })] });
  try {
    rig.fake.script.push({ match: /charge_start/, status: 200, body: { response: { result: false, reason: "could_not_wake_buses" } }, times: 2 });
    assert.equal(await rig.drive(rig.module.charge(true, VIN)), "success");
    const starts = rig.fake.requests.filter((r) => r.path.endsWith("/charge_start"));
    assert.equal(starts.length, 3);
    for (let i = 1; i < 3; i++) assert.ok(starts[i]!.atMs - starts[i - 1]!.atMs >= 5000);
    rig.advance(61_000);
    await rig.drive(rig.module.charge(false, VIN));
    rig.advance(61_000);
    rig.fake.script.push({ match: /charge_start/, status: 200, body: { response: { result: false, reason: "could_not_wake_buses" } }, times: 5 });
    assert.equal(await rig.drive(rig.module.charge(true, VIN)), "error");
    assert.equal(rig.fake.count(/charge_start/), 6, "3 more attempts, then given up");
  } finally {
    await finish(rig);
  }
});

test("teslaProxy with teslaProxyCert as a PEM file, and with false: the same requests, VINs in the paths; system CAs refuse the self-signed proxy without a crash", async () => {
  const dir = mkdtempSync(join(tmpdir(), "twc-tesla-proxy-"));
  try {
    for (const cert of ["file", false] as const) {
      const pem = join(dir, "proxy.pem");
      const config = (fake: { cert: string }) => {
        writeFileSync(pem, fake.cert);
        return { proxyCert: cert === "file" ? pem : false };
      };
      // A token whose ou_code names no region: with the proxy, the region does not matter.
      const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME })], via: "proxy", region: "XX", config });
      try {
        assert.equal(rig.module.account().proxy, true);
        assert.equal(await rig.drive(rig.module.charge(true, VIN)), "success", `proxyCert ${String(cert)}`);
        assert.equal(rig.fake.count(/charge_start/), 1);
        assert.ok(rig.fake.requests.every((r) => r.path === "/api/1/vehicles" || r.path.startsWith(`/api/1/vehicles/${VIN}`)));
      } finally {
        await finish(rig);
      }
    }
    const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME })], via: "proxy", config: { proxyCert: true } });
    try {
      assert.equal(await rig.drive(rig.module.available("none")), false);
      assert.equal(rig.fake.requests.length, 0, "the TLS handshake failed: nothing reached the proxy");
      assert.ok(rig.lines().some((l) => /vehicle list failed/.test(l)));
    } finally {
      await finish(rig);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("no proxy and a token without ou_code: 'unable to determine Fleet API region', nothing sent", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME })], settings: { carApiBearerToken: fakeJwt({ exp: 4_000_000_000 }) } });
  try {
    assert.equal(await rig.drive(rig.module.available("none")), false);
    assert.equal(rig.fake.requests.length, 0);
    assert.ok(rig.lines().some((l) => /unable to determine Fleet API region/.test(l)));
  } finally {
    await finish(rig);
  }
});
