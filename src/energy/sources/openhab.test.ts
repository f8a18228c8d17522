import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { useLoopback } from "../loopback.test-helper.ts";
import { OPENHAB_SOURCE } from "./openhab-descriptor.ts";
import { createOpenHabSource, openHabWatts } from "./openhab.ts";
import { assertTimesOut, pollNow } from "./module-source.test-helper.ts";

let items: Record<string, string>;
let mode: "ok" | "500" | "hang";
beforeEach(() => {
  items = {
    Solar_Power: "2351.2 W",
    House_Power: "830.5",
    Neg_Power: "-1.2 kW",
    Unset: "NULL",
    Gone: "UNDEF",
  };
  mode = "ok";
});

const server = useLoopback((req, res) => {
  if (mode === "hang") return;
  if (mode === "500") return void res.writeHead(500).end("Internal Server Error");
  const m = /^\/rest\/items\/([^/]+)\/state$/.exec(req.url ?? "");
  const text = m?.[1] !== undefined ? items[decodeURIComponent(m[1])] : undefined;
  if (text === undefined) return void res.writeHead(404).end('{"error":{"message":"Item not found"}}');
  res.writeHead(200, { "content-type": "text/plain" }).end(text);
});

function source(cons: string, gen: string, clock = new FakeClock()) {
  return createOpenHabSource(
    {
      enabled: true,
      serverIP: "127.0.0.1",
      serverPort: server.port,
      consumptionItem: cons,
      generationItem: gen,
      pollIntervalS: 10,
    },
    { clock, logger: captureLogger() },
  );
}

void test("descriptor: config key openHAB, registered name OpenHab", async () => {
  assert.equal(OPENHAB_SOURCE.key, "openHAB");
  assert.equal(OPENHAB_SOURCE.registeredName, "OpenHab");
  assert.equal(await OPENHAB_SOURCE.load(), createOpenHabSource);
});

void test("state text: plain, with W, with kW; NULL/UNDEF rejected", () => {
  assert.equal(openHabWatts("a", "2351.2\n"), 2351.2);
  assert.equal(openHabWatts("a", "2351.2 W"), 2351.2);
  assert.equal(openHabWatts("a", "1.2 kW"), 1200);
  assert.throws(() => openHabWatts("a", "NULL"), /NULL/);
  assert.throws(() => openHabWatts("a", "5 kWh"), /5 kWh/);
});

void test("reads both items from /rest/items/<item>/state; attributes", async () => {
  const clock = new FakeClock();
  const s = source("House_Power", "Solar_Power", clock);
  assert.deepEqual(await pollNow(s), { generationW: 2351.2, consumptionW: 830.5, at: clock.now() });
  assert.deepEqual(s.attributes(), { consumedW: 830.5, generatedW: 2351.2 });
  await s.stop();
});

void test("negative kW generation negated; an empty item is not read", async () => {
  const n = server.requests.length;
  const s = source("", "Neg_Power");
  const r = await pollNow(s);
  assert.deepEqual([r?.generationW, r?.consumptionW], [1200, 0]);
  assert.equal(server.requests.length - n, 1);
  await s.stop();
});

void test("NULL, UNDEF, unknown item (404), 500 fail and keep the previous reading", async () => {
  const clock = new FakeClock();
  const s = source("House_Power", "Solar_Power", clock);
  const ok = await pollNow(s);
  assert.ok(ok);
  const cases: [() => void, RegExp][] = [
    [() => (items.Solar_Power = "NULL"), /Solar_Power: unusable state "NULL"/],
    [() => (items.House_Power = "UNDEF"), /House_Power: unusable state "UNDEF"/],
    [() => delete items.House_Power, /House_Power: HTTP 404/],
    [() => (mode = "500"), /HTTP 500/],
  ];
  for (const [breakIt, pattern] of cases) {
    breakIt();
    clock.advance(10_000);
    assert.deepEqual(await pollNow(s), ok);
    assert.match(s.lastError() ?? "", pattern);
    assert.deepEqual(s.attributes(), { consumedW: 830.5, generatedW: 2351.2 });
    mode = "ok";
    items.Solar_Power = "2351.2 W";
    items.House_Power = "830.5";
  }
  await s.stop();
});

void test("times out after 2 s", async () => {
  const clock = new FakeClock();
  const s = source("House_Power", "", clock);
  mode = "hang";
  await assertTimesOut(s, server, clock, 2000);
  await s.stop();
});
