/**
 * What a TWCManager user sees of the car over HTTP (issue 14 "Outputs"; vehicles.md §2.13, §8.1, §8.5;
 * http-api.md §6.2, §7.14, §7.15): the real product with `vehicle.teslaAPI` and `teslaProxy` in
 * config.json and the tokens in settings.json, against the HTTPS loopback fake of the Fleet API; three
 * simulated chargers report VINs (a car of the account that is awake, one that sleeps, and a car the
 * account does not know). getSlaveTWCs gains the four last* keys with TWCManager's types, sentinels
 * and order; /api/v2/state and /api/v2/vehicles have the typed cars and the account, never a
 * coordinate or a token; sendTeslaAPICommand reaches the car or answers the spec's errors;
 * checkArrival / checkDeparture run the charge-limit checks.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Value } from "typebox/value";
import { StateDocumentSchema } from "../../src/http/v2/schemas.ts";
import { VehiclesDocSchema } from "../../src/state/schema-vehicles.ts";
import { fakeCar } from "../../src/integrations/tesla/fake-fleet-api.test-helper.ts";
import { DRIVEWAY, json, leakedTokens, startVehicleProduct, type VehicleProduct } from "./http-vehicles-rig.ts";

const AWAKE = "5YJ3E1EA8KF000001";
const ASLEEP = "5YJ3E1EAXKF000002";
const STRANGER = "5YJ3E1EA2KF000009";

const slaves = [
  { twcID: "4142", maxAmps: 32, vin: AWAKE, car: { behaviour: "follow" } },
  { twcID: "4143", maxAmps: 32, vin: ASLEEP, car: { behaviour: "follow" } },
  { twcID: "4144", maxAmps: 32, vin: STRANGER, car: { behaviour: "follow" } },
];

let p: VehicleProduct;
const awake = fakeCar(AWAKE, { name: "Blue", soc: 54, limit: 80, timeToFull: 2.5, chargingState: "Charging", ...DRIVEWAY });
const asleep = fakeCar(ASLEEP, { name: "Red", state: "asleep", wakeAfter: 1000, ...DRIVEWAY });

type Slaves = Record<string, Record<string, unknown>>;
const slaveTWCs = async (): Promise<Slaves> => json(await p.get("/api/getSlaveTWCs")) as Slaves;
const stateVehicles = async (): Promise<Record<string, unknown>[]> => json(await p.get("/api/v2/state")).vehicles as Record<string, unknown>[];

before(async () => {
  p = await startVehicleProduct({ cars: [awake, asleep], slaves });
  const r = await p.post("/api/chargeNow", { chargeNowRate: 32, chargeNowDuration: 7200 });
  assert.equal(r.status, 200, r.text);
  await p.until(async () => {
    const s = await slaveTWCs();
    return ["4142", "4143", "4144"].every((id) => s[id]?.currentVIN !== "") && s["4142"]?.lastBatterySOC === 54;
  }, "the chargers report their VINs and the awake car's data is read");
});

after(async () => {
  await p?.stop();
});

describe("GET /api/getSlaveTWCs with the Fleet API module (vehicles.md §2.13)", () => {
  test("a charger whose VIN is a car of the account gets lastAtHome, lastBatterySOC, lastChargeLimit, lastTimeToFullCharge after chargeTime", async () => {
    const s = await slaveTWCs();
    const c = s["4142"]!;
    assert.equal(c.currentVIN, AWAKE);
    assert.deepEqual(Object.keys(c).slice(-5), ["chargeTime", "lastAtHome", "lastBatterySOC", "lastChargeLimit", "lastTimeToFullCharge"]);
    assert.deepEqual([c.lastAtHome, c.lastBatterySOC, c.lastChargeLimit, c.lastTimeToFullCharge], [true, 54, 80, 2.5]);
    assert.equal(typeof c.lastAtHome, "boolean");
    assert.ok(Number.isInteger(c.lastBatterySOC) && Number.isInteger(c.lastChargeLimit));
    assert.equal(typeof c.lastTimeToFullCharge, "number");
  });

  test("a car of the account that was never read (asleep) shows upstream's sentinels: 10000, −1, 0, false", async () => {
    const c = (await slaveTWCs())["4143"]!;
    assert.equal(c.currentVIN, ASLEEP);
    assert.deepEqual([c.lastAtHome, c.lastBatterySOC, c.lastChargeLimit, c.lastTimeToFullCharge], [false, 10000, -1, 0]);
    assert.equal(asleep.state, "asleep", "reading the charger's data never woke the car");
    assert.equal(p.fake.count(new RegExp(`POST /api/1/vehicles/${ASLEEP}/wake_up`)), 0);
  });

  test("a charger whose car the account does not know has no vehicle keys; total is unchanged", async () => {
    const s = await slaveTWCs();
    const c = s["4144"]!;
    assert.equal(c.currentVIN, STRANGER);
    assert.equal(Object.keys(c).at(-1), "chargeTime");
    for (const k of ["lastAtHome", "lastBatterySOC", "lastChargeLimit", "lastTimeToFullCharge"]) assert.ok(!Object.hasOwn(c, k), k);
    assert.deepEqual(Object.keys(s.total!), ["carsCharging", "lastAmpsOffered", "lifetimekWh", "maxAmps", "reportedAmpsActual", "TWCID"]);
  });

  test("the values follow the car: a new state of charge and limit appear after the next read (≤ 5 min at home)", async () => {
    awake.soc = 61;
    awake.limit = 85;
    await p.until(async () => (await slaveTWCs())["4142"]?.lastBatterySOC === 61, "the new state of charge", 7 * 60_000);
    assert.equal((await slaveTWCs())["4142"]!.lastChargeLimit, 85);
  });
});

describe("GET /api/v2/state and /api/v2/vehicles (vehicles.md §2.13, §8.4)", () => {
  test("state.vehicles: every car of the account, sorted by VIN, typed, linked to its charger", async () => {
    const v = await stateVehicles();
    assert.deepEqual(v.map((c) => c.vin), [AWAKE, ASLEEP]);
    const [a, b] = v as [Record<string, unknown>, Record<string, unknown>];
    assert.equal(a.name, "Blue");
    assert.equal(a.id, awake.id);
    assert.equal(a.source, "TeslaAPI");
    assert.equal(a.syncSource, "TeslaAPI");
    assert.equal(a.commandPath, "proxy");
    assert.equal(a.atHome, true);
    assert.equal(a.batteryLevel, 61);
    assert.equal(a.chargeLimit, 85);
    assert.equal(a.chargingState, "Charging");
    assert.equal(a.timeToFullChargeH, 2.5);
    assert.equal(a.onlineState, "online");
    assert.equal(a.twcId, "4142");
    assert.equal(a.backoffUntil, null);
    assert.match(String(a.updatedAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    assert.equal(b.name, "Red");
    assert.equal(b.batteryLevel, null, "unknown is null in the typed document (not 10000)");
    assert.equal(b.chargeLimit, null);
    assert.equal(b.timeToFullChargeH, null);
    assert.equal(b.onlineState, "asleep");
    assert.equal(b.twcId, "4143");
  });

  test("state.teslaAccount: configured (PKCE), logged in with the token's expiry, proxy — and never a token", async () => {
    const doc = json(await p.get("/api/v2/state"));
    const acc = doc.teslaAccount as Record<string, unknown>;
    assert.deepEqual(
      { ...acc, tokenExpiresAt: typeof acc.tokenExpiresAt },
      { configured: true, pkce: true, loggedIn: true, tokenExpiresAt: "string", tokenSync: false, proxy: true, region: "NA" },
    );
    const exp = JSON.parse(Buffer.from(p.fake.tokens.access.split(".")[1]!, "base64url").toString()) as { exp: number };
    assert.equal(Date.parse(String(acc.tokenExpiresAt)), exp.exp * 1000, "the expiry is the JWT's exp");
  });

  test("both documents match their published schemas (the OpenAPI document's) with real cars in them", async () => {
    for (const [path, schema] of [["/api/v2/state", StateDocumentSchema], ["/api/v2/vehicles", VehiclesDocSchema]] as const) {
      const doc = json(await p.get(path));
      assert.ok(Value.Check(schema, doc), `${path}: ${JSON.stringify([...Value.Errors(schema, doc)].slice(0, 3))}`);
    }
  });

  test("no coordinate of a car anywhere in the state document or the vehicles document", async () => {
    for (const path of ["/api/v2/state", "/api/v2/vehicles"]) {
      const text = (await p.get(path)).text;
      for (const v of [String(DRIVEWAY.lat), String(DRIVEWAY.lon)]) assert.ok(!text.includes(v), `${path} contains the car's coordinate ${v}`);
      const keys: string[] = [];
      const walk = (x: unknown): void => {
        if (Array.isArray(x)) x.forEach(walk);
        else if (typeof x === "object" && x !== null)
          for (const [k, val] of Object.entries(x)) {
            keys.push(k);
            walk(val);
          }
      };
      walk(JSON.parse(text));
      assert.deepEqual(keys.filter((k) => /^(lat|lon|latitude|longitude|location|gps.*|drive_?state)$/i.test(k)), [], path);
    }
  });

  test("/api/v2/vehicles: the VINs the chargers reported, the built-in groups, the live cars", async () => {
    const d = json(await p.get("/api/v2/vehicles"));
    const known = d.known as { vin: string; chargeSessions: number; totalKWh: number }[];
    assert.deepEqual(known.map((k) => k.vin), [AWAKE, ASLEEP, STRANGER].sort());
    assert.ok(known.every((k) => Number.isInteger(k.chargeSessions) && typeof k.totalKWh === "number"));
    const groups = d.groups as { name: string; builtIn: boolean; members: string[] }[];
    assert.deepEqual(groups.map((g) => [g.name, g.builtIn]), [["Allow Charging", true], ["Deny Charging", true]]);
    assert.deepEqual((d.live as { vin: string }[]).map((v) => v.vin), [AWAKE, ASLEEP]);
    assert.equal(d.ble, false);
  });
});

describe("POST /api/sendTeslaAPICommand (vehicles.md §8.5)", () => {
  const send = (body: unknown) => p.post("/api/sendTeslaAPICommand", body);
  const amps = () => p.fake.requests.filter((r) => r.path === `/api/1/vehicles/${AWAKE}/command/set_charging_amps`);

  test("setChargeRate with the Debug page's body (id as a string, parameters as JSON text) reaches the car: 200, empty", async () => {
    const before = amps().length;
    const r = await send({ commandName: "setChargeRate", vehicleID: String(awake.id), parameters: '{ "charge_rate": 12 }' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, "");
    const sent = amps().slice(before);
    assert.deepEqual(sent.map((x) => JSON.parse(x.body) as unknown), [{ charging_amps: 12 }]);
    assert.equal(sent[0]!.bearer, p.fake.tokens.access);
  });

  test("below 5 A the rate is sent twice, 5 s apart (vehicles.md §2.9); parameters may be an object, the id a number", async () => {
    const before = amps().length;
    const r = await send({ commandName: "setChargeRate", vehicleID: awake.id, parameters: { charge_rate: 3 } });
    assert.equal(r.status, 200, r.text);
    const sent = amps().slice(before);
    assert.deepEqual(sent.map((x) => JSON.parse(x.body) as unknown), [{ charging_amps: 3 }, { charging_amps: 3 }]);
    assert.ok(sent[1]!.atMs - sent[0]!.atMs >= 5000, `${sent[1]!.atMs - sent[0]!.atMs} ms apart`);
  });

  test("wakeVehicle sends wake_up to that car: 200 (the car answers its state; it wakes in its own time)", async () => {
    const before = p.fake.count(new RegExp(`POST /api/1/vehicles/${ASLEEP}/wake_up`));
    const r = await send({ commandName: "wakeVehicle", vehicleID: String(asleep.id), parameters: "{}" });
    assert.equal(r.status, 200, r.text);
    assert.equal(p.fake.count(new RegExp(`POST /api/1/vehicles/${ASLEEP}/wake_up`)), before + 1);
  });

  test("bad bodies → 400 naming the field; unknown car → 404; nothing reaches the cloud", async () => {
    const before = p.fake.requests.length;
    const cases: [unknown, number, string | RegExp][] = [
      ["garbage", 400, /^Invalid JSON/],
      ["[1]", 400, "JSON must be an object, not an array or primitive"],
      [{}, 400, "commandName is required"],
      [{ commandName: 7, vehicleID: awake.id }, 400, "commandName must be a string"],
      [{ commandName: "honk", vehicleID: awake.id }, 400, "Unknown commandName 'honk'"],
      [{ commandName: "wakeVehicle" }, 400, "vehicleID is required"],
      [{ commandName: "wakeVehicle", vehicleID: "my car" }, 400, "vehicleID must be a number"],
      [{ commandName: "wakeVehicle", vehicleID: 1.5 }, 400, "vehicleID must be a number"],
      [{ commandName: "setChargeRate", vehicleID: awake.id, parameters: "not json" }, 400, "charge_rate is required"],
      [{ commandName: "setChargeRate", vehicleID: awake.id, parameters: { charge_rate: "lots" } }, 400, "charge_rate must be a number"],
      [{ commandName: "setChargeRate", vehicleID: awake.id, parameters: { charge_rate: 0 } }, 400, "charge_rate must be between 1 and 32"],
      [{ commandName: "setChargeRate", vehicleID: awake.id, parameters: { charge_rate: 33 } }, 400, "charge_rate must be between 1 and 32"],
      [{ commandName: "wakeVehicle", vehicleID: 424242 }, 404, "Vehicle '424242' not found"],
    ];
    for (const [body, status, message] of cases) {
      const r = await send(body);
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
      const error = String(json(r).error);
      if (typeof message === "string") assert.equal(error, message, JSON.stringify(body));
      else assert.match(error, message);
    }
    assert.equal(p.fake.requests.length, before, "no request for a refused command");
  });

  test("a command the car cannot take (asleep) → 409 with the reason, no token in it", async () => {
    const r = await send({ commandName: "setChargeRate", vehicleID: asleep.id, parameters: { charge_rate: 10 } });
    assert.equal(r.status, 409, r.text);
    assert.match(String(json(r).error), /asleep/);
    assert.deepEqual(leakedTokens(p.fake, r.text), []);
  });
});

describe("POST /api/checkArrival and /api/checkDeparture (vehicles.md §3.4, §8.1)", () => {
  const passes = (check: string): number => p.logs.filter((l) => l.includes('"module":"vehicle.teslaAPI"') && l.includes(`"check":"${check}"`)).length;

  for (const check of ["arrival", "departure"] as const) {
    test(`check${check === "arrival" ? "Arrival" : "Departure"} → 202 and the module runs the ${check} charge-limit pass at once`, async () => {
      const before = passes(check);
      const r = await p.post(`/api/check${check === "arrival" ? "Arrival" : "Departure"}`, "ignored body");
      assert.equal(r.status, 202);
      assert.equal(r.text, "");
      await p.until(() => passes(check) > before, `the ${check} pass`, 10_000);
    });
  }
});

describe("after charging: the car stays matched by the charger's last VIN", () => {
  test("cancelChargeNow → currentVIN empties, lastVIN keeps the car, the last* keys stay", async () => {
    assert.equal((await p.post("/api/cancelChargeNow")).status, 200);
    await p.until(async () => (await slaveTWCs())["4142"]?.currentVIN === "", "the car stops", 180_000);
    const c = (await slaveTWCs())["4142"]!;
    assert.equal(c.lastVIN, AWAKE);
    assert.equal(c.lastBatterySOC, 61);
    assert.equal(c.lastChargeLimit, 85);
  });
});

describe("secrets (issue 14 §5)", () => {
  test("no token the cloud ever issued is in any answer or any log line", async () => {
    const bodies: string[] = [];
    for (const path of ["/api/getSlaveTWCs", "/api/getStatus", "/api/getConfig", "/api/v2/state", "/api/v2/vehicles", "/api/v2/settings", "/metrics", "/teslaAccount/success", "/vehicles"]) {
      const r = await p.get(path);
      assert.equal(r.status, 200, `${path}: ${r.status}`);
      bodies.push(r.text);
    }
    assert.ok(p.fake.issued.length >= 2);
    assert.deepEqual(leakedTokens(p.fake, bodies.join("\n")), [], "a token in an HTTP answer");
    assert.ok(p.logs.length > 50, "the product logged");
    assert.deepEqual(leakedTokens(p.fake, p.logs.join("\n")), [], "a token in the log");
    assert.ok(p.fake.requests.some((r) => r.bearer === p.fake.tokens.access), "the token was used (so the check is not vacuous)");
  });
});
