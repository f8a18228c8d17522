import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { serveJson, useLoopback, type Fault } from "../loopback.test-helper.ts";
import { SMARTPI_SOURCE } from "./smartpi-descriptor.ts";
import { createSmartPiSource, smartPiSums } from "./smartpi.ts";
import { assertTimesOut, pollNow } from "./module-source.test-helper.ts";

const doc = (data: unknown[]) => ({
  serial: "smartpi123412345",
  name: "House",
  time: "2021-03-22 19:36:38",
  datasets: [
    {
      time: "2021-03-22 19:36:38",
      phases: data.map((d, i) => ({
        phase: i + 1,
        name: `phase ${i + 1}`,
        values: [{ type: "power", unity: "W", info: "", data: d }],
      })),
    },
  ],
});

let body: unknown;
let mode: Fault;
beforeEach(() => {
  body = doc([168.93, -912.24, 91.9, 0]);
  mode = "ok";
});

const server = useLoopback((req, res) => {
  if (mode === "hang") return;
  if (req.url !== "/api/all/power/now") return void res.writeHead(404).end();
  serveJson(res, mode, body, "{datasets");
});

function source(showConsumption: boolean, clock = new FakeClock()) {
  return createSmartPiSource(
    { enabled: true, serverIP: "127.0.0.1", serverPort: server.port, showConsumption, pollIntervalS: 10 },
    { clock, logger: captureLogger() },
  );
}

void test("descriptor", async () => {
  assert.equal(SMARTPI_SOURCE.key, "SmartPi");
  assert.equal(await SMARTPI_SOURCE.load(), createSmartPiSource);
});

void test("phase sums", () => {
  const s = smartPiSums(doc([168.93, -912.24, 91.9, 0]));
  assert.ok(Math.abs(s.importW - 260.83) < 1e-9);
  assert.ok(Math.abs(s.exportW + 912.24) < 1e-9);
  assert.throws(() => smartPiSums({ datasets: [] }), /phases/);
});

void test("spec example: generation 912.24, consumption 0 without showConsumption; attributes", async () => {
  const clock = new FakeClock();
  const s = source(false, clock);
  assert.deepEqual(await pollNow(s), { generationW: 912.24, consumptionW: 0, at: clock.now() });
  assert.equal(server.requests.at(-1)?.headers["content-type"], "application/json");
  assert.deepEqual(s.attributes(), { consumedW: 0, generatedW: 912.24, showConsumption: false });
  await s.stop();
});

void test("showConsumption: importing phases reported as consumption (260.83 W)", async () => {
  const s = source(true);
  const r = await pollNow(s);
  assert.ok(Math.abs((r?.consumptionW ?? 0) - 260.83) < 1e-9);
  assert.equal(r?.generationW, 912.24);
  assert.equal(s.attributes().showConsumption, true);
  await s.stop();
});

void test("missing phases, a phase without data, 500, malformed JSON fail and keep the previous reading", async () => {
  const clock = new FakeClock();
  const s = source(true, clock);
  const ok = await pollNow(s);
  assert.ok(ok);
  const cases: [() => void, RegExp][] = [
    [() => (body = { datasets: [] }), /no datasets/],
    [() => (body = doc([100, null])), /phase 2 power/],
    [() => (mode = "500"), /HTTP 500/],
    [() => (mode = "junk"), /not JSON/],
  ];
  for (const [breakIt, pattern] of cases) {
    breakIt();
    clock.advance(10_000);
    assert.deepEqual(await pollNow(s), ok);
    assert.match(s.lastError() ?? "", pattern);
    mode = "ok";
    body = doc([168.93, -912.24, 91.9, 0]);
  }
  await s.stop();
});

void test("times out after 2 s", async () => {
  const clock = new FakeClock();
  const s = source(false, clock);
  mode = "hang";
  await assertTimesOut(s, server, clock, 2000);
  await s.stop();
});
