/**
 * Fleet API error classes against the HTTPS loopback fake (vehicles.md §2.10, §9.2 scenarios 8–10):
 * 408 marks the car not awake and grows the back-off 0, 1, 2 … min; 429 silences the car until
 * Retry-After (at least 10 min) and raises VEHICLE_API_BACKOFF; 403 "Vehicle Command Protocol
 * required" flags the car, raises VEHICLE_COMMAND_PROTOCOL_REQUIRED naming teslaProxy / TeslaBLE and is
 * not repeated until the next stop; a malformed answer, a 5xx or a timeout is an error for that car
 * only, never a crash. No token appears in a log line or an error text.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { VehicleCommandResult } from "../capabilities.ts";
import { fakeCar } from "./fake-fleet-api.test-helper.ts";
import { HOME, startRig, type Rig } from "./tesla-rig.test-helper.ts";

const VIN = "5YJ3E1EA7KF000001";
const VIN2 = "5YJ3E1EA7KF000002";

async function finish(rig: Rig, results: readonly VehicleCommandResult[] = []): Promise<void> {
  try {
    assert.deepEqual(rig.leaks(), [], "no token in any log line");
    for (const r of results) if (!r.ok) for (const t of rig.fake.issued) assert.ok(!r.reason.includes(t), "no token in an error text");
  } finally {
    await rig.close();
  }
}

test("408 on vehicle_data: the car is not awake, its back-off grows 0, 1, 2 min, a success resets it", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME })] });
  const results: VehicleCommandResult[] = [];
  try {
    assert.equal(await rig.drive(rig.module.available("none")), true);
    const car = rig.module.byVin(VIN)!;
    rig.fake.script.push({ match: /vehicle_data/, status: 408, body: { response: null, error: "vehicle unavailable: vehicle is offline or asleep" }, times: 10 });
    const sent = (): number => rig.fake.count(/vehicle_data/);
    results.push(await rig.drive(car.refresh(0)));
    assert.ok(!results[0]!.ok && results[0]!.kind === "timeout");
    assert.equal(car.status()!.onlineState, "asleep", "408: not awake");
    results.push(await rig.drive(car.refresh(0)));
    assert.equal(sent(), 2, "the first error costs nothing");
    const blocked = await rig.drive(car.refresh(0));
    assert.ok(!blocked.ok && blocked.kind === "rate_limited");
    assert.equal(sent(), 2, "second error: 1 min back-off");
    assert.ok(car.status()!.backoffUntilMs !== null);
    rig.advance(61_000);
    results.push(await rig.drive(car.refresh(0)));
    assert.equal(sent(), 3);
    rig.advance(61_000);
    await rig.drive(car.refresh(0));
    assert.equal(sent(), 3, "third error: 2 min back-off");
    rig.advance(60_000);
    rig.fake.script.length = 0;
    assert.deepEqual(await rig.drive(car.refresh(0)), { ok: true });
    assert.equal(car.status()!.backoffUntilMs, null, "a success resets the back-off");
    assert.deepEqual(await rig.drive(car.refresh(0)), { ok: true });
  } finally {
    await finish(rig, results);
  }
});

test("429 with Retry-After 1200: no request to that car until then, VEHICLE_API_BACKOFF raised and cleared", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME })] });
  try {
    assert.equal(await rig.drive(rig.module.available("none")), true);
    const car = rig.module.byVin(VIN)!;
    const t0 = rig.clock.now();
    rig.fake.script.push({ match: /vehicle_data/, status: 429, body: { error: "rate limited" }, headers: { "Retry-After": "1200" } });
    const r = await rig.drive(car.refresh(0));
    assert.ok(!r.ok && r.kind === "rate_limited" && r.retryAtMs === t0 + 1_200_000);
    const alert = rig.module.alerts().find((a) => a.code === "VEHICLE_API_BACKOFF");
    assert.ok(alert, "VEHICLE_API_BACKOFF raised");
    assert.match(alert.message, /rate limit/i);
    assert.match(alert.message, /resume/i);
    const before = rig.fake.requests.filter((x) => x.path.includes(VIN)).length;
    for (let i = 0; i < 11; i++) {
      rig.advance(100_000);
      await rig.drive(car.refresh(0));
      await rig.drive(rig.module.charge(true, VIN));
      await rig.drive(rig.module.setChargeRate(8, VIN));
      await rig.drive(rig.module.applyLimit(80, "none"));
    }
    assert.ok(rig.clock.now() - t0 < 1_200_000);
    assert.equal(rig.fake.requests.filter((x) => x.path.includes(VIN)).length, before, "nothing sent to the car before Retry-After");
    rig.advance(1_200_000 - (rig.clock.now() - t0) + 1000);
    assert.deepEqual(await rig.drive(car.refresh(0)), { ok: true });
    assert.equal(rig.module.alerts().find((a) => a.code === "VEHICLE_API_BACKOFF"), undefined, "cleared after a success");
  } finally {
    await finish(rig);
  }
});

test("429 without Retry-After: the car backs off 10 minutes", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME })] });
  try {
    assert.equal(await rig.drive(rig.module.available("none")), true);
    const car = rig.module.byVin(VIN)!;
    rig.fake.script.push({ match: /vehicle_data/, status: 429, body: {} });
    await rig.drive(car.refresh(0));
    rig.advance(590_000);
    const r = await rig.drive(car.refresh(0));
    assert.ok(!r.ok && r.kind === "rate_limited");
    assert.equal(rig.fake.count(/vehicle_data/), 1);
    rig.advance(11_000);
    assert.deepEqual(await rig.drive(car.refresh(0)), { ok: true });
  } finally {
    await finish(rig);
  }
});

test("403 Vehicle Command Protocol required on charge_start: error logged and alerted naming teslaProxy/TeslaBLE, car flagged, no repeat until the next stop", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME })] });
  const results: VehicleCommandResult[] = [];
  try {
    rig.fake.script.push({ match: /command\/(charge_start|set_charging_amps)/, status: 403, body: { response: null, error: "Tesla Vehicle Command Protocol required, please refer to the documentation here: https://developer.tesla.com/docs" }, times: 5 });
    assert.equal(await rig.drive(rig.module.charge(true, VIN)), "error");
    assert.equal(rig.fake.count(/charge_start/), 1);
    const alert = rig.module.alerts().find((a) => a.code === "VEHICLE_COMMAND_PROTOCOL_REQUIRED");
    assert.ok(alert, "alert raised");
    assert.match(alert.message, /teslaProxy/);
    assert.match(alert.message, /TeslaBLE/);
    assert.ok(rig.logger.records.some((l) => l.level === "error" && l.obj.code === "VEHICLE_COMMAND_PROTOCOL_REQUIRED"));
    assert.equal(rig.module.statuses()[0]!.stopAskingToStartCharging, true, "car flagged");
    rig.advance(61_000);
    await rig.drive(rig.module.charge(true, VIN));
    assert.equal(rig.fake.count(/charge_start/), 1, "no repeat while flagged");
    const amps = await rig.drive(rig.module.setChargeRate(10, VIN));
    results.push(amps);
    assert.ok(!amps.ok && amps.kind === "command_protocol_required" && /teslaProxy/.test(amps.fix ?? ""), "set_charging_amps: a failure, not a success");
    rig.advance(61_000);
    await rig.drive(rig.module.charge(false, VIN));
    assert.equal(rig.module.statuses()[0]!.stopAskingToStartCharging, false, "a stop request clears the flag");
    rig.advance(61_000);
    await rig.drive(rig.module.charge(true, VIN));
    assert.equal(rig.fake.count(/charge_start/), 2, "tried again after the stop cycle");
  } finally {
    await finish(rig, results);
  }
});

test("malformed answers, a 5xx and a timeout are errors for that car only: the other car is started, nothing throws", async () => {
  const rig = await startRig({ cars: [fakeCar(VIN, { ...HOME }), fakeCar(VIN2, { ...HOME })], opts: { timeoutMs: 300 } });
  const results: VehicleCommandResult[] = [];
  try {
    rig.fake.script.push({ match: /GET \/api\/1\/vehicles$/, status: 200, body: { nothing: true } });
    assert.equal(await rig.drive(rig.module.available("none")), false, "a list without response/count");
    assert.ok(rig.lines().some((l) => /will try again in \d+ minutes/.test(l)));
    assert.equal(await rig.drive(rig.module.available("none")), true);
    assert.equal(rig.module.vehicles().length, 2);
    const a = rig.module.byVin(VIN)!;
    rig.fake.script.push({ match: new RegExp(`${VIN}/vehicle_data`), status: 200, body: null, raw: "<html>oops</html>" });
    results.push(await rig.drive(a.refresh(0)));
    assert.ok(!results[0]!.ok && results[0]!.kind === "malformed");
    rig.fake.script.push({ match: new RegExp(`${VIN}/vehicle_data`), status: 200, body: { response: "a string" } });
    results.push(await rig.drive(a.refresh(0)));
    assert.ok(!results[1]!.ok && results[1]!.kind === "malformed");
    rig.advance(120_000);
    rig.fake.script.push({ match: new RegExp(`${VIN}/vehicle_data`), status: 503, body: { error: "upstream down" } });
    results.push(await rig.drive(a.refresh(0)));
    assert.ok(!results[2]!.ok && results[2]!.kind === "server");
    rig.advance(600_000);
    rig.fake.script.push({ match: new RegExp(`${VIN}/vehicle_data`), status: 200, body: {}, delayMs: 1500 });
    results.push(await rig.drive(a.refresh(0)));
    assert.ok(!results[3]!.ok && results[3]!.kind === "network" && /no answer within/.test(results[3]!.reason));
    // Start both: the first car's data is malformed, the second is started.
    rig.advance(600_000);
    rig.fake.script.push({ match: new RegExp(`${VIN}/vehicle_data`), status: 200, body: { response: [1, 2] } });
    assert.equal(await rig.drive(rig.module.charge(true)), "error", "one car produced an error");
    assert.equal(rig.fake.count(new RegExp(`${VIN2}/command/charge_start`)), 1, "the other car started");
    assert.equal(rig.fake.count(new RegExp(`${VIN}/command/charge_start`)), 0);
  } finally {
    await finish(rig, results);
  }
});
