import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { serveJson, useLoopback, type Fault } from "../loopback.test-helper.ts";
import type { Loopback } from "../loopback.test-helper.ts";
import { SMARTME_SOURCE } from "./smartme-descriptor.ts";
import { SmartMeSchema } from "./smartme-schema.ts";
import { createSmartMeSource, smartMeSignedW } from "./smartme.ts";
import { assertTimesOut, pollNow, startSelfSignedHttps } from "./module-source.test-helper.ts";
import { schemaKeyword } from "./module-source.test-helper.ts";

const AUTH = `Basic ${Buffer.from("alice:s3cret").toString("base64")}`;
let device: Record<string, unknown>;
let mode: Fault;
beforeEach(() => {
  device = { Serial: 1234567, ActivePower: -1.523, ActivePowerUnit: "kW" };
  mode = "ok";
});

const handler: Loopback["handler"] = (req, res) => {
  if (mode === "hang") return;
  const u = new URL(req.url ?? "/", "http://x");
  if (u.pathname !== "/api/DeviceBySerial" || u.searchParams.get("serial") !== "1234567")
    return void res.writeHead(404).end();
  if (req.headers.authorization !== AUTH)
    return void res.writeHead(401).end('{"Message":"Authorization denied"}');
  serveJson(res, mode, device, "{");
};
const server = useLoopback(handler);

function source(password = "s3cret", clock = new FakeClock(), baseUrl = server.url) {
  return createSmartMeSource(
    { enabled: true, username: "alice", password, serialNumber: 1234567, pollIntervalS: 10 },
    { clock, logger: captureLogger(), baseUrl },
  );
}

void test("descriptor: password secret; username, password, serial required", async () => {
  assert.equal(SMARTME_SOURCE.key, "SmartMe");
  assert.equal(schemaKeyword(SmartMeSchema, "password", "x-secret"), true);
  assert.deepEqual(SMARTME_SOURCE.required, ["username", "password", "serialNumber"]);
  assert.equal(await SMARTME_SOURCE.load(), createSmartMeSource);
});

void test("sign and unit", () => {
  assert.equal(smartMeSignedW({ ActivePower: -1.523, ActivePowerUnit: "kW" }), 1523);
  assert.equal(smartMeSignedW({ ActivePower: 0.8, ActivePowerUnit: "kW" }), -800);
  assert.equal(smartMeSignedW({ ActivePower: 250, ActivePowerUnit: "W" }), -250);
  assert.equal(smartMeSignedW({}), 0);
  assert.throws(() => smartMeSignedW({ ActivePower: "n/a" }), /ActivePower/);
});

void test("export −1.523 kW → generation 1523, consumption 0; Basic auth; signed attribute", async () => {
  const clock = new FakeClock();
  const s = source("s3cret", clock);
  const r = await pollNow(s);
  assert.equal(r?.generationW, 1523);
  assert.equal(r?.consumptionW, 0);
  assert.equal(r?.at, clock.now());
  assert.equal(server.requests.at(-1)?.headers.authorization, AUTH);
  assert.equal(server.requests.at(-1)?.headers["content-type"], "application/json");
  assert.equal(s.attributes().generatedW, 1523);
  await s.stop();
});

void test("import 0.8 kW → consumption 800 in the same read; attribute negative", async () => {
  device.ActivePower = 0.8;
  const s = source();
  const r = await pollNow(s);
  assert.deepEqual([r?.generationW, r?.consumptionW], [0, 800]);
  assert.equal(s.attributes().generatedW, -800);
  await s.stop();
});

void test("wrong password (401), 500, malformed JSON fail and keep the previous reading; no password in errors", async () => {
  const clock = new FakeClock();
  const s = source("s3cret", clock);
  const ok = await pollNow(s);
  assert.ok(ok);
  for (const [m, pattern] of [
    ["500", /HTTP 500/],
    ["junk", /not JSON/],
  ] as const) {
    mode = m;
    clock.advance(10_000);
    assert.deepEqual(await pollNow(s), ok);
    assert.match(s.lastError() ?? "", pattern);
  }
  await s.stop();
  const wrong = source("bad");
  assert.equal(await pollNow(wrong), null);
  assert.match(wrong.lastError() ?? "", /HTTP 401/);
  await wrong.stop();
});

void test("the cloud certificate is verified (a self-signed one fails)", async () => {
  const https = await startSelfSignedHttps(handler);
  try {
    const s = source("s3cret", new FakeClock(), https.url);
    assert.equal(await pollNow(s), null);
    assert.match(s.lastError() ?? "", /request failed: .*self-signed certificate/);
    await s.stop();
  } finally {
    await https.close();
  }
});

void test("times out after 2 s", async () => {
  const clock = new FakeClock();
  const s = source("s3cret", clock);
  mode = "hang";
  await assertTimesOut(s, server, clock, 2000);
  await s.stop();
});
