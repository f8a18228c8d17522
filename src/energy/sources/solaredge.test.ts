import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { startLoopback, waitFor } from "../loopback.test-helper.ts";
import type { Loopback } from "../loopback.test-helper.ts";
import { startModbusFake } from "./modbus-fake.test-helper.ts";
import type { ModbusFake } from "./modbus-fake.test-helper.ts";
import { assertTimesOut, pollNow } from "./module-source.test-helper.ts";
import { checkSchema } from "../../config/schema-walk.ts";
import type { Issue } from "../../config/schema-walk.ts";
import { createSolarEdgeSource, solarEdgeTransport } from "./solaredge.ts";
import { parseOverview, parsePowerFlow, SOLAREDGE_QUOTA_PAUSE_MS } from "./solaredge-cloud.ts";
import { SOLAREDGE_SOURCE } from "./solaredge-descriptor.ts";
import { SolarEdgeSchema } from "./solaredge-schema.ts";
import type { SolarEdgeConfig } from "./solaredge-schema.ts";
import { solarEdgeModbusValues } from "./solaredge-modbus.ts";

const KEY = "L4QLVQ1LOKCQX2193VSEICXW61NP6B1O";
const SITE = "123456";

const powerFlow = (unit: string, pv: number, load: number) => ({
  siteCurrentPowerFlow: {
    updateRefreshRate: 3,
    unit,
    connections: [
      { from: "PV", to: "Load" },
      { from: "PV", to: "Grid" },
    ],
    GRID: { status: "Active", currentPower: 1.52 },
    LOAD: { status: "Active", currentPower: load },
    PV: { status: "Active", currentPower: pv },
    STORAGE: { status: "Idle", currentPower: 0.0, chargeLevel: 78, critical: false },
  },
});
const overview = (power: number) => ({
  overview: {
    lastUpdateTime: "2024-05-01 12:00:00",
    lifeTimeData: { energy: 7612345.0 },
    currentPower: { power },
    measuredBy: "INVERTER",
  },
});

/** The cloud fake: answers per request name; checks api_key. */
interface CloudFake {
  flow: unknown;
  overview: unknown;
  status: number;
  hang: boolean;
  raw: string | null;
  counts: Record<string, number>;
}
const cloud: CloudFake = { flow: null, overview: null, status: 200, hang: false, raw: null, counts: {} };
let http: Loopback;

before(async () => {
  http = await startLoopback((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const m = /^\/site\/([^/]+)\/(currentPowerFlow|overview)$/.exec(url.pathname);
    if (cloud.hang) return;
    if (!m || m[1] !== SITE) {
      res.writeHead(404).end("{}");
      return;
    }
    if (url.searchParams.get("api_key") !== KEY) {
      res.writeHead(403, { "content-type": "application/json" }).end('{"String":"Invalid token"}');
      return;
    }
    const name = m[2] ?? "";
    cloud.counts[name] = (cloud.counts[name] ?? 0) + 1;
    if (cloud.status !== 200) {
      res.writeHead(cloud.status).end("Too many requests");
      return;
    }
    const body = cloud.raw ?? JSON.stringify(name === "overview" ? cloud.overview : cloud.flow);
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
});
after(async () => {
  await http.close();
});

const base = (over: Partial<SolarEdgeConfig> = {}): SolarEdgeConfig => ({
  enabled: true,
  inverterPort: 1502,
  smartMeters: [],
  pollMode: 0,
  ...over,
});

function cloudSource(over: Partial<SolarEdgeConfig> = {}, clock = new FakeClock(), logger = captureLogger()) {
  return createSolarEdgeSource(base({ apiKey: KEY, siteID: Number(SITE), ...over }), {
    clock,
    logger,
    baseUrl: `${http.url}/`,
  });
}

void test("schema: upstream blocks as written (numeric siteID, string port), meter names and types checked", async () => {
  const issues: Issue[] = [];
  const cloudCfg = checkSchema(
    SolarEdgeSchema,
    { enabled: true, apiKey: KEY, siteID: 123456 },
    "sources.SolarEdge",
    issues,
  );
  assert.deepEqual(cloudCfg, {
    enabled: true,
    apiKey: KEY,
    siteID: 123456,
    inverterPort: 1502,
    smartMeters: [],
    pollMode: 0,
  });
  const modbusCfg = checkSchema(
    SolarEdgeSchema,
    {
      enabled: true,
      inverterHost: "192.168.1.50",
      inverterPort: "1502",
      smartMeters: [{ name: "Meter1", type: "export" }],
    },
    "sources.SolarEdge",
    issues,
  );
  assert.equal(modbusCfg?.inverterPort, 1502);
  assert.deepEqual(issues, []);
  const badIssues: Issue[] = [];
  const bad = checkSchema(
    SolarEdgeSchema,
    { enabled: true, inverterHost: "h", smartMeters: [{ name: "Meter4", type: "import" }] },
    "sources.SolarEdge",
    badIssues,
  );
  assert.equal(bad, null);
  assert.ok(
    badIssues.some((i) => i.path === "sources.SolarEdge.smartMeters[0].name" && i.severity === "error"),
  );
  assert.equal(SOLAREDGE_SOURCE.key, "SolarEdge");
  assert.equal(SOLAREDGE_SOURCE.registeredName, "SolarEdge");
  assert.equal(typeof (await SOLAREDGE_SOURCE.load()), "function");
});

void test("transport: inverterHost selects Modbus, apiKey + siteID the cloud, else an error", () => {
  assert.equal(solarEdgeTransport(base({ inverterHost: "10.0.0.5", apiKey: "k", siteID: "1" })), "modbus");
  assert.equal(solarEdgeTransport(base({ apiKey: "k", siteID: 1 })), "cloud");
  assert.deepEqual(solarEdgeTransport(base({ apiKey: "k" })), {
    missing: "sources.SolarEdge needs inverterHost (Modbus TCP) or apiKey and siteID (cloud)",
  });
});

void test("cloud parsing: kW × 1000 and W truncated, overview power, absent elements 0, odd answers fail", () => {
  assert.deepEqual(parsePowerFlow(powerFlow("kW", 2.35, 0.83)), { generatedW: 2350, consumedW: 830 });
  assert.deepEqual(parsePowerFlow(powerFlow("W", 2351.7, 830.9)), { generatedW: 2351, consumedW: 830 });
  assert.deepEqual(parsePowerFlow({ siteCurrentPowerFlow: { unit: "kW", PV: { currentPower: 1.2 } } }), {
    generatedW: 1200,
    consumedW: 0,
  });
  assert.equal(parseOverview(overview(2351.7)), 2351);
  assert.throws(() => parsePowerFlow(powerFlow("MW", 1, 1)), /unit "MW" not supported/);
  assert.throws(() => parsePowerFlow({}), /no siteCurrentPowerFlow/);
  assert.throws(
    () => parsePowerFlow({ siteCurrentPowerFlow: { unit: "W", PV: { currentPower: "x" } } }),
    /PV.currentPower/,
  );
  assert.throws(() => parseOverview({ overview: {} }), /currentPower.power/);
});

void test("cloud mode 0 reads currentPowerFlow four times, then stays on it when consumption was reported (mode 2)", async () => {
  cloud.flow = powerFlow("kW", 2.35, 0.83);
  cloud.overview = overview(9999);
  cloud.counts = {};
  const clock = new FakeClock();
  const s = cloudSource({}, clock);
  for (let i = 0; i < 6; i++) {
    const r = await pollNow(s);
    assert.deepEqual(r, { generationW: 2350, consumptionW: 830, at: clock.now() });
  }
  assert.deepEqual(cloud.counts, { currentPowerFlow: 6 });
  assert.deepEqual(s.attributes(), {
    generatedW: 2350,
    consumedW: 830,
    pollMode: 2,
    importW: 0,
    exportW: 0,
    voltage: 0,
  });
  const req = http.requests.at(-1);
  assert.equal(req?.url, `/site/${SITE}/currentPowerFlow?api_key=${KEY}`);
});

void test("cloud mode 0 without consumption switches to overview (mode 1) on the fifth read", async () => {
  cloud.flow = { siteCurrentPowerFlow: { unit: "W", PV: { status: "Active", currentPower: 1800 } } };
  cloud.overview = overview(2351.7);
  cloud.counts = {};
  const logger = captureLogger();
  const s = cloudSource({}, new FakeClock(), logger);
  for (let i = 0; i < 4; i++) assert.equal((await pollNow(s))?.generationW, 1800);
  assert.deepEqual(cloud.counts, { currentPowerFlow: 4 });
  const r = await pollNow(s);
  assert.equal(r?.generationW, 2351);
  assert.equal(r?.consumptionW, 0);
  assert.deepEqual(cloud.counts, { currentPowerFlow: 4, overview: 1 });
  assert.equal(s.attributes().pollMode, 1);
  assert.ok(logger.records.some((l) => l.level === "info" && /poll mode 1/.test(l.msg ?? "")));
});

void test("cloud pollMode 1 reads only overview; pollIntervalS defaults to 300 and is at least 90", async () => {
  cloud.overview = overview(4000);
  cloud.counts = {};
  const clock = new FakeClock();
  const s = cloudSource({ pollMode: 1 }, clock);
  await s.start();
  await s.settled();
  assert.deepEqual(cloud.counts, { overview: 1 });
  clock.advance(299_000);
  await s.settled();
  assert.deepEqual(cloud.counts, { overview: 1 });
  clock.advance(1000);
  await s.settled();
  assert.deepEqual(cloud.counts, { overview: 2 });
  await s.stop();
  const logger = captureLogger();
  const fast = cloudSource({ pollMode: 1, pollIntervalS: 10 }, clock, logger);
  assert.ok(logger.records.some((l) => l.level === "warn" && /below 90 s/.test(l.msg ?? "")));
  await fast.start();
  await fast.settled();
  const n = cloud.counts.overview ?? 0;
  clock.advance(89_000);
  await fast.settled();
  assert.equal(cloud.counts.overview, n);
  clock.advance(1000);
  await fast.settled();
  assert.equal(cloud.counts.overview, n + 1);
  await fast.stop();
});

void test("cloud quota (429) keeps the reading, names the quota and pauses requests for an hour", async () => {
  cloud.flow = powerFlow("kW", 3, 1);
  cloud.status = 200;
  const clock = new FakeClock();
  const s = cloudSource({ pollMode: 2 }, clock);
  const first = await pollNow(s);
  cloud.status = 429;
  cloud.counts = {};
  assert.deepEqual(await pollNow(s), first);
  assert.match(s.lastError() ?? "", /HTTP 429, the daily API quota/);
  assert.deepEqual(await pollNow(s), first);
  assert.match(s.lastError() ?? "", /quota used up; next request at/);
  assert.deepEqual(cloud.counts, { currentPowerFlow: 1 });
  cloud.status = 200;
  clock.advance(SOLAREDGE_QUOTA_PAUSE_MS);
  assert.equal((await pollNow(s))?.generationW, 3000);
  assert.equal(s.lastError(), null);
});

void test("cloud: wrong key (403), 500, malformed JSON, a missing field and a timeout fail the fetch; the key is never shown", async () => {
  cloud.flow = powerFlow("W", 1000, 500);
  cloud.status = 200;
  const clock = new FakeClock();
  const wrong = cloudSource({ apiKey: "WRONG", pollMode: 2 }, clock);
  assert.equal(await pollNow(wrong), null);
  assert.match(wrong.lastError() ?? "", /HTTP 403, the API key or site ID was refused/);
  const s = cloudSource({ pollMode: 2 }, clock);
  const first = await pollNow(s);
  assert.equal(first?.consumptionW, 500);
  cloud.status = 500;
  assert.deepEqual(await pollNow(s), first);
  assert.match(s.lastError() ?? "", /HTTP 500/);
  cloud.status = 200;
  cloud.raw = "{not json";
  assert.deepEqual(await pollNow(s), first);
  assert.match(s.lastError() ?? "", /not JSON/);
  cloud.raw = JSON.stringify({ siteCurrentPowerFlow: { unit: "W", LOAD: {} } });
  assert.deepEqual(await pollNow(s), first);
  assert.match(s.lastError() ?? "", /LOAD.currentPower/);
  cloud.raw = null;
  cloud.hang = true;
  await assertTimesOut(s, http, clock, 10_000);
  cloud.hang = false;
  for (const e of [wrong.lastError(), s.lastError()]) assert.ok(!(e ?? "").includes(KEY));
});

// --- Modbus TCP ---------------------------------------------------------------------------------------

let inverter: ModbusFake;
before(async () => {
  inverter = await startModbusFake({ unitId: 1, oneClientAtATime: true });
});
after(async () => {
  await inverter.close();
});

/** Loads the documented registers: AC power 23510 × 10^-1, Meter1 (export) 1520 W, Meter2 (consumption) 700 W. */
function loadRegisters(meter1Power = 1520): void {
  const r = inverter.registers;
  r.clear();
  r.set(40083, 23510);
  r.set(40084, 0xffff); // scale -1
  r.set(40188, 203); // Meter1 DID (SunSpec meter model)
  [meter1Power & 0xffff, 0, 0, 0, 0].forEach((v, i) => r.set(40206 + i, v));
  r.set(40362, 203);
  [7000, 0, 0, 0, 0xffff].forEach((v, i) => r.set(40380 + i, v));
  r.set(40537, 0); // Meter3 absent
  [0, 0, 0, 0, 0].forEach((v, i) => r.set(40554 + i, v));
}

function modbusSource(meters: SolarEdgeConfig["smartMeters"], clock = new FakeClock()) {
  return createSolarEdgeSource(
    base({
      inverterHost: inverter.host,
      inverterPort: inverter.port,
      smartMeters: meters,
      apiKey: "ignored",
      siteID: "1",
    }),
    { clock, logger: captureLogger() },
  );
}

void test("Modbus formula: scale factors, export meter (positive exporting, negative importing), markers fail", () => {
  assert.deepEqual(
    solarEdgeModbusValues(
      [23510, 0xffff],
      [{ name: "Meter1", type: "export", did: 203, block: [1520, 0, 0, 0, 0] }],
    ),
    { generatedW: 2351, consumedW: 831, exportMeterW: 1520 },
  );
  assert.deepEqual(
    solarEdgeModbusValues(
      [0, 0],
      [{ name: "Meter1", type: "export", did: 203, block: [0xfe3e, 0, 0, 0, 0] }],
    ),
    { generatedW: 0, consumedW: 450, exportMeterW: -450 },
  );
  assert.throws(() => solarEdgeModbusValues([0x8000, 0], []), /not implemented/);
  assert.throws(() => solarEdgeModbusValues([100, 0x8000], []), /scale factor: not implemented/);
});

void test("Modbus: generation and an export meter, one connection per read, closed afterwards", async () => {
  loadRegisters();
  const clock = new FakeClock();
  const s = modbusSource([{ name: "Meter1", type: "export" }], clock);
  assert.deepEqual(await pollNow(s), { generationW: 2351, consumptionW: 831, at: clock.now() });
  assert.deepEqual(s.attributes(), {
    generatedW: 2351,
    consumedW: 831,
    pollMode: 0,
    importW: 0,
    exportW: 1520,
    voltage: 0,
  });
  await waitFor(() => inverter.open() === 0, 5000, "connection closed");
  // Night: the meter imports (negative int16), consumption = generation − meter.
  inverter.registers.set(40083, 0);
  inverter.registers.set(40206, 0xfe3e); // -450
  inverter.registers.set(40210, 0);
  assert.equal((await pollNow(s))?.consumptionW, 450);
  assert.equal(s.attributes().importW, 450);
  assert.equal(inverter.maxOpen, 1);
  await waitFor(() => inverter.open() === 0, 5000, "connection closed");
});

void test("Modbus: a consumption meter with a scale factor adds up; no meter means consumption 0", async () => {
  loadRegisters();
  const both = modbusSource([{ name: "Meter2", type: "consumption" }]);
  assert.equal((await pollNow(both))?.consumptionW, 700);
  const none = modbusSource([]);
  const r = await pollNow(none);
  assert.equal(r?.generationW, 2351);
  assert.equal(r?.consumptionW, 0);
});

void test("Modbus: an absent meter, a not-implemented value, an unreadable register or a hang fail the read", async () => {
  loadRegisters();
  const clock = new FakeClock();
  const s = modbusSource([{ name: "Meter1", type: "export" }], clock);
  const first = await pollNow(s);
  const absent = modbusSource([{ name: "Meter3", type: "consumption" }]);
  assert.equal(await pollNow(absent), null);
  assert.match(absent.lastError() ?? "", /Meter3: not present \(DID 0\)/);
  inverter.registers.set(40084, 0x8000);
  assert.deepEqual(await pollNow(s), first);
  assert.match(s.lastError() ?? "", /scale factor: not implemented/);
  loadRegisters();
  inverter.failAt.add(40208);
  assert.deepEqual(await pollNow(s), first);
  assert.match(s.lastError() ?? "", /register 40206: Modbus exception 2/);
  inverter.failAt.clear();
  // A hang: three tries of 1 s each on the injected clock, then the read fails; the connection is closed.
  inverter.hang = true;
  const seen = inverter.requests.length;
  s.poll();
  for (let t = 1; t <= 3; t++) {
    await waitFor(() => inverter.requests.length >= seen + t, 5000, `try ${t}`);
    clock.advance(1000);
  }
  await s.settled();
  inverter.hang = false;
  assert.match(s.lastError() ?? "", /register 40083: timeout after 1000 ms/);
  assert.deepEqual(s.latest(), first);
  await waitFor(() => inverter.open() === 0, 5000, "connection closed");
  assert.equal((await pollNow(s))?.generationW, 2351);
});

void test("without inverterHost, apiKey or siteID the source reports what is missing", async () => {
  const s = createSolarEdgeSource(base(), { clock: new FakeClock(), logger: captureLogger() });
  assert.equal(await pollNow(s), null);
  assert.match(s.lastError() ?? "", /needs inverterHost/);
});
