/**
 * The vehicle outputs without a vehicle module (vehicles.md intro: http-api.md §6.2, §7.14, §7.15 apply
 * unchanged): a charger reporting a VIN gets no last* keys, the state document has no cars and no
 * account, sendTeslaAPICommand answers 501 whatever it is sent, checkArrival / checkDeparture 202, and
 * the Tesla account routes say "not configured" / "error" instead of failing.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { json, startVehicleProduct, type VehicleProduct } from "./http-vehicles-rig.ts";

const VIN = "5YJ3E1EA8KF000001";
let p: VehicleProduct;

before(async () => {
  p = await startVehicleProduct({ cars: [], module: "none", tokens: false, slaves: [{ twcID: "4142", maxAmps: 32, vin: VIN, car: { behaviour: "follow" } }] });
  assert.equal((await p.post("/api/chargeNow", { chargeNowRate: 16, chargeNowDuration: 3600 })).status, 200);
  await p.until(async () => json(await p.get("/api/getSlaveTWCs"))["4142"] !== undefined && (json(await p.get("/api/getSlaveTWCs"))["4142"] as Record<string, unknown>).currentVIN === VIN, "the VIN is reported");
});

after(async () => {
  await p?.stop();
});

test("getSlaveTWCs: the charger's keys end with chargeTime (no vehicle keys without a module)", async () => {
  const c = json(await p.get("/api/getSlaveTWCs"))["4142"] as Record<string, unknown>;
  assert.equal(c.currentVIN, VIN);
  assert.equal(Object.keys(c).at(-1), "chargeTime");
});

test("state: vehicles [] and teslaAccount null; /api/v2/vehicles lists the reported VIN and no live car", async () => {
  const doc = json(await p.get("/api/v2/state"));
  assert.deepEqual(doc.vehicles, []);
  assert.equal(doc.teslaAccount, null);
  const v = json(await p.get("/api/v2/vehicles"));
  assert.deepEqual((v.known as { vin: string }[]).map((k) => k.vin), [VIN]);
  assert.deepEqual(v.live, []);
});

test("sendTeslaAPICommand → 501 whatever the body; checkArrival / checkDeparture → 202", async () => {
  for (const body of [{ commandName: "wakeVehicle", vehicleID: 1 }, "garbage", undefined]) {
    const r = await p.post("/api/sendTeslaAPICommand", body);
    assert.equal(r.status, 501);
    assert.deepEqual(json(r), { error: "No vehicle API module is configured" });
  }
  for (const path of ["/api/checkArrival", "/api/checkDeparture"]) assert.equal((await p.post(path)).status, 202);
});

test("the Tesla account routes without the module: login → /teslaAccount/not_configured, a pasted URL → /teslaAccount/error", async () => {
  const login = await p.get("/teslaAccount/login?region=EU");
  assert.equal(login.status, 302);
  assert.equal(login.headers.get("location"), "/teslaAccount/not_configured");
  const save = await p.post("/teslaAccount/saveToken", "url=https%3A%2F%2Ftwc.example.net%2Fcb%3Fcode%3Dabc%26state%3Dxyz", { "content-type": "application/x-www-form-urlencoded" });
  assert.equal(save.status, 302);
  assert.equal(save.headers.get("location"), "/teslaAccount/error");
});
