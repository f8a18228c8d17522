/**
 * HTTP contract tests (design.md §14 tier 3) for the legacy GET endpoints and the route-level error
 * model: the real product on the simulator (one idle slave 4142), a FakeClock at 23:00 local time, real
 * fastify on loopback. Bodies are compared byte for byte where http-api.md gives them.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../../src/shared/clock.ts";
import { advanceUntil, localInstant, startHarness, type Harness } from "./http-harness.ts";

const JSON_TYPE = "application/json; charset=utf-8";
const TEXT_TYPE = "text/plain; charset=utf-8";

// http-api.md §6.1, fresh install at night, no energy source, one idle simulated slave.
const STATUS_EXAMPLE =
  '{"carsCharging":0,"chargerLoadWatts":"0.00","chargerLoadAmps":["0.00"],"currentPolicy":"Non Scheduled Charging","maxAmpsToDivideAmongSlaves":"0.00","consumptionAmps":"0.00","consumptionWatts":"0.00","generationAmps":"0.00","generationWatts":"0.00","isGreenPolicy":"No","scheduledChargingStartHour":-1,"scheduledChargingFlexStart":-1,"scheduledChargingEndHour":-1,"ScheduledCharging":{"enabled":false,"amps":0,"startingMinute":-1,"endingMinute":-1,"monday":true,"tuesday":true,"wednesday":true,"thursday":true,"friday":true,"saturday":true,"sunday":true,"flexStartEnabled":0,"flexStartingMinute":-1,"flexEndingMinute":-1,"flexMonday":true,"flexTuesday":true,"flexWednesday":true,"flexThursday":true,"flexFriday":true,"flexSaturday":true,"flexSunday":true,"flexBatterySize":100}}';

// http-api.md §6.2 (lastHeartbeat is time-dependent: LH stands for it).
const SLAVES_EXAMPLE =
  '{"4142":{"carsCharging":false,"chargerLoadInW":0,"currentVIN":"","lastAmpsOffered":0,"lastHeartbeat":LH,"lastVIN":"","lifetimekWh":0,"maxAmps":80,"reportedAmpsActual":0,"state":0,"version":2,"voltsPhaseA":240,"voltsPhaseB":0,"voltsPhaseC":0,"TWCID":"4142","chargeTime":"--:--:--"},"total":{"carsCharging":0,"lastAmpsOffered":0,"lifetimekWh":0,"maxAmps":80,"reportedAmpsActual":0,"TWCID":"total"}}';

// http-api.md §6.4, the default policy list.
const POLICY_EXAMPLE = [
  '[{"name":"Charge Now","match":["settings.chargeNowAmps","settings.chargeNowTimeEnd","settings.chargeNowTimeEnd"],"condition":["gt","gt","gt"],"value":[0,0,"now"],"charge_amps":"settings.chargeNowAmps","charge_limit":"config.chargeNowLimit"},',
  '{"name":"Scheduled Charging","match":["checkScheduledCharging()"],"condition":["eq"],"value":[1],"charge_amps":"settings.scheduledAmpsMax","charge_limit":"config.scheduledLimit"},',
  '{"name":"Track Green Energy","match":["tm_hour","tm_hour","settings.hourResumeTrackGreenEnergy","settings.nonScheduledAction"],"condition":["gte","lt","lte","ne"],"value":["settings.sunrise","settings.sunset","tm_hour",2],"background_task":"checkGreenEnergy","allowed_flex":"config.greenEnergyFlexAmps","charge_limit":"config.greenEnergyLimit"},',
  '{"name":"Non Scheduled Charging","match":["settings.nonScheduledAction"],"condition":["lt"],"value":[3],"charge_amps":"nonScheduledAmps()","charge_limit":"config.nonScheduledLimit"},',
  '{"name":"Track Green Energy","match":["settings.nonScheduledAction"],"condition":["eq"],"value":[3],"background_task":"checkGreenEnergy","allowed_flex":"config.greenEnergyFlexAmps","charge_limit":"config.greenEnergyLimit"}]',
].join("");

const GET_ROUTES = [
  "getStatus",
  "getSlaveTWCs",
  "getConfig",
  "getPolicy",
  "getActivePolicyAction",
  "getConsumptionOffsets",
  "getHistory",
  "getLastTWCResponse",
  "getUUID",
] as const;

const POST_ROUTES = [
  "chargeNow",
  "cancelChargeNow",
  "sendStartCommand",
  "sendStopCommand",
  "addConsumptionOffset",
  "deleteConsumptionOffset",
  "setConsumptionOffset",
  "saveSettings",
  "setSetting",
  "setScheduledChargingSettings",
  "setLatLon",
  "setPolicy",
  "checkArrival",
  "checkDeparture",
  "sendDebugCommand",
  "sendTeslaAPICommand",
] as const;

/** The headers every /api response carries (http-api.md §2.2, §2.3). */
function assertApiHeaders(res: Response, what: string): void {
  assert.equal(res.headers.get("x-content-type-options"), "nosniff", what);
  assert.equal(res.headers.get("referrer-policy"), "same-origin", what);
  assert.equal(res.headers.get("cache-control"), "no-store", what);
  assert.equal(res.headers.get("server"), null, `${what}: no Server header`);
  assert.ok(res.headers.get("date"), `${what}: Date header`);
  assert.equal(res.headers.get("access-control-allow-origin"), null, `${what}: no CORS header`);
}

let h: Harness;
let clock: FakeClock;

before(async () => {
  clock = new FakeClock(localInstant(23));
  h = await startHarness({ clock });
  // Link the slave and let it report its voltage (the §6.2 example shows 240 V on phase A).
  await advanceUntil(
    clock,
    () => {
      const c = h.product.engine.state.snapshot.chargers[0];
      return c !== undefined && c.ampsOffered !== null && c.voltage.a > 0;
    },
    120_000,
  );
});

after(async () => {
  await h.stop();
});

async function get(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(h.url(path), init);
}

describe("legacy GET endpoints", () => {
  test("getStatus: the §6.1 fresh-install night document byte for byte, with the JSON headers", async () => {
    const res = await get("/api/getStatus");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), JSON_TYPE);
    assertApiHeaders(res, "getStatus");
    const text = await res.text();
    assert.equal(res.headers.get("content-length"), String(Buffer.byteLength(text)));
    assert.equal(text, STATUS_EXAMPLE);
  });

  test("getSlaveTWCs: the §6.2 example for slave 4142 (keys in order, then total)", async () => {
    const res = await get("/api/getSlaveTWCs");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), JSON_TYPE);
    assertApiHeaders(res, "getSlaveTWCs");
    const text = await res.text();
    const m = /"lastHeartbeat":(\d+(?:\.\d{1,2})?),/.exec(text);
    assert.ok(m, `lastHeartbeat is a number with at most two decimals: ${text}`);
    assert.ok(Number(m[1]) < 2, "the last heartbeat is recent");
    assert.equal(text.replace(m[0], '"lastHeartbeat":LH,'), SLAVES_EXAMPLE);
  });

  test("getPolicy: the default list of §6.4 byte for byte", async () => {
    const res = await get("/api/getPolicy");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), JSON_TYPE);
    assert.equal(await res.text(), POLICY_EXAMPLE);
  });

  test("getActivePolicyAction: a bare scalar (Non Scheduled Charging with 0 A → 2)", async () => {
    const res = await get("/api/getActivePolicyAction");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), JSON_TYPE);
    assert.equal(await res.text(), "2");
  });

  test("getConsumptionOffsets: {} on a fresh install", async () => {
    const res = await get("/api/getConsumptionOffsets");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), JSON_TYPE);
    assert.equal(await res.text(), "{}");
  });

  test("getUUID: plain-text decimal, stable, and persisted in settings", async () => {
    const a = await get("/api/getUUID");
    assert.equal(a.status, 200);
    assert.equal(a.headers.get("content-type"), TEXT_TYPE);
    assertApiHeaders(a, "getUUID");
    const text = await a.text();
    assert.match(text, /^\d+$/);
    assert.equal(await (await get("/api/getUUID")).text(), text);
    assert.equal(String(h.product.settings.get().installationNodeId), text);
  });

  test("getLastTWCResponse: empty text/plain before any debug command", async () => {
    const res = await get("/api/getLastTWCResponse");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), TEXT_TYPE);
    assert.equal(await res.text(), "");
  });

  test("getHistory: 576 entries of {timestamp, charger_power}", async () => {
    const res = await get("/api/getHistory");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), JSON_TYPE);
    const body = (await res.json()) as { timestamp: string; charger_power: number }[];
    assert.equal(body.length, 576);
    assert.deepEqual(Object.keys(body[0]!), ["timestamp", "charger_power"]);
    assert.match(body[575]!.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d[05]:00[+-]\d\d:\d\d$/);
  });

  test("getConfig: the loaded config as JSON", async () => {
    const res = await get("/api/getConfig");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), JSON_TYPE);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), Object.keys(h.config));
  });

  test("query strings (cache busters) are ignored", async () => {
    assert.equal(await (await get("/api/getStatus?_=1700000000000")).text(), STATUS_EXAMPLE);
  });

  test("duplicate slashes are collapsed", async () => {
    const res = await get("//api//getStatus");
    assert.equal(res.status, 200);
    assert.equal(await res.text(), STATUS_EXAMPLE);
  });

  test("HEAD on every GET route: same status and headers, no body", async () => {
    for (const name of GET_ROUTES) {
      const g = await get(`/api/${name}`);
      const gBody = Buffer.from(await g.arrayBuffer());
      const hd = await get(`/api/${name}`, { method: "HEAD" });
      assert.equal(hd.status, 200, name);
      assert.equal(hd.headers.get("content-type"), g.headers.get("content-type"), name);
      assert.equal(hd.headers.get("cache-control"), "no-store", name);
      if (name !== "getSlaveTWCs" && name !== "getHistory") {
        assert.equal(hd.headers.get("content-length"), String(gBody.length), name);
      }
      assert.equal((await hd.arrayBuffer()).byteLength, 0, name);
    }
  });
});

describe("route-level error model (http-api.md §4.1, §4.2)", () => {
  test("every GET route answers 405 with Allow: GET, HEAD to POST, PUT, DELETE and PATCH", async () => {
    for (const name of GET_ROUTES) {
      for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
        const res = await get(`/api/${name}`, { method, body: "{}" });
        assert.equal(res.status, 405, `${method} ${name}`);
        assert.equal(res.headers.get("allow"), "GET, HEAD", `${method} ${name}`);
        assert.equal(res.headers.get("content-type"), JSON_TYPE);
        assertApiHeaders(res, `${method} ${name}`);
        assert.equal(await res.text(), '{"error":"Method not allowed"}');
      }
    }
  });

  test("every POST route answers 405 with Allow: POST to GET, HEAD, PUT and DELETE", async () => {
    for (const name of POST_ROUTES) {
      for (const method of ["GET", "HEAD", "PUT", "DELETE"]) {
        const res = await get(`/api/${name}`, { method });
        assert.equal(res.status, 405, `${method} ${name}`);
        assert.equal(res.headers.get("allow"), "POST", `${method} ${name}`);
        assert.equal(
          await res.text(),
          method === "HEAD" ? "" : '{"error":"Method not allowed"}',
          `${method} ${name}`,
        );
      }
    }
  });

  test("OPTIONS on a known route → 204 with Allow and no CORS headers", async () => {
    for (const [path, allow] of [
      ["/api/getStatus", "GET, HEAD"],
      ["/api/chargeNow", "POST"],
    ] as const) {
      const res = await get(path, {
        method: "OPTIONS",
        headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" },
      });
      assert.equal(res.status, 204, path);
      assert.equal(res.headers.get("allow"), allow, path);
      for (const [k] of res.headers) assert.ok(!k.startsWith("access-control-"), `${path}: ${k}`);
      assert.equal(await res.text(), "");
    }
  });

  test("an unknown /api/ path → 404 Unknown endpoint with any method (case-sensitive, no trailing slash)", async () => {
    for (const path of [
      "/api/nope",
      "/api/getstatus",
      "/api/getStatus/",
      "/api/",
      "/api",
      "/api/v1/getStatus",
      "/api/%ZZ",
    ]) {
      for (const method of ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]) {
        const res = await get(path, { method });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.equal(res.headers.get("content-type"), JSON_TYPE, `${method} ${path}`);
        assertApiHeaders(res, `${method} ${path}`);
        assert.equal(
          await res.text(),
          method === "HEAD" ? "" : '{"error":"Unknown endpoint"}',
          `${method} ${path}`,
        );
      }
    }
  });

  test("an unknown non-API path → 404 HTML page linking to /", async () => {
    const res = await get("/no/such/page");
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.match(await res.text(), /href="\/"/);
  });
});
