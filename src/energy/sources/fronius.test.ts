import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { after, before, beforeEach, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { startLoopback } from "../loopback.test-helper.ts";
import type { Loopback } from "../loopback.test-helper.ts";
import { FRONIUS_SOURCE } from "./fronius-descriptor.ts";
import { createFroniusSource, froniusHosts, parsePowerFlow } from "./fronius.ts";
import { assertTimesOut, pollNow } from "./module-source.test-helper.ts";

/** What one fake inverter serves. */
interface Inverter {
  pv: number | null;
  load: number | null;
  uac: number | null;
  mode: "ok" | "500" | "junk" | "hang" | "nosite" | "inv500";
}

const inverters: Record<string, Inverter> = {};
beforeEach(() => {
  inverters["127.0.0.1"] = { pv: 2351.0, load: -830.7, uac: 231.4, mode: "ok" };
  inverters["127.0.0.2"] = { pv: 1200.5, load: -100.3, uac: 229.9, mode: "ok" };
});

function handler(host: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const inv = inverters[host];
    if (!inv || inv.mode === "hang") return;
    const url = new URL(req.url ?? "/", "http://x");
    const json = (v: unknown): void =>
      void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(v));
    if (
      url.pathname === "/solar_api/v1/GetPowerFlowRealtimeData.fcgi" &&
      url.searchParams.get("Scope") === "System"
    ) {
      if (inv.mode === "500") return void res.writeHead(500).end("error");
      if (inv.mode === "junk") return void res.writeHead(200).end("{Body:");
      if (inv.mode === "nosite") return json({ Body: { Data: {} } });
      return json({
        Body: {
          Data: {
            Site: { Mode: "meter", P_Akku: null, P_Grid: -1520.3, P_Load: inv.load, P_PV: inv.pv },
            Inverters: { "1": { DT: 1, P: inv.pv } },
            Version: "12",
          },
        },
        Head: { Status: { Code: 0, Reason: "", UserMessage: "" } },
      });
    }
    const device = url.searchParams.get("DeviceId") ?? url.searchParams.get("DeviceID");
    if (
      url.pathname === "/solar_api/v1/GetInverterRealtimeData.cgi" &&
      device === "1" &&
      url.searchParams.get("DataCollection") === "CommonInverterData"
    ) {
      if (inv.mode === "inv500") return void res.writeHead(500).end("error");
      return json({
        Body: { Data: { PAC: { Unit: "W", Value: inv.pv }, UAC: { Unit: "V", Value: inv.uac } } },
        Head: { Status: { Code: 0 } },
      });
    }
    res.writeHead(404).end();
  };
}

let first: Loopback;
let second: Loopback;
before(async () => {
  first = await startLoopback(handler("127.0.0.1"));
  // The second inverter: same port, another loopback address (energy-sources.md §1.9).
  second = await startLoopback(handler("127.0.0.2"), { host: "127.0.0.2", port: first.port });
});
after(async () => {
  await first.close();
  await second.close();
});

function source(
  serverIP: string | (string | null)[] = "127.0.0.1",
  clock = new FakeClock(),
  logger = captureLogger(),
) {
  return createFroniusSource(
    { enabled: true, serverIP, serverPort: first.port, pollIntervalS: 10 },
    { clock, logger },
  );
}

void test("descriptor: key, registered name, lazy factory", async () => {
  assert.equal(FRONIUS_SOURCE.key, "Fronius");
  assert.equal(FRONIUS_SOURCE.registeredName, "Fronius");
  assert.deepEqual(FRONIUS_SOURCE.required, ["serverIP"]);
  assert.equal(await FRONIUS_SOURCE.load(), createFroniusSource);
});

void test("one inverter: generation Σ P_PV, consumption −Σ P_Load, both paths requested, attributes", async () => {
  const clock = new FakeClock();
  const s = source("127.0.0.1", clock);
  const n = first.requests.length;
  assert.deepEqual(await pollNow(s), { generationW: 2351.0, consumptionW: 830.7, at: clock.now() });
  const urls = first.requests
    .slice(n)
    .map((r) => r.url)
    .sort();
  assert.deepEqual(urls, [
    "/solar_api/v1/GetInverterRealtimeData.cgi?Scope=Device&DeviceId=1&DataCollection=CommonInverterData",
    "/solar_api/v1/GetPowerFlowRealtimeData.fcgi?Scope=System",
  ]);
  assert.deepEqual(s.attributes(), {
    generatedW: 2351.0,
    consumedW: -830.7,
    voltage: 231.4,
    importW: 0,
    exportW: 0,
  });
  await s.stop();
});

void test("two inverters (list, null entries dropped): values added; voltage of the last", async () => {
  const s = source(["127.0.0.1", null, "", "127.0.0.2"]);
  const r = await pollNow(s);
  assert.equal(r?.generationW, 2351.0 + 1200.5);
  assert.ok(Math.abs((r?.consumptionW ?? 0) - 931.0) < 1e-9);
  assert.equal(s.attributes().voltage, 229.9);
  await s.stop();
});

void test("night (P_PV null) is 0 generation; no meter (P_Load null) is 0 consumption", async () => {
  const inv = inverters["127.0.0.1"];
  assert.ok(inv);
  inv.pv = null;
  inv.load = null;
  const s = source();
  const r = await pollNow(s);
  assert.equal(r?.generationW, 0);
  assert.equal(r?.consumptionW, 0);
  await s.stop();
});

void test("a positive P_Load is used by its magnitude (issue #190) and logged once", async () => {
  const inv = inverters["127.0.0.1"];
  assert.ok(inv);
  inv.load = 640;
  const logger = captureLogger();
  const s = source("127.0.0.1", new FakeClock(), logger);
  assert.equal((await pollNow(s))?.consumptionW, 640);
  await pollNow(s);
  assert.equal(logger.records.filter((l) => (l.msg ?? "").includes("P_Load > 0")).length, 1);
  await s.stop();
});

void test("negative P_PV is reported as positive generation", async () => {
  const inv = inverters["127.0.0.1"];
  assert.ok(inv);
  inv.pv = -1500;
  const s = source();
  assert.equal((await pollNow(s))?.generationW, 1500);
  await s.stop();
});

void test("one of two inverters down: the read fails and the previous reading is kept", async () => {
  const s = source(["127.0.0.1", "127.0.0.2"]);
  const good = await pollNow(s);
  assert.ok(good);
  const inv = inverters["127.0.0.2"];
  assert.ok(inv);
  inv.mode = "500";
  assert.deepEqual(await pollNow(s), good);
  assert.match(s.lastError() ?? "", /127\.0\.0\.2 PowerFlow: HTTP 500/);
  await s.stop();
});

void test("malformed JSON and a missing Site fail the read; a failed CommonInverterData only loses the voltage", async () => {
  const inv = inverters["127.0.0.1"];
  assert.ok(inv);
  const s = source();
  inv.mode = "junk";
  assert.equal(await pollNow(s), null);
  assert.match(s.lastError() ?? "", /not JSON/);
  inv.mode = "nosite";
  assert.equal(await pollNow(s), null);
  assert.match(s.lastError() ?? "", /Site missing/);
  inv.mode = "inv500";
  assert.equal((await pollNow(s))?.generationW, 2351.0);
  assert.equal(s.attributes().voltage, null);
  assert.equal(s.lastError(), null);
  await s.stop();
});

void test("a hanging inverter times out after 10 s on the clock", async () => {
  const clock = new FakeClock();
  const s = source("127.0.0.1", clock);
  const inv = inverters["127.0.0.1"];
  assert.ok(inv);
  inv.mode = "hang";
  await assertTimesOut(s, first, clock, 10_000);
  await s.stop();
});

void test("pure helpers: host list and PowerFlow parsing", () => {
  assert.deepEqual(froniusHosts(" 10.0.0.2 "), ["10.0.0.2"]);
  assert.deepEqual(froniusHosts(undefined), []);
  assert.deepEqual(parsePowerFlow({ Body: { Data: { Site: { P_PV: "12.5" } } } }), { pv: 12.5, load: null });
  assert.throws(() => parsePowerFlow({}), /Site missing/);
});
