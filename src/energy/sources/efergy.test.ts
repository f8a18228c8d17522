import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { serveJson, useLoopback, type Fault } from "../loopback.test-helper.ts";
import type { Loopback } from "../loopback.test-helper.ts";
import { EFERGY_SOURCE } from "./efergy-descriptor.ts";
import { EfergySchema } from "./efergy-schema.ts";
import { createEfergySource, efergyConsumptionW } from "./efergy.ts";
import { assertTimesOut, pollNow, startSelfSignedHttps } from "./module-source.test-helper.ts";
import { schemaKeyword } from "./module-source.test-helper.ts";

const TOKEN = "app-token-xyz";
let sensors: unknown;
let mode: Fault;
beforeEach(() => {
  sensors = [
    { cid: "PWER", data: [{ "1714557600000": 1343 }], sid: "728467", units: "kWm3", age: 4 },
    { cid: "PWER_GAC", data: [{ "1714557600000": 99 }], sid: "728468", units: null, age: 2 },
  ];
  mode = "ok";
});

const handler: Loopback["handler"] = (req, res) => {
  if (mode === "hang") return;
  const u = new URL(req.url ?? "/", "http://x");
  if (u.pathname !== "/mobile_proxy/getCurrentValuesSummary") return void res.writeHead(404).end();
  if (u.searchParams.get("token") !== TOKEN) return void res.writeHead(403).end('{"error":"bad token"}');
  serveJson(res, mode, sensors, "[{");
};
const server = useLoopback(handler);

function source(token = TOKEN, clock = new FakeClock(), baseUrl = server.url) {
  return createEfergySource(
    { enabled: true, token, pollIntervalS: 10 },
    { clock, logger: captureLogger(), baseUrl },
  );
}

void test("descriptor: token secret and required", async () => {
  assert.equal(EFERGY_SOURCE.key, "Efergy");
  assert.equal(schemaKeyword(EfergySchema, "token", "x-secret"), true);
  assert.deepEqual(EFERGY_SOURCE.required, ["token"]);
  assert.equal(await EFERGY_SOURCE.load(), createEfergySource);
});

void test("parsing: the PWER sensor is preferred, else the first", () => {
  assert.equal(
    efergyConsumptionW([
      { cid: "X", data: [{ t: 5 }] },
      { cid: "PWER", data: [{ t: 7 }] },
    ]),
    7,
  );
  assert.equal(efergyConsumptionW([{ cid: "X", data: [{ t: 5 }] }]), 5);
  assert.throws(() => efergyConsumptionW([{ cid: "PWER", data: [] }]), /sensor data/);
  assert.throws(() => efergyConsumptionW([]), /no sensors/);
});

void test("consumption 1343 W, generation 0; attributes", async () => {
  const clock = new FakeClock();
  const s = source(TOKEN, clock);
  assert.deepEqual(await pollNow(s), { generationW: 0, consumptionW: 1343, at: clock.now() });
  assert.deepEqual(s.attributes(), { consumedW: 1343 });
  await s.stop();
});

void test("wrong token (403), empty data, 500, malformed JSON fail and keep the previous reading; token not in errors", async () => {
  const clock = new FakeClock();
  const s = source(TOKEN, clock);
  const ok = await pollNow(s);
  assert.ok(ok);
  for (const [breakIt, pattern] of [
    [() => (sensors = [{ cid: "PWER", data: [] }]), /sensor data/],
    [() => (mode = "500"), /HTTP 500/],
    [() => (mode = "junk"), /not JSON/],
  ] as const) {
    breakIt();
    clock.advance(10_000);
    assert.deepEqual(await pollNow(s), ok);
    assert.match(s.lastError() ?? "", pattern);
    assert.doesNotMatch(s.lastError() ?? "", new RegExp(TOKEN));
    mode = "ok";
  }
  await s.stop();
  const wrong = source("wrong-token");
  assert.equal(await pollNow(wrong), null);
  assert.match(wrong.lastError() ?? "", /HTTP 403/);
  await wrong.stop();
});

void test("the cloud certificate is verified (a self-signed one fails)", async () => {
  const https = await startSelfSignedHttps(handler);
  try {
    const s = source(TOKEN, new FakeClock(), https.url);
    assert.equal(await pollNow(s), null);
    assert.match(s.lastError() ?? "", /request failed: .*self-signed certificate/);
    assert.doesNotMatch(s.lastError() ?? "", new RegExp(TOKEN));
    await s.stop();
  } finally {
    await https.close();
  }
});

void test("times out after 10 s", async () => {
  const clock = new FakeClock();
  const s = source(TOKEN, clock);
  mode = "hang";
  await assertTimesOut(s, server, clock, 10_000);
  await s.stop();
});
