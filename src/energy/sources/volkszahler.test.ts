import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { useLoopback } from "../loopback.test-helper.ts";
import { VOLKSZAHLER_SOURCE } from "./volkszahler-descriptor.ts";
import { createVolkszahlerSource, volkszahlerFigures, volkszahlerValue } from "./volkszahler.ts";
import { assertTimesOut, pollNow } from "./module-source.test-helper.ts";

const PV = "11111111-aaaa-bbbb-cccc-000000000001";
const GRID = "11111111-aaaa-bbbb-cccc-000000000002";
let channels: Record<string, string>;
let mode: "ok" | "500" | "hang";
beforeEach(() => {
  channels = { [PV]: "3200 W", [GRID]: "-1500 W" };
  mode = "ok";
});

const server = useLoopback((req, res) => {
  if (mode === "hang") return;
  const u = new URL(req.url ?? "/", "http://x");
  const body = channels[u.searchParams.get("uuid") ?? ""];
  if (u.pathname !== "/api/data.txt" || u.searchParams.get("from") !== "now" || body === undefined)
    return void res.writeHead(404).end("not found");
  if (mode === "500") return void res.writeHead(500).end("error");
  res.writeHead(200, { "content-type": "text/plain" }).end(body);
});

function source(clock = new FakeClock(), pv = PV) {
  return createVolkszahlerSource(
    {
      enabled: true,
      serverIP: "127.0.0.1",
      serverPort: server.port,
      uuidPhotovoltaikW: pv,
      uuidTotalGridW: GRID,
      pollIntervalS: 10,
    },
    { clock, logger: captureLogger() },
  );
}

void test("descriptor: key Volkszahler, grid UUID required", async () => {
  assert.equal(VOLKSZAHLER_SOURCE.key, "Volkszahler");
  assert.deepEqual(VOLKSZAHLER_SOURCE.required, ["serverIP", "uuidTotalGridW"]);
  assert.equal(await VOLKSZAHLER_SOURCE.load(), createVolkszahlerSource);
});

void test("body and formula", () => {
  assert.equal(volkszahlerValue("x", "-5520.8 W"), -5520.8);
  assert.equal(volkszahlerValue("x", "12 W\n"), 12);
  assert.throws(() => volkszahlerValue("x", "12"), /expected/);
  assert.throws(() => volkszahlerValue("x", "null W"), /expected/);
  assert.deepEqual(volkszahlerFigures(3200, -1500), { consumptionW: 1700, generationW: 3200 });
  assert.deepEqual(volkszahlerFigures(0, -200), { consumptionW: 0, generationW: 0 });
});

void test("spec example: P 3200, G −1500 → consumption 1700, generation 3200; raw attributes", async () => {
  const clock = new FakeClock();
  const s = source(clock);
  assert.deepEqual(await pollNow(s), { generationW: 3200, consumptionW: 1700, at: clock.now() });
  assert.deepEqual(s.attributes(), { PhotovoltaikW: 3200, TotalGridW: -1500 });
  const req = server.requests.at(-1);
  assert.match(req?.url ?? "", /^\/api\/data\.txt\?from=now&uuid=/);
  assert.equal(req?.headers["content-type"], "text/plain");
  await s.stop();
});

void test("a negative PV channel at night is no generation (not negated); consumption P + G", async () => {
  channels[PV] = "-3.5 W"; // inverter standby draw
  channels[GRID] = "803.5 W";
  const s = source();
  const r = await pollNow(s);
  assert.equal(r?.generationW, 0);
  assert.equal(r?.consumptionW, 800);
  assert.deepEqual(s.attributes(), { PhotovoltaikW: -3.5, TotalGridW: 803.5 });
  await s.stop();
});

void test("no PV channel: only the grid is read", async () => {
  const s = source(new FakeClock(), "");
  channels[GRID] = "800 W";
  assert.deepEqual([(await pollNow(s))?.consumptionW, s.latest()?.generationW], [800, 0]);
  await s.stop();
});

void test("one channel failing (no W suffix, unknown UUID, 500) fails the reading and keeps the previous one", async () => {
  const clock = new FakeClock();
  const s = source(clock);
  const ok = await pollNow(s);
  assert.ok(ok);
  const cases: [() => void, RegExp][] = [
    [() => (channels[PV] = "3200"), /expected "<value> W"/],
    [() => delete channels[GRID], /HTTP 404/],
    [() => (mode = "500"), /HTTP 500/],
  ];
  for (const [breakIt, pattern] of cases) {
    breakIt();
    clock.advance(10_000);
    assert.deepEqual(await pollNow(s), ok);
    assert.match(s.lastError() ?? "", pattern);
    assert.deepEqual(s.attributes(), { PhotovoltaikW: 3200, TotalGridW: -1500 });
    mode = "ok";
    channels = { [PV]: "3200 W", [GRID]: "-1500 W" };
  }
  await s.stop();
});

void test("times out after 2 s", async () => {
  const clock = new FakeClock();
  const s = source(clock);
  mode = "hang";
  await assertTimesOut(s, server, clock, 2000);
  await s.stop();
});
