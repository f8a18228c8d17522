import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { useLoopback } from "../loopback.test-helper.ts";
import { SOLARLOG_SOURCE } from "./solarlog-descriptor.ts";
import {
  activeExclusions,
  createSolarLogSource,
  SOLARLOG_QUERY_782,
  SOLARLOG_QUERY_801,
} from "./solarlog.ts";
import { assertTimesOut, pollNow, readBody } from "./module-source.test-helper.ts";

let d170: Record<string, unknown>;
let d175: Record<string, unknown>;
let d782: Record<string, unknown>;
let mode: "ok" | "500" | "junk" | "hang";
const bodies: string[] = [];

beforeEach(() => {
  d170 = { "100": "01.05.24 12:00:00", "101": 2351, "102": 2460, "103": 231, "110": 1830 };
  d175 = { "0": { "101": 1 }, "1": { "101": 0 } };
  d782 = { "0": "2351", "1": "0", "2": "1480", "3": "200" };
  mode = "ok";
});

const server = useLoopback((req, res) => {
  void readBody(req).then((text) => {
    bodies.push(text);
    if (mode === "hang") return;
    if (req.method !== "POST" || req.url !== "/getjp") return void res.writeHead(404).end();
    if (mode === "500") return void res.writeHead(500).end("error");
    if (mode === "junk") return void res.writeHead(200).end("<html>");
    const q = JSON.parse(text) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    if ("801" in q) out["801"] = { "170": d170, "175": d175 };
    if ("782" in q) out["782"] = d782;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(out));
  });
});

function source(exclude: number[] = [], clock = new FakeClock()) {
  return createSolarLogSource(
    {
      enabled: true,
      serverIP: `127.0.0.1:${server.port}`,
      excludeConsumptionInverters: exclude,
      pollIntervalS: 15,
    },
    { clock, logger: captureLogger() },
  );
}

void test("descriptor: key, registered name, required serverIP, lazy factory", async () => {
  assert.equal(SOLARLOG_SOURCE.key, "SolarLog");
  assert.equal(SOLARLOG_SOURCE.registeredName, "SolarLog");
  assert.deepEqual(SOLARLOG_SOURCE.required, ["serverIP"]);
  assert.equal(await SOLARLOG_SOURCE.load(), createSolarLogSource);
});

void test("no exclusions: one POST with the exact upstream body; generation 101, consumption 110", async () => {
  const clock = new FakeClock();
  const s = source([], clock);
  const n = bodies.length;
  const r = await pollNow(s);
  assert.deepEqual(r, { generationW: 2351, consumptionW: 1830, at: clock.now() });
  assert.deepEqual(bodies.slice(n), [SOLARLOG_QUERY_801]);
  const req = server.requests.at(-1);
  assert.equal(req?.headers["content-type"], "application/json");
  assert.deepEqual(s.attributes(), {
    generatedW: 2351,
    consumedW: 1830,
    excludeConsumedW: 0,
    smartEnergyInvertersActive: "",
  });
  await s.stop();
});

void test("exclusion [2]: second POST for 782, device 2's 1480 W subtracted (1830 − 1480 = 350)", async () => {
  const s = source([2]);
  const n = bodies.length;
  const r = await pollNow(s);
  assert.equal(r?.consumptionW, 350);
  assert.deepEqual(bodies.slice(n), [SOLARLOG_QUERY_801, SOLARLOG_QUERY_782]);
  assert.equal(s.attributes().excludeConsumedW, 1480);
  assert.equal(s.attributes().consumedW, 1830);
  assert.equal(s.attributes().smartEnergyInvertersActive, "2");
  await s.stop();
});

void test("switched-off device: 175 is indexed by list position (upstream quirk)", async () => {
  // Position 1 (device 3) is switched off in 175["1"]; position 0 (device 2) is on.
  const s = source([2, 3]);
  assert.equal((await pollNow(s))?.consumptionW, 350);
  assert.equal(s.attributes().smartEnergyInvertersActive, "2");
  assert.deepEqual(activeExclusions([0, 5], { "1": { "101": 0 } }), [0]);
  await s.stop();
});

void test("negative generation is negated", async () => {
  d170["101"] = -2000;
  const s = source();
  assert.equal((await pollNow(s))?.generationW, 2000);
  await s.stop();
});

void test("500, malformed JSON, a missing field and a missing device fail and keep the previous reading", async () => {
  const clock = new FakeClock();
  const s = source([2], clock);
  const ok = await pollNow(s);
  assert.ok(ok);
  const attrs = s.attributes();
  const cases: [() => void, RegExp][] = [
    [() => (mode = "500"), /HTTP 500/],
    [() => (mode = "junk"), /not JSON/],
    [() => delete d170["110"], /801\.170\.110/],
    [() => delete d782["2"], /782\.2/],
  ];
  for (const [breakIt, pattern] of cases) {
    breakIt();
    clock.advance(15_000);
    assert.deepEqual(await pollNow(s), ok);
    assert.match(s.lastError() ?? "", pattern);
    assert.deepEqual(s.attributes(), attrs);
    mode = "ok";
    d170["110"] = 1830;
    d782["2"] = "1480";
  }
  await s.stop();
});

void test("a device that does not answer times out after 2 s", async () => {
  const clock = new FakeClock();
  const s = source([], clock);
  mode = "hang";
  await assertTimesOut(s, server, clock, 2000);
  await s.stop();
});
