/**
 * The Vehicles page's BLE routes over real HTTP on the whole product (vehicles.md §4.6, §8.4): config.json
 * with vehicle.teslaBLE and config.teslaControlPath pointing at the fake tesla-control, loaded through the
 * registry with the router. GET /api/v2/vehicles/ble lists the car with what to do at the car; POST
 * …/ble/pair sends the key request (public key, add-key-request) and marks it requested in settings.json;
 * bad VINs and unknown cars are refused; without the program the answers and the state document's alert
 * name the fix. No key material in any answer.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { json, startVehicleProduct, type VehicleProduct } from "../../test/integration/http-vehicles-rig.ts";
import { startFakeTeslaControl, type FakeTeslaControl } from "../integrations/vehicle-ble/fake-tesla-control.test-helper.ts";

const VIN = "5YJ3E1EA7KF000001";

async function withProduct(program: "fake" | "missing", fn: (p: VehicleProduct, fake: FakeTeslaControl) => Promise<void>, http?: Record<string, unknown>): Promise<void> {
  const fake = startFakeTeslaControl();
  const p = await startVehicleProduct({
    cars: [],
    ...(http !== undefined ? { http } : {}),
    module: "none",
    core: { teslaControlPath: program === "fake" ? fake.path : `${fake.dir}/not-there` },
    sections: { vehicle: { teslaBLE: { enabled: true } } },
    settings: { Vehicles: { [VIN]: {} } },
  });
  try {
    await fn(p, fake);
  } finally {
    await p.stop();
    fake.close();
  }
}

/** A request without moving the fake clock (tesla-control runs in real time; its timeout is the fake clock's). */
async function call(p: VehicleProduct, method: "GET" | "POST", path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const res = await fetch(p.url(path), { method, redirect: "manual", ...(method === "POST" ? { body: "{}", headers: { "content-type": "application/json", ...headers } } : { headers }) });
  const text = await res.text();
  return { status: res.status, body: json({ text }), text };
}

test("pairing from the Vehicles page: the car is listed unpaired, the request goes out, then it says to tap the key card", async () => {
  await withProduct("fake", async (p, fake) => {
    await p.until(async () => (await call(p, "GET", "/api/v2/vehicles/ble")).body.loaded === true, "the BLE module runs");
    const before = await call(p, "GET", "/api/v2/vehicles/ble");
    const car = (before.body.cars as Record<string, unknown>[])[0];
    assert.equal(car?.vin, VIN);
    assert.equal(car?.pairing, "unpaired");
    assert.match(String(car?.instructions), /key card/);
    const r = await call(p, "POST", `/api/v2/vehicles/${VIN}/ble/pair`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, "requested");
    assert.match(String(r.body.instructions), /tap a key card/);
    assert.deepEqual(fake.calls().map((c) => c.command), ["add-key-request"]);
    assert.equal(fake.calls()[0]?.keyHead, "-----BEGIN PUBLIC KEY-----");
    const after = await call(p, "GET", "/api/v2/vehicles/ble");
    assert.equal((after.body.cars as Record<string, unknown>[])[0]?.pairing, "requested");
    await p.until(() => (p.settingsFile().Vehicles as Record<string, Record<string, unknown>>)[VIN]?.BLEPeeringStatus === "requested", "saved in settings.json");
    const saved = (p.settingsFile().Vehicles as Record<string, Record<string, unknown>>)[VIN]!;
    for (const answer of [before.text, r.text, after.text]) {
      assert.ok(!answer.includes(String(saved.privKey)) && !answer.includes("PRIVATE KEY"), "no key material in an answer");
    }
  });
});

test("a malformed VIN is 400 naming vin; a car the chargers never reported is 404; the pairing failing is 502 with what to do", async () => {
  await withProduct("fake", async (p, fake) => {
    await p.until(async () => (await call(p, "GET", "/api/v2/vehicles/ble")).body.loaded === true, "the BLE module runs");
    const bad = await call(p, "POST", "/api/v2/vehicles/NOTAVIN/ble/pair");
    assert.equal(bad.status, 400);
    assert.match(String(bad.body.error), /^vin must be 17 characters/);
    const unknown = await call(p, "POST", "/api/v2/vehicles/5YJ3E1EA7KF000009/ble/pair");
    assert.equal(unknown.status, 404);
    fake.setMode("no_adapter");
    const failed = await call(p, "POST", `/api/v2/vehicles/${VIN}/ble/pair`);
    assert.equal(failed.status, 502);
    assert.match(String(failed.body.error), /can't init hci/);
    assert.match(String(failed.body.instructions), /Bluetooth LE adapter/);
  });
});

test("tesla-control missing: pairing is 409 naming config.teslaControlPath, and the state document has the alert", async () => {
  await withProduct("missing", async (p) => {
    await p.until(async () => ((await call(p, "GET", "/api/v2/vehicles/ble")).body.alerts as unknown[]).length > 0, "the alert is raised");
    const doc = await call(p, "GET", "/api/v2/vehicles/ble");
    assert.equal(doc.body.loaded, false);
    const r = await call(p, "POST", `/api/v2/vehicles/${VIN}/ble/pair`);
    assert.equal(r.status, 409);
    assert.match(String(r.body.error), /config\.teslaControlPath/);
    await p.until(async () => {
      const alerts = json(await p.get("/api/v2/state")).alerts as { code: string; message: string }[];
      return alerts.some((a) => a.code === "VEHICLE_BLE_UNAVAILABLE" && /tesla-control/.test(a.message));
    }, "VEHICLE_BLE_UNAVAILABLE in the state document");
  });
});

test("with HTTP auth on, pairing without credentials is 401 and runs nothing; with the API token it is sent", async () => {
  const token = "ble-test-api-token-0123456789";
  await withProduct(
    "fake",
    async (p, fake) => {
      await p.until(async () => (await call(p, "GET", "/api/v2/vehicles/ble")).body.loaded === true, "the BLE module runs");
      const anon = await call(p, "POST", `/api/v2/vehicles/${VIN}/ble/pair`);
      assert.equal(anon.status, 401, anon.text);
      assert.equal(fake.calls().length, 0, "tesla-control never ran for an unauthenticated request");
      const wrong = await call(p, "POST", `/api/v2/vehicles/${VIN}/ble/pair`, { authorization: "Bearer not-the-token-0123456789" });
      assert.equal(wrong.status, 401);
      assert.equal(fake.calls().length, 0);
      const ok = await call(p, "POST", `/api/v2/vehicles/${VIN}/ble/pair`, { authorization: `Bearer ${token}` });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(fake.calls().map((c) => c.command), ["add-key-request"]);
    },
    { auth: { tokens: [token] } },
  );
});

test("TWCManager's form route POST /vehicle/localMgmt operation=pair pairs too (302 to the detail page); /api/v2/vehicles says BLE is loaded", async () => {
  await withProduct("fake", async (p, fake) => {
    await p.until(async () => (await call(p, "GET", "/api/v2/vehicles/ble")).body.loaded === true, "the BLE module runs");
    assert.equal((await call(p, "GET", "/api/v2/vehicles")).body.ble, true);
    const res = await fetch(p.url("/vehicle/localMgmt"), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `operation=pair&vin=${VIN}`,
    });
    assert.equal(res.status, 302, await res.text());
    assert.equal(res.headers.get("location"), `/vehicleDetail/${VIN}`);
    assert.deepEqual(fake.calls().map((c) => c.command), ["add-key-request"]);
  });
});
