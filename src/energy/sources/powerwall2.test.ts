import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { after, before, beforeEach, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { readBody, pollNow, startSelfSignedHttps, type HttpsFake } from "./module-source.test-helper.ts";
import { POWERWALL2_SOURCE } from "./powerwall2-descriptor.ts";
import {
  LOGIN_VALID_MS,
  appBatteryLevel,
  createPowerwall2Source,
  nextSuppression,
  parseAggregates,
} from "./powerwall2.ts";

/** The fake gateway's switchable state. */
interface Gateway {
  aggregates: Record<string, unknown>;
  soe: Record<string, unknown>;
  grid: Record<string, unknown>;
  operation: Record<string, unknown>;
  stopped: boolean;
  hang: boolean;
  junk: boolean;
  authStatus: 401 | 403;
  cookie: string;
  logins: number;
  runs: number;
  requests: { method: string; path: string; cookie: string | undefined }[];
}

let gw: Gateway;
beforeEach(() => {
  gw = {
    aggregates: {
      site: { instant_power: -1520.0, instant_average_voltage: 241.3 },
      battery: { instant_power: -600.0 },
      load: { instant_power: 1130.5 },
      solar: { instant_power: 3250.5 },
    },
    soe: { percentage: 69.17 },
    grid: { grid_status: "SystemGridConnected", grid_services_active: false },
    operation: { real_mode: "self_consumption", backup_reserve_percent: 24.6 },
    stopped: false,
    hang: false,
    junk: false,
    authStatus: 403,
    cookie: "",
    logins: 0,
    runs: 0,
    requests: [],
  };
});

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = req.url ?? "/";
  gw.requests.push({ method: req.method ?? "", path, cookie: req.headers.cookie });
  if (gw.hang) return;
  if (path === "/api/login/Basic" && req.method === "POST") {
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    if (body.username !== "customer" || body.password !== "ABCDE" || body.force_sm_off !== false)
      return void res.writeHead(401).end('{"error":"bad credentials"}');
    gw.logins++;
    gw.cookie = `c${gw.logins}`;
    res.writeHead(200, {
      "set-cookie": [`AuthCookie=${gw.cookie}; Path=/; HttpOnly`, "UserRecord=x; Path=/"],
    });
    return void res.end(JSON.stringify({ token: "t" }));
  }
  if (!(req.headers.cookie ?? "").includes(`AuthCookie=${gw.cookie}`) || gw.cookie === "")
    return void res.writeHead(gw.authStatus).end("");
  if (path === "/api/sitemaster/run") {
    gw.runs++;
    return void res.writeHead(200).end("");
  }
  if (gw.stopped) return void res.writeHead(502).end("");
  const bodies: Record<string, unknown> = {
    "/api/meters/aggregates": gw.aggregates,
    "/api/system_status/soe": gw.soe,
    "/api/system_status/grid_status": gw.grid,
    "/api/operation": gw.operation,
  };
  const b = bodies[path];
  if (b === undefined) return void res.writeHead(404).end("");
  if (gw.junk && path === "/api/meters/aggregates") return void res.writeHead(200).end("{site:");
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(b));
}

let server: HttpsFake;
let port = 0;
before(async () => {
  server = await startSelfSignedHttps((req, res) => void handle(req, res), "powerwall");
  port = server.port;
});
after(() => server.close());

function source(o: { clock?: FakeClock; minBatteryLevel?: number; password?: string } = {}) {
  return createPowerwall2Source(
    {
      enabled: true,
      serverIP: "127.0.0.1",
      serverPort: port,
      password: o.password ?? "ABCDE",
      minBatteryLevel: o.minBatteryLevel ?? 0,
      pollIntervalS: 10,
    },
    { clock: o.clock ?? new FakeClock(), logger: captureLogger() },
  );
}

void test("descriptor: key, registered name TeslaPowerwall2, alias Powerwall2, lazy factory", async () => {
  assert.equal(POWERWALL2_SOURCE.key, "Powerwall2");
  assert.equal(POWERWALL2_SOURCE.registeredName, "TeslaPowerwall2");
  assert.deepEqual(POWERWALL2_SOURCE.aliases, ["Powerwall2"]);
  assert.equal(await POWERWALL2_SOURCE.load(), createPowerwall2Source);
});

void test("self-signed HTTPS: login with the customer password, sitemaster run, four data GETs with the cookie; reading and attributes", async () => {
  const clock = new FakeClock();
  const s = source({ clock });
  assert.deepEqual(await pollNow(s), { generationW: 3250.5, consumptionW: 1130.5, at: clock.now() });
  assert.equal(gw.logins, 1);
  assert.equal(gw.runs, 1);
  assert.deepEqual(
    gw.requests.map((r) => `${r.method} ${r.path}`),
    [
      "POST /api/login/Basic",
      "GET /api/sitemaster/run",
      "GET /api/meters/aggregates",
      "GET /api/system_status/soe",
      "GET /api/system_status/grid_status",
      "GET /api/operation",
    ],
  );
  assert.ok(
    gw.requests
      .slice(1)
      .every((r) => r.cookie?.includes("AuthCookie=c1") === true && r.cookie.includes("UserRecord=x")),
  );
  const a = s.attributes();
  assert.equal(a.generatedW, 3250.5);
  assert.equal(a.consumedW, 1130.5);
  assert.equal(a.importW, 0);
  assert.equal(a.exportW, 1520);
  assert.equal(a.voltage, 241);
  assert.equal(a.gridStatus, true);
  assert.ok(Math.abs(Number(a.batteryLevel) - (69.17 - 5) / 0.95) < 1e-9);
  assert.equal(a.operatingMode, "self_consumption");
  assert.ok(Math.abs(Number(a.reservePercent) - (24.6 - 5) / 0.95) < 1e-9);
  assert.equal(a.minSOE, 0);
  assert.equal(a.suppressGeneration, false);
  await s.stop();
});

void test("the login is reused for 3600 s, then renewed", async () => {
  const clock = new FakeClock();
  const s = source({ clock });
  await pollNow(s);
  clock.advance(LOGIN_VALID_MS - 1);
  await pollNow(s);
  assert.equal(gw.logins, 1);
  clock.advance(1);
  await pollNow(s);
  assert.equal(gw.logins, 2);
  assert.equal(s.lastError(), null);
  await s.stop();
});

void test("an expired session (403, or 401) logs in again once and the read succeeds", async () => {
  for (const status of [403, 401] as const) {
    gw.authStatus = status;
    const s = source();
    await pollNow(s);
    gw.cookie = "server-forgot"; // the gateway dropped the session
    const r = await pollNow(s);
    assert.equal(gw.logins >= 2, true, `re-login after ${status}`);
    assert.equal(r?.generationW, 3250.5);
    assert.equal(s.lastError(), null);
    await s.stop();
  }
});

void test("a wrong password fails the read with the login status; no data request", async () => {
  const s = source({ password: "wrong" });
  assert.equal(await pollNow(s), null);
  assert.match(s.lastError() ?? "", /login: HTTP 401/);
  assert.equal(gw.requests.length, 1);
  await s.stop();
});

void test("site master stopped (502) fails the read and keeps the previous one; malformed JSON fails too", async () => {
  const s = source();
  const good = await pollNow(s);
  gw.stopped = true;
  assert.deepEqual(await pollNow(s), good);
  assert.match(s.lastError() ?? "", /aggregates: HTTP 502/);
  gw.stopped = false;
  gw.junk = true;
  assert.deepEqual(await pollNow(s), good);
  assert.match(s.lastError() ?? "", /not JSON/);
  await s.stop();
});

void test("missing solar is 0 generation; a missing SoE percentage fails the read", async () => {
  delete gw.aggregates.solar;
  const s = source();
  assert.equal((await pollNow(s))?.generationW, 0);
  gw.soe = {};
  const before = s.latest();
  assert.deepEqual(await pollNow(s), before);
  assert.match(s.lastError() ?? "", /percentage/);
  await s.stop();
});

void test("grid_status and operation failures only blank their attributes; islanded and backup mode", async () => {
  gw.grid = { grid_status: "SystemIslandedActive" };
  gw.operation = { real_mode: "backup", backup_reserve_percent: 100 };
  const s = source();
  await pollNow(s);
  assert.equal(s.attributes().gridStatus, false);
  assert.equal(s.attributes().reservePercent, 96);
  gw.grid = {};
  await pollNow(s);
  assert.equal(s.attributes().gridStatus, null);
  assert.equal(s.lastError(), null);
  await s.stop();
});

void test("minBatteryLevel 90: generation suppressed below 85.5 and released above 94.5 (hysteresis)", async () => {
  const pct = (b: number): number => b * 0.95 + 5; // app level → API percentage
  const s = source({ minBatteryLevel: 90 });
  const at = async (b: number): Promise<number | undefined> => {
    gw.soe = { percentage: pct(b) };
    return (await pollNow(s))?.generationW;
  };
  assert.equal(await at(90), 3250.5); // within the band, initially not suppressed
  assert.equal(await at(85), 0);
  assert.equal(s.attributes().suppressGeneration, true);
  assert.equal(s.attributes().generatedW, 3250.5);
  assert.equal(await at(94), 0); // still within the band: stays suppressed
  assert.equal(await at(95), 3250.5);
  assert.equal(await at(86), 3250.5); // within the band: stays released
  await s.stop();
});

void test("a negative solar value at night is reported as positive generation", async () => {
  gw.aggregates.solar = { instant_power: -12 };
  const s = source();
  assert.equal((await pollNow(s))?.generationW, 12);
  await s.stop();
});

void test("a hanging gateway times out after 10 s on the clock", async () => {
  const clock = new FakeClock();
  const s = source({ clock, password: "" });
  gw.hang = true;
  s.poll();
  while (gw.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
  clock.advance(10_000);
  await s.settled();
  assert.match(s.lastError() ?? "", /timeout after 10000 ms/);
  await s.stop();
});

void test("pure helpers", () => {
  assert.ok(Math.abs(appBatteryLevel(5)) < 1e-12);
  assert.equal(nextSuppression(false, -5.26, 0), true); // no SoE yet with the default 0
  assert.equal(nextSuppression(true, 1, 0), false);
  assert.deepEqual(parseAggregates({}), { site: null, voltage: null, load: null, solar: null });
  assert.throws(() => parseAggregates([]), /not an object/);
});
