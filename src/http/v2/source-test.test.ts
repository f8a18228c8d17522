/**
 * `POST /api/v2/sources/{name}/test` over real HTTP against loopback fake devices (issue 11 §4): the
 * figures, attributes and raw answers of one poll, the error of a failing device, secrets hidden,
 * auth as for every write, 404 for a source that is not configured and 409 for a push source.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { loadConfigText } from "../../config/load.ts";
import type { Commands } from "../../engine/commands.ts";
import { startLoopback, type Handler, type Loopback } from "../../energy/loopback.test-helper.ts";
import { createSourceTester } from "../../energy/source-test.ts";
import type { SourceTestResult } from "../../energy/source-test.ts";
import { systemClock } from "../../shared/clock.ts";
import { createApp } from "../app.ts";
import { authConfig, httpConfig, stubViews } from "../security/test-app.test-helper.ts";
import { testStore } from "./v2-app.test-helper.ts";

const TOKEN = "test-token-0123456789";
const EFERGY_TOKEN = "efergy-secret-777";
const HASS_KEY = "hass-long-lived-key-42";

let device: Loopback;
let deviceHandler: Handler;
let app: FastifyInstance;
let tester: ReturnType<typeof createSourceTester>;
let origin = "";

/** Fronius datamanager, Efergy cloud and Home Assistant on one loopback port, told apart by path. */
const fakes: Handler = (req, res) => deviceHandler(req, res);
const json = (res: Parameters<Handler>[1], body: unknown, status = 200): void =>
  void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
const healthy: Handler = (req, res) => {
  const url = req.url ?? "";
  if (url.includes("GetPowerFlowRealtimeData"))
    return json(res, { Body: { Data: { Site: { P_PV: 2351.0, P_Load: -830.7, P_Grid: -1520.3 } } } });
  if (url.includes("GetInverterRealtimeData")) return json(res, { Body: { Data: { UAC: { Unit: "V", Value: 231.4 } } } });
  if (url.startsWith("/mobile_proxy/"))
    // A cloud that echoes the token back: the answer must still not show it.
    return json(res, [{ cid: "PWER", data: [{ "1714557600000": 1343 }], sid: "1", echo: EFERGY_TOKEN }]);
  if (url.startsWith("/api/states/"))
    return json(res, { state: "1.5", attributes: { unit_of_measurement: "kW", seen: req.headers.authorization } });
  json(res, { error: "no such path" }, 404);
};

async function post(name: string, auth = true): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${origin}/api/v2/sources/${encodeURIComponent(name)}/test`, {
    method: "POST",
    headers: auth ? { Authorization: `Bearer ${TOKEN}` } : {},
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

before(async () => {
  deviceHandler = healthy;
  device = await startLoopback(fakes);
  const { config, warnings } = loadConfigText(
    JSON.stringify({
      config: { settingsPath: "/tmp/twcm-source-test", wiringMaxAmpsAllTWCs: 32, minAmpsPerTWC: 6 },
      interface: { Dummy: { enabled: true } },
      sources: {
        Fronius: { enabled: true, serverIP: "127.0.0.1", serverPort: device.port },
        Efergy: { enabled: true, token: EFERGY_TOKEN },
        HASS: { enabled: true, serverIP: "127.0.0.1", serverPort: device.port, apiKey: HASS_KEY, hassEntityGeneration: "sensor.pv" },
        MQTT: { enabled: true, brokerIP: "127.0.0.1", topicGeneration: "solar/w" },
        Powerwall2: { enabled: false, serverIP: "127.0.0.1" },
      },
    }),
  );
  assert.ok(config, JSON.stringify(warnings));
  tester = createSourceTester({
    sources: config.sources,
    clock: systemClock,
    logger: pino({ level: "silent" }),
    extraDeps: { baseUrl: device.url }, // the cloud host of Efergy, injected (energy-sources.md §1.9)
  });
  app = createApp({
    logger: pino({ level: "silent" }),
    views: stubViews(),
    commands: {} as Commands,
    state: testStore(Date.now()),
    httpConfig: httpConfig({ auth: authConfig({ tokens: [TOKEN] }) }),
    rawConfig: {},
    tls: false,
    sourceTests: tester,
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app.close();
  await device.close();
});
beforeEach(() => {
  deviceHandler = healthy;
  device.requests.length = 0;
});

describe("POST /api/v2/sources/{name}/test", () => {
  test("polls the Fronius once: figures, attributes and both raw answers", async () => {
    const { status, body } = await post("Fronius");
    assert.equal(status, 200);
    const r = body as unknown as SourceTestResult;
    assert.equal(r.name, "Fronius");
    assert.equal(r.ok, true);
    assert.equal(r.error, null);
    assert.equal(r.generationW, 2351);
    assert.equal(r.consumptionW, 830.7);
    assert.equal(r.attributes.voltage, 231.4);
    assert.equal(r.attributes.generatedW, 2351);
    assert.equal(r.raw.length, 2);
    const flow = r.raw.find((e) => e.request.includes("GetPowerFlowRealtimeData"));
    assert.ok(flow, JSON.stringify(r.raw));
    assert.match(flow.request, /^GET http:\/\/127\.0\.0\.1:\d+\/solar_api\/v1\/GetPowerFlowRealtimeData\.fcgi\?Scope=System$/);
    assert.equal(flow.status, 200);
    assert.deepEqual(JSON.parse(flow.body), { Body: { Data: { Site: { P_PV: 2351.0, P_Load: -830.7, P_Grid: -1520.3 } } } });
    assert.equal(typeof r.durationMs, "number");
    assert.ok(!Number.isNaN(Date.parse(r.testedAt)));
  });

  test("a device answering 500 gives ok false with the error and the raw answer", async () => {
    deviceHandler = (_req, res) => void res.writeHead(500).end("internal trouble");
    const { status, body } = await post("Fronius");
    assert.equal(status, 200);
    const r = body as unknown as SourceTestResult;
    assert.equal(r.ok, false);
    assert.match(r.error ?? "", /HTTP 500/);
    assert.equal(r.generationW, null);
    assert.deepEqual(r.attributes, {});
    assert.ok(r.raw.some((e) => e.status === 500 && e.body === "internal trouble"));
  });

  test("malformed JSON is the error, the raw text is shown", async () => {
    deviceHandler = (_req, res) => void res.writeHead(200).end("{Body:");
    const r = (await post("Fronius")).body as unknown as SourceTestResult;
    assert.equal(r.ok, false);
    assert.match(r.error ?? "", /not JSON/);
    assert.ok(r.raw.some((e) => e.body === "{Body:"));
  });

  test("secrets never appear: the token in the query, echoed in the body, or a Bearer key", async () => {
    const efergy = await post("Efergy");
    assert.equal(efergy.status, 200);
    assert.equal((efergy.body as unknown as SourceTestResult).consumptionW, 1343);
    const hass = await post("HASS");
    assert.equal((hass.body as unknown as SourceTestResult).generationW, 1500);
    const text = JSON.stringify([efergy.body, hass.body]);
    assert.ok(!text.includes(EFERGY_TOKEN), text);
    assert.ok(!text.includes(HASS_KEY), text);
    assert.match(text, /token=\(hidden\)/);
    // The device did see the real credentials.
    assert.ok(device.requests.some((q) => q.url.includes(`token=${EFERGY_TOKEN}`)));
    assert.ok(device.requests.some((q) => q.headers.authorization === `Bearer ${HASS_KEY}`));
  });

  test("two tests at once share one poll", async () => {
    const first = tester.test("Fronius");
    assert.equal(tester.test("Fronius"), first);
    assert.equal((await first).kind, "result");
    assert.equal(device.requests.length, 2, "one PowerFlow and one inverter request");
    const again = tester.test("Fronius");
    assert.notEqual(again, first, "a later test polls again");
    await again;
  });

  test("needs credentials like every write; unknown, disabled and push sources are refused clearly", async () => {
    assert.equal((await post("Fronius", false)).status, 401);
    assert.equal(device.requests.length, 0);
    const unknown = await post("Nope");
    assert.equal(unknown.status, 404);
    assert.match(String(unknown.body.error), /an energy source named "Nope" is not configured/);
    const disabled = await post("Powerwall2");
    assert.equal(disabled.status, 404);
    assert.match(String(disabled.body.error), /^sources\.Powerwall2 is not configured/);
    const push = await post("MQTT");
    assert.equal(push.status, 409);
    assert.match(String(push.body.error), /cannot be polled on demand/);
  });
});

test("without a tester every name is 404", async () => {
  const bare = createApp({
    logger: pino({ level: "silent" }),
    views: stubViews(),
    commands: {} as Commands,
    state: testStore(0),
    httpConfig: null,
    rawConfig: {},
    tls: false,
  });
  const r = await bare.inject({ method: "POST", url: "/api/v2/sources/Fronius/test" });
  assert.equal(r.statusCode, 404);
  assert.match(r.json<{ error: string }>().error, /Fronius/);
  await bare.close();
});
