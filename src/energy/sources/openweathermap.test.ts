import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { useLoopback } from "../loopback.test-helper.ts";
import type { Loopback } from "../loopback.test-helper.ts";
import { OPENWEATHERMAP_SOURCE } from "./openweathermap-descriptor.ts";
import { OpenWeatherMapSchema } from "./openweathermap-schema.ts";
import {
  createOpenWeatherMapSource,
  owmBestEntry,
  owmDayFactor,
  owmEstimateW,
  owmTempFactor,
} from "./openweathermap.ts";
import { assertTimesOut, pollNow, startSelfSignedHttps } from "./module-source.test-helper.ts";
import { schemaKeyword } from "./module-source.test-helper.ts";

const KEY = "owm-key-123";
// A day: sunrise 06:00, sunset 20:00 (UTC) → midday 13:00.
const DAY = Date.UTC(2026, 5, 15) / 1000;
const H = 3600;
const at = (h: number, m = 0): number => DAY + h * H + m * 60;
const PEAK = Array.from({ length: 12 }, () => 6);

function forecast(nowS: number, temp: number): Record<string, unknown> {
  return {
    current: { dt: nowS - 300, sunrise: at(6), sunset: at(20), temp, clouds: 30 },
    hourly: [
      { dt: nowS - H, temp: temp - 1, clouds: 40 },
      { dt: nowS + 1200, temp: temp + 1, clouds: 20 },
    ],
    daily: [{ dt: nowS + 2 * H, temp: { day: 25.0, min: 12.0, max: 27.0 }, clouds: 25 }],
  };
}

let body: string;
let mode: "ok" | "500" | "hang";
beforeEach(() => {
  body = JSON.stringify(forecast(at(11), 24));
  mode = "ok";
});

const handler: Loopback["handler"] = (req, res) => {
  if (mode === "hang") return;
  const u = new URL(req.url ?? "/", "http://x");
  if (u.pathname === "/data/2.5/onecall")
    return void res
      .writeHead(401)
      .end(
        '{"cod":401,"message":"Invalid API key. Please see https://openweathermap.org/faq#error401 for more info."}',
      );
  if (u.pathname !== "/data/3.0/onecall") return void res.writeHead(404).end();
  if (u.searchParams.get("appid") !== KEY)
    return void res.writeHead(401).end('{"cod":401,"message":"Invalid API key."}');
  if (mode === "500") return void res.writeHead(500).end("error");
  res.writeHead(200, { "content-type": "application/json" }).end(body);
};
const server = useLoopback(handler);

function source(clock: FakeClock, key = KEY, baseUrl = server.url) {
  return createOpenWeatherMapSource(
    { enabled: true, APIKey: key, Latitude: 52.5, Longitude: 13.4, PeakKW: PEAK, pollIntervalS: 90 },
    { clock, logger: captureLogger(), baseUrl },
  );
}

void test("descriptor: APIKey secret; APIKey and PeakKW required; poll ≥ 90 s", async () => {
  assert.equal(OPENWEATHERMAP_SOURCE.key, "OpenWeatherMap");
  assert.equal(schemaKeyword(OpenWeatherMapSchema, "APIKey", "x-secret"), true);
  assert.deepEqual(OPENWEATHERMAP_SOURCE.required, ["APIKey", "PeakKW"]);
  assert.equal(schemaKeyword(OpenWeatherMapSchema, "pollIntervalS", "minimum"), 90);
  assert.equal(await OPENWEATHERMAP_SOURCE.load(), createOpenWeatherMapSource);
});

void test("golden values of the spec", () => {
  const w = (h: number, m: number, temp: number) => owmEstimateW(forecast(at(h, m), temp), at(h, m), 6, PEAK);
  assert.equal(w(11, 0, 24).toFixed(1), "3857.1");
  assert.equal(w(11, 0, 33).toFixed(1), "1928.6");
  assert.equal(w(12, 40, 24).toFixed(1), "5400.0");
  assert.equal(w(5, 30, 24), 0);
});

void test("factors and the best-entry walk (upstream quirks kept)", () => {
  assert.equal(owmDayFactor(at(7), at(6), at(20)), 0.2);
  assert.equal(owmDayFactor(at(21), at(6), at(20)), 0);
  assert.equal(owmDayFactor(at(17), at(6), at(20)), 3 / 7);
  assert.equal(owmTempFactor(31), 1);
  assert.equal(owmTempFactor(40), 0.5);
  assert.equal(owmTempFactor(90), 1 - 59 / 100);
  // current.dt = now (d = 0): the first hourly entry replaces it even though it is further away.
  const doc = { current: { dt: 100, temp: 1 }, hourly: [{ dt: 200, temp: 2 }], daily: [] };
  assert.equal(owmBestEntry(doc, 100).temp, 2);
  // The month picks PeakKW[month − 1] (March = third element).
  const peaks = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  assert.equal(owmEstimateW(forecast(at(12, 40), 24), at(12, 40), 3, peaks).toFixed(1), "2700.0");
});

void test("reads One Call 3.0 with the query of upstream; estimate on the injected clock; attributes", async () => {
  const clock = new FakeClock(at(11) * 1000);
  const s = source(clock);
  const r = await pollNow(s);
  assert.equal(r?.generationW.toFixed(1), "3857.1");
  assert.equal(r?.consumptionW, 0);
  const u = new URL(server.requests.at(-1)?.url ?? "/", "http://x");
  assert.equal(u.pathname, "/data/3.0/onecall");
  assert.deepEqual(Object.fromEntries(u.searchParams), {
    lat: "52.5",
    lon: "13.4",
    appid: KEY,
    exclude: "minutely",
    units: "metric",
  });
  assert.equal(typeof s.attributes().generatedW, "number");
  await s.stop();
});

void test("a daily entry closest (temp object), 401, 500, malformed JSON keep the previous estimate", async () => {
  const clock = new FakeClock(at(11) * 1000);
  const s = source(clock);
  const ok = await pollNow(s);
  assert.ok(ok);
  const cases: [() => void, RegExp][] = [
    [
      () => {
        const f = forecast(at(11), 24);
        f.hourly = [];
        (f.current as Record<string, unknown>).dt = at(3);
        f.daily = [{ dt: at(11), temp: { day: 25 }, clouds: 25 }];
        body = JSON.stringify(f);
      },
      /estimate not computed/,
    ],
    [() => (mode = "500"), /HTTP 500/],
    [() => (body = "{"), /not JSON/],
  ];
  for (const [breakIt, pattern] of cases) {
    breakIt();
    clock.advance(90_000);
    assert.deepEqual(await pollNow(s), ok);
    assert.match(s.lastError() ?? "", pattern);
    mode = "ok";
    body = JSON.stringify(forecast(at(11), 24));
  }
  await s.stop();
  const wrong = source(new FakeClock(at(11) * 1000), "bad-key");
  assert.equal(await pollNow(wrong), null);
  assert.match(wrong.lastError() ?? "", /HTTP 401/);
  assert.doesNotMatch(wrong.lastError() ?? "", /bad-key/);
  await wrong.stop();
});

void test("the cloud certificate is verified (a self-signed one fails)", async () => {
  const https = await startSelfSignedHttps(handler);
  try {
    const s = source(new FakeClock(at(11) * 1000), KEY, https.url);
    assert.equal(await pollNow(s), null);
    assert.match(s.lastError() ?? "", /request failed: .*self-signed certificate/);
    assert.doesNotMatch(s.lastError() ?? "", new RegExp(KEY));
    await s.stop();
  } finally {
    await https.close();
  }
});

void test("times out after 10 s", async () => {
  const clock = new FakeClock(at(11) * 1000);
  const s = source(clock);
  mode = "hang";
  await assertTimesOut(s, server, clock, 10_000);
  await s.stop();
});
