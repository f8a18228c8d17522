import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { startLoopback } from "../loopback.test-helper.ts";
import type { Loopback } from "../loopback.test-helper.ts";
import { EMONCMS_SOURCE } from "./emoncms-descriptor.ts";
import { EmonCmsSchema } from "./emoncms-schema.ts";
import type { EmonCmsConfig } from "./emoncms-schema.ts";
import { createEmonCmsSource, emonPath } from "./emoncms.ts";
import { assertTimesOut, pollNow, startSelfSignedHttps } from "./module-source.test-helper.ts";
import { schemaKeyword } from "./module-source.test-helper.ts";

const KEY = "read-api-key-123";
let feeds: Record<string, unknown>;
let mode: "ok" | "500" | "junk" | "hang";
beforeEach(() => {
  feeds = { "3": 830.5, "7": 2351.2, "9": -400 };
  mode = "ok";
});

let server: Loopback;
const handler: Loopback["handler"] = (req, res) => {
  if (mode === "hang") return;
  const u = new URL(req.url ?? "/", "http://x");
  if (!u.pathname.endsWith("/feed/fetch.json") || u.pathname.includes("//"))
    return void res.writeHead(404).end();
  if (req.headers.authorization !== `Bearer ${KEY}`) return void res.writeHead(401).end('"Invalid API key"');
  if (mode === "500") return void res.writeHead(500).end("error");
  if (mode === "junk") return void res.writeHead(200).end("[830.5,");
  const ids = (u.searchParams.get("ids") ?? "").split(",");
  res
    .writeHead(200, { "content-type": "application/json" })
    .end(JSON.stringify(ids.map((id) => feeds[id] ?? null)));
};
before(async () => {
  server = await startLoopback(handler);
});
after(async () => {
  await server.close();
});

function config(over: Partial<EmonCmsConfig> = {}): EmonCmsConfig {
  return {
    enabled: true,
    serverIP: "127.0.0.1",
    serverPort: server.port,
    serverPath: "",
    useHttps: false,
    apiKey: KEY,
    consumptionFeed: 3,
    generationFeed: "7",
    pollIntervalS: 10,
    ...over,
  };
}

function source(
  over: Partial<EmonCmsConfig> = {},
  clock = new FakeClock(),
  drop: (keyof EmonCmsConfig)[] = [],
) {
  const cfg = config(over);
  for (const k of drop) delete cfg[k];
  return createEmonCmsSource(cfg, { clock, logger: captureLogger() });
}

void test("descriptor: apiKey is a secret and required", async () => {
  assert.equal(EMONCMS_SOURCE.key, "EmonCMS");
  assert.deepEqual(EMONCMS_SOURCE.required, ["serverIP", "apiKey"]);
  assert.equal(schemaKeyword(EmonCmsSchema, "apiKey", "x-secret"), true);
  assert.equal(await EMONCMS_SOURCE.load(), createEmonCmsSource);
});

void test("serverPath: trailing slash stripped, leading slash added", () => {
  assert.equal(emonPath(""), "");
  assert.equal(emonPath("/emoncms/"), "/emoncms");
  assert.equal(emonPath("emoncms"), "/emoncms");
});

void test("both feeds in one request, consumption first, mapped by position (no upstream swap)", async () => {
  const clock = new FakeClock();
  const s = source({}, clock);
  assert.deepEqual(await pollNow(s), { generationW: 2351.2, consumptionW: 830.5, at: clock.now() });
  assert.equal(server.requests.at(-1)?.url, "/feed/fetch.json?ids=3,7");
  assert.deepEqual(s.attributes(), { consumedW: 830.5, generatedW: 2351.2 });
  await s.stop();
});

void test("a subdirectory with a trailing slash; a single generation feed; negative generation negated", async () => {
  const s = source({ serverPath: "/emoncms/", generationFeed: 9 }, new FakeClock(), ["consumptionFeed"]);
  const r = await pollNow(s);
  assert.deepEqual([r?.generationW, r?.consumptionW], [400, 0]);
  assert.equal(server.requests.at(-1)?.url, "/emoncms/feed/fetch.json?ids=9");
  await s.stop();
});

void test("wrong key (401), null for an unknown feed, 500, malformed JSON fail and keep the previous reading", async () => {
  const clock = new FakeClock();
  const good = source({}, clock);
  const ok = await pollNow(good);
  assert.ok(ok);
  const cases: [() => void, RegExp][] = [
    [() => (feeds["7"] = null), /feed 7/],
    [() => (mode = "500"), /HTTP 500/],
    [() => (mode = "junk"), /not JSON/],
  ];
  for (const [breakIt, pattern] of cases) {
    breakIt();
    clock.advance(10_000);
    assert.deepEqual(await pollNow(good), ok);
    assert.match(good.lastError() ?? "", pattern);
    mode = "ok";
    feeds["7"] = 2351.2;
  }
  await good.stop();
  const wrong = source({ apiKey: "nope" });
  assert.equal(await pollNow(wrong), null);
  assert.match(wrong.lastError() ?? "", /HTTP 401/);
  assert.doesNotMatch(wrong.lastError() ?? "", /nope/);
  await wrong.stop();
});

void test("useHttps: certificates are verified (a self-signed device certificate fails the read)", async () => {
  const https = await startSelfSignedHttps(handler);
  try {
    const port = Number(new URL(https.url).port);
    const s = source({ useHttps: true, serverPort: port });
    assert.equal(await pollNow(s), null);
    assert.match(s.lastError() ?? "", /request failed: .*self-signed certificate/);
    await s.stop();
  } finally {
    await https.close();
  }
});

void test("times out after 2 s", async () => {
  const clock = new FakeClock();
  const s = source({}, clock);
  mode = "hang";
  await assertTimesOut(s, server, clock, 2000);
  await s.stop();
});
