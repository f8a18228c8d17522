import assert from "node:assert/strict";
import { test } from "node:test";
import { captureLogger } from "../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../shared/clock.ts";
import { createHassSource, hassBaseUrl, hassStateWatts } from "./hass-source.ts";
import { useLoopback } from "./loopback.test-helper.ts";

const TOKEN = "long-lived-token";
const states: Record<string, unknown> = {
  "sensor.solar": { entity_id: "sensor.solar", state: "1.5", attributes: { unit_of_measurement: "kW" } },
  "sensor.house": { entity_id: "sensor.house", state: "820", attributes: { unit_of_measurement: "W" } },
  "sensor.inverter_neg": {
    entity_id: "sensor.inverter_neg",
    state: "-2000",
    attributes: { unit_of_measurement: "W" },
  },
  "sensor.down": { entity_id: "sensor.down", state: "unavailable", attributes: {} },
  "sensor.unknown": { entity_id: "sensor.unknown", state: "unknown", attributes: {} },
};

const server = useLoopback((req, res) => {
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    res.writeHead(401, { "content-type": "application/json" }).end('{"message":"401: Unauthorized"}');
    return;
  }
  const m = /^\/api\/states\/(.+)$/.exec(req.url ?? "");
  const doc = m?.[1] !== undefined ? states[decodeURIComponent(m[1])] : undefined;
  if (req.method !== "GET" || doc === undefined) {
    res.writeHead(404, { "content-type": "application/json" }).end('{"message":"Entity not found."}');
    return;
  }
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc));
});

function source(gen: string, cons: string, apiKey = TOKEN, clock = new FakeClock()) {
  return createHassSource(
    {
      serverIP: "127.0.0.1",
      serverPort: String(server.port),
      apiKey,
      hassEntityGeneration: gen,
      hassEntityConsumption: cons,
    },
    { clock, logger: captureLogger() },
  );
}

async function poll(s: ReturnType<typeof source>) {
  s.poll();
  await s.settled();
  return s.latest();
}

void test("base URL: http/https, numeric-string port, IPv6 literal", () => {
  assert.equal(hassBaseUrl({ serverIP: "10.0.0.2", serverPort: "8123" }), "http://10.0.0.2:8123");
  assert.equal(hassBaseUrl({ serverIP: "hass.local", useHttps: true }), "https://hass.local:8123");
  assert.equal(hassBaseUrl({ serverIP: "::1", serverPort: 8124 }), "http://[::1]:8124");
});

void test("state parsing: kW × 1000, non-numeric states rejected", () => {
  assert.equal(hassStateWatts({ state: "2", attributes: { unit_of_measurement: "kW" } }), 2000);
  assert.equal(hassStateWatts({ state: "2", attributes: { unit_of_measurement: "W" } }), 2);
  assert.equal(hassStateWatts({ state: "unavailable" }), null);
  assert.equal(hassStateWatts("x"), null);
});

void test("HASS source sends the bearer token and JSON content type, reads kW and W entities", async () => {
  const clock = new FakeClock();
  const s = source("sensor.solar", "sensor.house", TOKEN, clock);
  const r = await poll(s);
  assert.deepEqual(r, { generationW: 1500, consumptionW: 820, at: clock.now() });
  const req = server.requests.find((q) => q.url === "/api/states/sensor.solar");
  assert.equal(req?.headers.authorization, `Bearer ${TOKEN}`);
  assert.equal(req?.headers["content-type"], "application/json");
  assert.equal(s.lastError(), null);
  await s.stop();
});

void test("negative generation is negated", async () => {
  const s = source("sensor.inverter_neg", "sensor.house");
  assert.equal((await poll(s))?.generationW, 2000);
  await s.stop();
});

void test("unavailable, unknown, 404 and a wrong token fail and keep the previous reading", async () => {
  const clock = new FakeClock();
  const good = source("sensor.solar", "sensor.house", TOKEN, clock);
  const first = await poll(good);
  await good.stop();
  assert.ok(first);

  for (const [gen, cons, key, pattern] of [
    ["sensor.down", "sensor.house", TOKEN, /unavailable/],
    ["sensor.solar", "sensor.unknown", TOKEN, /unknown/],
    ["sensor.missing", "sensor.house", TOKEN, /HTTP 404/],
    ["sensor.solar", "sensor.house", "wrong", /HTTP 401/],
  ] as const) {
    const s = source(gen, cons, key, clock);
    assert.equal(await poll(s), null, `${gen}/${cons}: no reading`);
    assert.match(s.lastError() ?? "", pattern);
    await s.stop();
  }

  // Same source instance: a failure after a success keeps the old reading and timestamp.
  const s = source("sensor.solar", "sensor.house", TOKEN, clock);
  const ok = await poll(s);
  states["sensor.solar"] = { state: "unavailable", attributes: {} };
  clock.advance(10_000);
  assert.deepEqual(await poll(s), ok);
  assert.match(s.lastError() ?? "", /unavailable/);
  await s.stop();
});

void test("an empty entity is not queried (0)", async () => {
  const before = server.requests.length;
  const s = source("", "sensor.house");
  assert.equal((await poll(s))?.generationW, 0);
  assert.equal(server.requests.length - before, 1);
  await s.stop();
});
