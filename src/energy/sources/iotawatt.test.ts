import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { useLoopback } from "../loopback.test-helper.ts";
import { IOTAWATT_SOURCE } from "./iotawatt-descriptor.ts";
import { createIotaWattSource } from "./iotawatt.ts";
import { assertTimesOut, pollNow } from "./module-source.test-helper.ts";

let outputs: Record<string, unknown>[];
let mode: "ok" | "500" | "junk" | "hang" | "digest";

beforeEach(() => {
  outputs = [
    { name: "Total_Consumption", units: "Watts", value: 1180.4 },
    { name: "Solar", units: "Watts", value: 2351.2 },
  ];
  mode = "ok";
});

const server = useLoopback((req, res) => {
  if (mode === "hang") return;
  if (req.url !== "/status?outputs") return void res.writeHead(404).end();
  if (mode === "digest")
    return void res.writeHead(401, { "www-authenticate": 'Digest realm="admin", nonce="abc"' }).end();
  if (mode === "500") return void res.writeHead(500).end("error");
  if (mode === "junk") return void res.writeHead(200).end("{outputs:");
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ outputs }));
});

function source(
  cons = "Total_Consumption",
  gen = "Solar",
  clock = new FakeClock(),
  logger = captureLogger(),
) {
  return createIotaWattSource(
    {
      enabled: true,
      serverIP: `127.0.0.1:${server.port}`,
      outputConsumption: cons,
      outputGeneration: gen,
      pollIntervalS: 10,
    },
    { clock, logger },
  );
}

void test("descriptor", async () => {
  assert.equal(IOTAWATT_SOURCE.key, "IotaWatt");
  assert.equal(IOTAWATT_SOURCE.registeredName, "IotaWatt");
  assert.equal(await IOTAWATT_SOURCE.load(), createIotaWattSource);
});

void test("one GET /status?outputs per read; both outputs parsed; attributes", async () => {
  const clock = new FakeClock();
  const s = source(undefined, undefined, clock);
  const n = server.requests.length;
  assert.deepEqual(await pollNow(s), { generationW: 2351.2, consumptionW: 1180.4, at: clock.now() });
  assert.equal(server.requests.length - n, 1);
  assert.equal(server.requests.at(-1)?.headers["content-type"], "application/json");
  assert.deepEqual(s.attributes(), { consumedW: 1180.4, generatedW: 2351.2 });
  await s.stop();
});

void test("an empty output name is not read (0); negative generation negated", async () => {
  outputs[1] = { name: "Solar", units: "Watts", value: -900 };
  const s = source("", "Solar");
  assert.deepEqual(await pollNow(s).then((r) => [r?.generationW, r?.consumptionW]), [900, 0]);
  await s.stop();
  const none = source("", "");
  const n = server.requests.length;
  assert.equal((await pollNow(none))?.generationW, 0);
  assert.equal(server.requests.length, n, "nothing configured: no request");
  await none.stop();
});

void test("units other than Watts: warned once, value used", async () => {
  outputs[1] = { name: "Solar", units: "VA", value: 100 };
  const logger = captureLogger();
  const s = source(undefined, undefined, new FakeClock(), logger);
  await pollNow(s);
  await pollNow(s);
  assert.equal(s.latest()?.generationW, 100);
  assert.equal(logger.records.filter((r) => r.msg?.includes("not in Watts") === true).length, 1);
  await s.stop();
});

void test("unknown output, null value, 500, Digest 401, malformed JSON fail and keep the previous reading", async () => {
  const clock = new FakeClock();
  const s = source(undefined, undefined, clock);
  const ok = await pollNow(s);
  assert.ok(ok);
  const cases: [() => void, RegExp][] = [
    [() => (outputs = [outputs[0] ?? {}]), /no output named "Solar"/],
    [
      () =>
        (outputs = [
          { name: "Total_Consumption", value: null },
          { name: "Solar", value: 1 },
        ]),
      /Total_Consumption/,
    ],
    [() => (mode = "500"), /HTTP 500/],
    [() => (mode = "digest"), /HTTP 401/],
    [() => (mode = "junk"), /not JSON/],
  ];
  for (const [breakIt, pattern] of cases) {
    const saved = outputs;
    breakIt();
    clock.advance(10_000);
    assert.deepEqual(await pollNow(s), ok);
    assert.match(s.lastError() ?? "", pattern);
    assert.deepEqual(s.attributes(), { consumedW: 1180.4, generatedW: 2351.2 });
    mode = "ok";
    outputs = saved;
  }
  await s.stop();
});

void test("times out after 2 s", async () => {
  const clock = new FakeClock();
  const s = source(undefined, undefined, clock);
  mode = "hang";
  await assertTimesOut(s, server, clock, 2000);
  await s.stop();
});
