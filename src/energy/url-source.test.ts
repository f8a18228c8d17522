import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { captureLogger } from "../shared/capture-logger.test-helper.ts";
import { FakeClock, systemClock } from "../shared/clock.ts";
import type { Reading } from "./source.ts";
import { startLoopback, waitFor } from "./loopback.test-helper.ts";
import type { Loopback } from "./loopback.test-helper.ts";
import { createUrlSource, itemUrl } from "./url-source.ts";

let server: Loopback;
const bodies = new Map<string, { status: number; body: string } | "hang">();

before(async () => {
  server = await startLoopback((req, res) => {
    const r = bodies.get(req.url ?? "");
    if (r === "hang") return; // never answers (closed at the end)
    if (!r) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(r.status, { "content-type": "text/plain" }).end(r.body);
  });
});
after(async () => {
  await server.close();
});

function setBodies(gen: string, cons: string, status = 200): void {
  bodies.set("/energy/gen", gen === "hang" ? "hang" : { status, body: gen });
  bodies.set("/energy/cons", { status, body: cons });
}

async function pollOnce(source: ReturnType<typeof createUrlSource>): Promise<Reading | null> {
  source.poll();
  await source.settled();
  return source.latest();
}

void test("itemUrl joins base and item with exactly one slash", () => {
  assert.equal(itemUrl("http://h/energy/", "gen"), "http://h/energy/gen");
  assert.equal(itemUrl("http://h/energy", "/gen"), "http://h/energy/gen");
});

void test("URL source parses 1234, 1234 W and 1.5kW; negative generation is negated", async () => {
  const clock = new FakeClock();
  const source = createUrlSource(
    { url: `${server.url}/energy`, generationItem: "gen", consumptionItem: "cons" },
    { clock, logger: captureLogger() },
  );
  setBodies("1234", "1234 W");
  let r = await pollOnce(source);
  assert.deepEqual(r, { generationW: 1234, consumptionW: 1234, at: clock.now() });
  setBodies("1.5kW", "250");
  r = await pollOnce(source);
  assert.equal(r?.generationW, 1500);
  assert.equal(r?.consumptionW, 250);
  setBodies("-2000 W", "300");
  r = await pollOnce(source);
  assert.equal(r?.generationW, 2000);
  assert.equal(source.lastError(), null);
  await source.stop();
});

void test("failures (n/a, HTTP 500, timeout on the clock) keep the previous reading and its timestamp; warning at most once per minute", async () => {
  const clock = new FakeClock();
  const logger = captureLogger();
  const source = createUrlSource(
    { url: `${server.url}/energy`, generationItem: "gen", consumptionItem: "cons" },
    { clock, logger },
  );
  setBodies("4000", "500");
  const good = await pollOnce(source);
  assert.equal(good?.generationW, 4000);
  const at = good?.at;

  clock.advance(10_000);
  setBodies("n/a", "500");
  assert.deepEqual(await pollOnce(source), good);
  assert.match(source.lastError() ?? "", /unparsable/);

  setBodies("4100", "500", 500);
  assert.deepEqual(await pollOnce(source), good);
  assert.match(source.lastError() ?? "", /HTTP 500/);
  assert.equal(logger.count("warn"), 1, "second failure within a minute is not a warning");

  // A hanging server: the 2 s timeout runs on the injected clock.
  setBodies("hang", "500");
  const before = server.requests.length;
  source.poll();
  await waitFor(
    () =>
      server.requests.filter((q) => q.url === "/energy/gen").length > 0 &&
      server.requests.length >= before + 2,
    10_000,
    "request",
  );
  clock.advance(2000);
  await source.settled();
  assert.match(source.lastError() ?? "", /timeout/);
  assert.equal(source.latest()?.at, at);
  assert.equal(source.latest()?.generationW, 4000);

  clock.advance(60_000);
  setBodies("n/a", "1");
  await pollOnce(source);
  assert.equal(logger.count("warn"), 2, "a minute later the failure warns again");

  setBodies("4200", "600");
  const next = await pollOnce(source);
  assert.equal(next?.generationW, 4200);
  assert.ok((next?.at ?? 0) > (at ?? 0));
  assert.equal(source.lastError(), null);
  await source.stop();
});

void test("slow response beyond 2 s with the real clock → failure, previous reading kept", async () => {
  const source = createUrlSource(
    { url: `${server.url}/energy`, generationItem: "gen", consumptionItem: "cons" },
    { clock: systemClock, logger: captureLogger() },
  );
  setBodies("700", "100");
  const good = await pollOnce(source);
  assert.equal(good?.generationW, 700);
  setBodies("hang", "100");
  await pollOnce(source);
  assert.match(source.lastError() ?? "", /timeout/);
  assert.deepEqual(source.latest(), good);
  await source.stop();
});

void test("empty items are not fetched and count as 0; polls run every pollIntervalS on the clock", async () => {
  const clock = new FakeClock();
  const source = createUrlSource(
    { url: `${server.url}/energy/`, generationItem: "gen", consumptionItem: "", pollIntervalS: 30 },
    { clock, logger: captureLogger() },
  );
  setBodies("900", "999");
  const before = server.requests.length;
  source.start();
  await source.settled();
  assert.deepEqual(source.latest(), { generationW: 900, consumptionW: 0, at: clock.now() });
  assert.equal(server.requests.length - before, 1, "only the generation item was fetched");
  clock.advance(29_999);
  await source.settled();
  assert.equal(server.requests.length - before, 1);
  clock.advance(1);
  await waitFor(() => server.requests.length - before === 2, 10_000, "second poll");
  await source.settled();
  await source.stop();
  clock.advance(60_000);
  assert.equal(server.requests.length - before, 2, "no polls after stop");
  assert.equal(clock.pending, 0, "no timers left");
});

void test("connection refused is a failure, never a throw", async () => {
  const clock = new FakeClock();
  const dead = await startLoopback((_q, s) => s.end());
  const url = dead.url;
  await dead.close();
  const source = createUrlSource({ url, generationItem: "gen" }, { clock, logger: captureLogger() });
  assert.equal(await pollOnce(source), null);
  assert.match(source.lastError() ?? "", /request failed/);
  await source.stop();
});

void test("a failed poll names the URL without userinfo, secret path segments or tokens (error and log)", async () => {
  const clock = new FakeClock();
  setBodies("x", "y", 500);
  bodies.set("/api/token/PATHSECRET/gen?apikey=GENKEY", { status: 500, body: "" });
  const logger = captureLogger();
  const plain = createUrlSource(
    { url: `${server.url}/api/token/PATHSECRET`, generationItem: "gen?apikey=GENKEY" },
    { clock, logger },
  );
  assert.equal(await pollOnce(plain), null);
  // Userinfo is sent as Basic authentication; the URL in the message keeps it hidden.
  const withUser = createUrlSource(
    { url: `${server.url.replace("http://", "http://SRCUSER:SRCPASS@")}/e?access_token=ACCESS`, generationItem: "gen" },
    { clock, logger },
  );
  assert.equal(await pollOnce(withUser), null);
  const shown = [plain.lastError(), withUser.lastError(), JSON.stringify(logger.records)].join("\n");
  assert.match(plain.lastError() ?? "", /api\/token\/\(hidden\)\/gen\?apikey=\(hidden\): HTTP 500/);
  assert.match(withUser.lastError() ?? "", /http:\/\/\(hidden\)@127\.0\.0\.1:\d+\/e\?access_token=\(hidden\)/);
  for (const secret of ["PATHSECRET", "GENKEY", "SRCUSER", "SRCPASS", "ACCESS"])
    assert.ok(!shown.includes(secret), secret);
  await plain.stop();
  await withUser.stop();
});
