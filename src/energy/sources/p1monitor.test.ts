import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { useLoopback } from "../loopback.test-helper.ts";
import { P1MONITOR_SOURCE } from "./p1monitor-descriptor.ts";
import { P1MonitorSchema } from "./p1monitor-schema.ts";
import { createP1MonitorSource, p1Figures, phaseCount, trimmedMean } from "./p1monitor.ts";
import { assertTimesOut, pollNow } from "./module-source.test-helper.ts";
import { schemaKeyword } from "./module-source.test-helper.ts";

const row = (c: [number, number, number], p: [number, number, number], v: [number, number, number]) => ({
  CONSUMPTION_L1_W: c[0],
  CONSUMPTION_L2_W: c[1],
  CONSUMPTION_L3_W: c[2],
  PRODUCTION_L1_W: p[0],
  PRODUCTION_L2_W: p[1],
  PRODUCTION_L3_W: p[2],
  L1_V: v[0],
  L2_V: v[1],
  L3_V: v[2],
});

let rows: Record<string, unknown>[];
let mode: "ok" | "500" | "junk" | "hang";
beforeEach(() => {
  rows = [row([412, 95, 310], [0, 0, 0], [231, 229, 232]), row([420, 101, 298], [0, 0, 0], [230, 229, 231])];
  mode = "ok";
});

const server = useLoopback((req, res) => {
  if (mode === "hang") return;
  const u = new URL(req.url ?? "/", "http://x");
  if (u.pathname !== "/api/v1/phase" || u.searchParams.get("json") !== "object")
    return void res.writeHead(404).end();
  if (mode === "500") return void res.writeHead(500).end("error");
  if (mode === "junk") return void res.writeHead(200).end("[{");
  const limit = Number(u.searchParams.get("limit"));
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(rows.slice(0, limit)));
});

function source(samples: number, clock = new FakeClock()) {
  return createP1MonitorSource(
    { enabled: true, serverIP: `127.0.0.1:${server.port}`, samples, pollIntervalS: 10 },
    { clock, logger: captureLogger() },
  );
}

void test("descriptor: enabled defaults to true (upstream never reads it)", async () => {
  assert.equal(P1MONITOR_SOURCE.key, "P1Monitor");
  assert.equal(schemaKeyword(P1MonitorSchema, "enabled", "default"), true);
  assert.equal(await P1MONITOR_SOURCE.load(), createP1MonitorSource);
});

void test("trimmed mean and phase count", () => {
  assert.equal(trimmedMean([1, 2, 3]), 2);
  assert.equal(trimmedMean([0, 10, 10, 10, 10, 10, 10, 10, 10, 1000]), 10);
  assert.equal(phaseCount([231, 229, 232]), 3);
  assert.equal(phaseCount([231, 0, 229]), 3);
  assert.equal(phaseCount([231, 0, 0]), 1);
  assert.equal(phaseCount([0, 0, 0]), 1);
});

void test("spec example: samples 2 → consumption 416 × 3 = 1248 W, generation 0; the query", async () => {
  const clock = new FakeClock();
  const s = source(2, clock);
  assert.deepEqual(await pollNow(s), { generationW: 0, consumptionW: 1248, at: clock.now() });
  assert.equal(server.requests.at(-1)?.url, "/api/v1/phase?limit=2&json=object&round=on");
  assert.deepEqual(s.attributes(), { consumedW: 1248, generatedW: 0, samples: 2 });
  await s.stop();
});

void test("samples 1: voltages from row 0; single-phase meter; production summed", async () => {
  rows = [row([900, 0, 0], [1200.7, 0, 0], [230, 0, 0])];
  const s = source(1);
  const r = await pollNow(s);
  assert.deepEqual([r?.consumptionW, r?.generationW], [900, 1200]);
  await s.stop();
  assert.deepEqual(p1Figures([row([-50, -10, -5], [-3, 0, 0], [230, 230, 230])], 1), {
    consumedW: 0,
    generatedW: 0,
  });
});

void test("too few rows, a missing field, 500, malformed JSON fail and keep the previous reading", async () => {
  const clock = new FakeClock();
  const s = source(2, clock);
  const ok = await pollNow(s);
  assert.ok(ok);
  const saved = rows;
  const cases: [() => void, RegExp][] = [
    [() => (rows = rows.slice(0, 1)), /expected 2 row/],
    [() => (rows = [{ ...saved[0], CONSUMPTION_L2_W: undefined }, saved[1] ?? {}]), /CONSUMPTION_L2_W/],
    [() => (mode = "500"), /HTTP 500/],
    [() => (mode = "junk"), /not JSON/],
  ];
  for (const [breakIt, pattern] of cases) {
    breakIt();
    clock.advance(10_000);
    assert.deepEqual(await pollNow(s), ok);
    assert.match(s.lastError() ?? "", pattern);
    mode = "ok";
    rows = saved;
  }
  await s.stop();
});

void test("times out after 10 s", async () => {
  const clock = new FakeClock();
  const s = source(2, clock);
  mode = "hang";
  await assertTimesOut(s, server, clock, 10_000);
  await s.stop();
});
