import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { useLoopback } from "../loopback.test-helper.ts";
import { TED_SOURCE } from "./ted-descriptor.ts";
import { createTedSource, tedGenerationW } from "./ted.ts";
import { assertTimesOut, pollNow } from "./module-source.test-helper.ts";

const CSV = "Solar,05/01/2024 12:00:01,-2.351,0.28\nSolar,05/01/2024 12:00:00,-2.349,0.28\n";
let csv: string;
let mode: "ok" | "500" | "hang";
beforeEach(() => {
  csv = CSV;
  mode = "ok";
});

const server = useLoopback((req, res) => {
  if (mode === "hang") return;
  if (req.url !== "/history/export.csv?T=1&D=0&M=1&C=1") return void res.writeHead(404).end();
  if (mode === "500") return void res.writeHead(500).end("error");
  res.writeHead(200, { "content-type": "text/csv" }).end(csv);
});

function source(clock = new FakeClock()) {
  return createTedSource(
    { enabled: true, serverIP: "127.0.0.1", serverPort: server.port, pollIntervalS: 10 },
    { clock, logger: captureLogger() },
  );
}

void test("descriptor", async () => {
  assert.equal(TED_SOURCE.key, "TED");
  assert.equal(await TED_SOURCE.load(), createTedSource);
});

void test("CSV parsing: first Solar line, minus dropped, kW × 1000 truncated", () => {
  assert.equal(tedGenerationW(CSV), 2351);
  assert.equal(tedGenerationW("Grid,05/01/2024 12:00:01,1.2,0.1\nSolar,x,1.5,0\n"), 1500);
  assert.throws(() => tedGenerationW("Grid,05/01/2024 12:00:01,1.2,0.1\n"), /no Solar line/);
});

void test("reads the history CSV: generation 2351 W, consumption 0; attributes", async () => {
  const clock = new FakeClock();
  const s = source(clock);
  assert.deepEqual(await pollNow(s), { generationW: 2351, consumptionW: 0, at: clock.now() });
  assert.deepEqual(s.attributes(), { generatedW: 2351, voltage: 0, importW: 0, exportW: 0 });
  await s.stop();
});

void test("a positive value; no Solar line and 500 fail and keep the previous reading", async () => {
  const clock = new FakeClock();
  const s = source(clock);
  csv = "Solar,05/01/2024 12:00:01,0.75,0.28\n";
  const ok = await pollNow(s);
  assert.equal(ok?.generationW, 750);
  for (const [breakIt, pattern] of [
    [() => (csv = "Load,05/01/2024 12:00:01,1.0,0.28\n"), /no Solar line/],
    [() => (mode = "500"), /HTTP 500/],
  ] as const) {
    breakIt();
    clock.advance(10_000);
    assert.deepEqual(await pollNow(s), ok);
    assert.match(s.lastError() ?? "", pattern);
    mode = "ok";
    csv = "Solar,05/01/2024 12:00:01,0.75,0.28\n";
  }
  await s.stop();
});

void test("times out after 10 s", async () => {
  const clock = new FakeClock();
  const s = source(clock);
  mode = "hang";
  await assertTimesOut(s, server, clock, 10_000);
  await s.stop();
});
