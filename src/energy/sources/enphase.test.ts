import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { after, before, test } from "node:test";
import { captureLogger } from "../../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../shared/clock.ts";
import { startLoopback, waitFor } from "../loopback.test-helper.ts";
import type { Loopback } from "../loopback.test-helper.ts";
import { createEnphaseSource, enphaseMode } from "./enphase.ts";
import { parseSummary } from "./enphase-cloud.ts";
import { checkSchema } from "../../config/schema-walk.ts";
import type { Issue } from "../../config/schema-walk.ts";
import { ENPHASE_SOURCE } from "./enphase-descriptor.ts";
import { EnphaseSchema } from "./enphase-schema.ts";
import type { EnphaseConfig } from "./enphase-schema.ts";
import { envoyBaseUrl, needsSession, parseProduction, sessionCookie } from "./enphase-local.ts";
import { assertTimesOut, pollNow, startSelfSignedHttps, type HttpsFake } from "./module-source.test-helper.ts";

const JWT =
  "eyJraWQiOiI3ZDEwMDA1ZC03ODk5LTRkMGQtYmNiNC0yNDRmOThlZTE1NmIiLCJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiIxMjIyMzMzMzQ0NDQiLCJpc3MiOiJFbnRyZXoifQ.c2ln";
const API_KEY = "6e6f746172656164616b6579";

const PRODUCTION = {
  production: [
    { type: "inverters", activeCount: 24, readingTime: 1714557600, wNow: 3290, whLifetime: 8456000 },
    {
      type: "eim",
      measurementType: "production",
      activeCount: 0,
      readingTime: 1714557610,
      wNow: 3322.41,
      rmsCurrent: 13.8,
      rmsVoltage: 240.7,
      lines: [{ wNow: 3322.41 }],
    },
  ],
  consumption: [
    { type: "eim", measurementType: "total-consumption", wNow: 1180.96, rmsVoltage: 241.2 },
    { type: "eim", measurementType: "net-consumption", wNow: -2141.45, rmsVoltage: 241.2 },
  ],
  storage: [{ type: "acb", activeCount: 0, readingTime: 0, wNow: 0, whNow: 0, state: "idle" }],
};

void test("production.json: eim production and total-consumption by type, inverters fallback, net-consumption, odd shapes", () => {
  assert.deepEqual(parseProduction(PRODUCTION), { generatedW: 3322, consumedW: 1180, voltage: 241 });
  const noEim = { production: [PRODUCTION.production[0]], consumption: [] };
  assert.deepEqual(parseProduction(noEim), { generatedW: 3290, consumedW: 0, voltage: 0 });
  const reordered = {
    production: [...PRODUCTION.production].reverse(),
    consumption: [...PRODUCTION.consumption].reverse(),
  };
  assert.deepEqual(parseProduction(reordered), { generatedW: 3322, consumedW: 1180, voltage: 241 });
  const netOnly = { production: PRODUCTION.production, consumption: [PRODUCTION.consumption[1]] };
  assert.deepEqual(parseProduction(netOnly), { generatedW: 3322, consumedW: 1180, voltage: 241 });
  assert.throws(() => parseProduction({ consumption: [] }), /no production/);
  assert.throws(
    () => parseProduction({ production: [{ type: "acb" }] }),
    /neither an eim production meter nor an inverters entry/,
  );
  assert.throws(() => parseProduction({ production: [{ type: "inverters" }] }), /inverters wNow/);
  assert.equal(parseSummary({ system_id: 12345, current_power: 3322.9 }), 3322);
  assert.throws(() => parseSummary({ system_id: 1 }), /current_power/);
});

void test("schema: upstream blocks as written (numeric IDs, string port), secrets marked", async () => {
  const issues: Issue[] = [];
  const cloudCfg = checkSchema(
    EnphaseSchema,
    { enabled: true, apiKey: API_KEY, systemID: 67, userID: "4d6a49330a" },
    "sources.Enphase",
    issues,
  );
  assert.deepEqual(cloudCfg, {
    enabled: true,
    apiKey: API_KEY,
    systemID: 67,
    userID: "4d6a49330a",
    serverPort: 80,
    verifyCertificate: false,
  });
  assert.equal(
    checkSchema(
      EnphaseSchema,
      { enabled: true, serverIP: "envoy.local", serverPort: "443", token: JWT },
      "sources.Enphase",
      issues,
    )?.serverPort,
    443,
  );
  assert.deepEqual(issues, []);
  const props = EnphaseSchema.properties as Record<string, { "x-secret"?: boolean }>;
  assert.equal(props.apiKey?.["x-secret"], true);
  assert.equal(props.token?.["x-secret"], true);
  assert.equal(ENPHASE_SOURCE.registeredName, "Enphase");
  assert.equal(typeof (await ENPHASE_SOURCE.load()), "function");
});

void test("mode: cloud wins when apiKey, userID and systemID are set; local with serverIP; else an error", () => {
  const c = (o: Partial<EnphaseConfig>): EnphaseConfig => ({
    enabled: true,
    serverPort: 80,
    verifyCertificate: false,
    ...o,
  });
  assert.equal(enphaseMode(c({ apiKey: "k", userID: 4, systemID: 5, serverIP: "10.0.0.9" })), "cloud");
  assert.equal(enphaseMode(c({ apiKey: "k", systemID: 5, serverIP: "10.0.0.9" })), "local");
  assert.deepEqual(enphaseMode(c({})), {
    missing: "sources.Enphase needs serverIP (local Envoy) or apiKey, userID and systemID (cloud)",
  });
  assert.equal(envoyBaseUrl({ serverIP: "envoy.local", serverPort: 80, token: "t" }), "https://envoy.local");
  assert.equal(
    envoyBaseUrl({ serverIP: "envoy.local", serverPort: 8443, token: "t" }),
    "https://envoy.local:8443",
  );
  assert.equal(envoyBaseUrl({ serverIP: "envoy.local", serverPort: 80 }), "http://envoy.local:80");
  assert.equal(sessionCookie(["other=1", "sessionid=abc123; Path=/; HttpOnly"]), "abc123");
  assert.equal(needsSession({ status: 302, contentType: "", body: "" }), true);
  assert.equal(needsSession({ status: 200, contentType: "text/html", body: "<html>" }), true);
  assert.equal(needsSession({ status: 200, contentType: "application/json", body: "{}" }), false);
});

// --- The local Envoy over HTTPS with a test-made self-signed certificate --------------------------------

interface EnvoyFake {
  /** "none": Bearer alone is enough; otherwise a valid session cookie is required and this is the refusal. */
  requireSession: "none" | "401" | "302" | "html";
  sessions: Set<string>;
  body: string | null;
  status: number;
  hang: boolean;
  requests: { url: string; authorization: string | undefined; cookie: string | undefined }[];
}
const envoy: EnvoyFake = {
  requireSession: "none",
  sessions: new Set(),
  body: null,
  status: 200,
  hang: false,
  requests: [],
};
let https: HttpsFake;
let httpsPort = 0;
let nextSession = 1;

function envoyHandler(req: IncomingMessage, res: ServerResponse): void {
  envoy.requests.push({
    url: req.url ?? "",
    authorization: req.headers.authorization,
    cookie: req.headers.cookie,
  });
  if (envoy.hang) return;
  const bearer = req.headers.authorization === `Bearer ${JWT}`;
  if (req.url === "/auth/check_jwt") {
    if (!bearer) {
      res.writeHead(401, { "content-type": "text/html" }).end("<h2>Invalid token.</h2>");
      return;
    }
    const id = `s${nextSession++}`;
    envoy.sessions.add(id);
    res
      .writeHead(200, { "content-type": "text/html", "set-cookie": `sessionid=${id}; Path=/; HttpOnly` })
      .end("<!DOCTYPE html><h2>Valid token.</h2>");
    return;
  }
  if (!(req.url ?? "").startsWith("/production.json")) {
    res.writeHead(404).end();
    return;
  }
  if (!bearer) {
    res
      .writeHead(401, { "content-type": "application/json" })
      .end('{"status":401,"error":"","info":"Unauthorized"}');
    return;
  }
  const session = /sessionid=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
  if (envoy.requireSession !== "none" && (session === undefined || !envoy.sessions.has(session))) {
    if (envoy.requireSession === "401") res.writeHead(401).end("Unauthorized");
    else if (envoy.requireSession === "302") res.writeHead(302, { location: "/home" }).end();
    else res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Login</body></html>");
    return;
  }
  res
    .writeHead(envoy.status, { "content-type": "application/json" })
    .end(envoy.body ?? JSON.stringify(PRODUCTION));
}

before(async () => {
  https = await startSelfSignedHttps(envoyHandler, "envoy.local");
  httpsPort = https.port;
});
after(() => https.close());

const local = (o: Partial<EnphaseConfig> = {}): EnphaseConfig => ({
  enabled: true,
  serverIP: "127.0.0.1",
  serverPort: httpsPort,
  token: JWT,
  verifyCertificate: false,
  ...o,
});

function reset(): void {
  envoy.requireSession = "none";
  envoy.sessions.clear();
  envoy.body = null;
  envoy.status = 200;
  envoy.hang = false;
  envoy.requests = [];
}

void test("local with a token: HTTPS with the self-signed certificate, Bearer header, exact query, attributes", async () => {
  reset();
  const clock = new FakeClock();
  const s = createEnphaseSource(local(), { clock, logger: captureLogger() });
  assert.deepEqual(await pollNow(s), { generationW: 3322, consumptionW: 1180, at: clock.now() });
  assert.deepEqual(s.attributes(), {
    generatedW: 3322,
    consumedW: 1180,
    voltage: 241,
    importW: 0,
    exportW: 0,
  });
  assert.deepEqual(envoy.requests, [
    { url: "/production.json?details=1&classic-1", authorization: `Bearer ${JWT}`, cookie: undefined },
  ]);
});

for (const refusal of ["401", "302", "html"] as const) {
  void test(`local: a ${refusal} answer gets a session from /auth/check_jwt once, kept for later reads`, async () => {
    reset();
    envoy.requireSession = refusal;
    const s = createEnphaseSource(local(), { clock: new FakeClock(), logger: captureLogger() });
    assert.equal((await pollNow(s))?.generationW, 3322);
    assert.deepEqual(
      envoy.requests.map((r) => [r.url, r.cookie]),
      [
        ["/production.json?details=1&classic-1", undefined],
        ["/auth/check_jwt", undefined],
        ["/production.json?details=1&classic-1", "sessionid=s" + String(nextSession - 1)],
      ],
    );
    envoy.requests = [];
    assert.equal((await pollNow(s))?.consumptionW, 1180);
    assert.equal(envoy.requests.length, 1);
    // The session expires on the gateway: one new check_jwt, then the read succeeds again.
    envoy.sessions.clear();
    envoy.requests = [];
    assert.equal((await pollNow(s))?.generationW, 3322);
    assert.deepEqual(
      envoy.requests.map((r) => r.url),
      ["/production.json?details=1&classic-1", "/auth/check_jwt", "/production.json?details=1&classic-1"],
    );
  });
}

void test("local: an expired token (check_jwt refuses), a 500, malformed JSON and a timeout fail and keep the reading", async () => {
  reset();
  const clock = new FakeClock();
  const expired = createEnphaseSource(local({ token: "expired.jwt.value" }), {
    clock,
    logger: captureLogger(),
  });
  assert.equal(await pollNow(expired), null);
  assert.match(
    expired.lastError() ?? "",
    /check_jwt: HTTP 401 \(the token was refused; it may have expired\)/,
  );
  assert.ok(!(expired.lastError() ?? "").includes("expired.jwt.value"));
  const s = createEnphaseSource(local(), { clock, logger: captureLogger() });
  const first = await pollNow(s);
  envoy.status = 500;
  assert.deepEqual(await pollNow(s), first);
  assert.match(s.lastError() ?? "", /HTTP 500/);
  envoy.status = 200;
  envoy.body = "{broken";
  assert.deepEqual(await pollNow(s), first);
  assert.match(s.lastError() ?? "", /not JSON/);
  envoy.body = JSON.stringify({ production: [{ type: "eim", measurementType: "production" }] });
  assert.deepEqual(await pollNow(s), first);
  assert.match(s.lastError() ?? "", /eim production wNow/);
  envoy.body = null;
  envoy.hang = true;
  const seen = envoy.requests.length;
  s.poll();
  await waitFor(() => envoy.requests.length > seen, 5000, "request");
  clock.advance(10_000);
  await s.settled();
  envoy.hang = false;
  assert.match(s.lastError() ?? "", /timeout after 10000 ms/);
  assert.deepEqual(s.latest(), first);
});

void test("local: the relaxed certificate check is this request's only — verifyCertificate and global fetch still refuse it", async () => {
  reset();
  const strict = createEnphaseSource(local({ verifyCertificate: true }), {
    clock: new FakeClock(),
    logger: captureLogger(),
  });
  assert.equal(await pollNow(strict), null);
  assert.match(strict.lastError() ?? "", /self.signed|certificate/i);
  const relaxed = createEnphaseSource(local(), { clock: new FakeClock(), logger: captureLogger() });
  assert.equal((await pollNow(relaxed))?.generationW, 3322);
  await assert.rejects(fetch(`https://127.0.0.1:${httpsPort}/production.json`));
});

// --- Plain HTTP Envoy (no token) and the cloud --------------------------------------------------------

let http: Loopback;
const cloud = { status: 200, body: null as string | null, hang: false };
before(async () => {
  http = await startLoopback((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (cloud.hang) return;
    if (url.pathname === "/production.json") {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ production: [PRODUCTION.production[0]] }));
      return;
    }
    if (url.pathname !== "/api/v2/systems/67/summary") {
      res.writeHead(404).end();
      return;
    }
    if (url.searchParams.get("key") !== API_KEY || url.searchParams.get("user_id") !== "4d6a49330a") {
      res
        .writeHead(401, { "content-type": "application/json" })
        .end('{"reason":"401","message":["Not authorized"]}');
      return;
    }
    res.writeHead(cloud.status, { "content-type": "application/json" }).end(
      cloud.body ??
        JSON.stringify({
          system_id: 67,
          current_power: 3322,
          energy_today: 12430,
          energy_lifetime: 8456789,
          modules: 24,
          size_w: 7200,
          status: "normal",
          summary_date: "2024-05-01",
        }),
    );
  });
});
after(async () => {
  await http.close();
});

void test("local without a token: plain HTTP on serverPort, as upstream; the inverters entry gives generation", async () => {
  const s = createEnphaseSource(
    { enabled: true, serverIP: "127.0.0.1", serverPort: http.port, verifyCertificate: false },
    { clock: new FakeClock(), logger: captureLogger() },
  );
  const r = await pollNow(s);
  assert.equal(r?.generationW, 3290);
  assert.equal(r?.consumptionW, 0);
  assert.equal(http.requests.at(-1)?.url, "/production.json?details=1&classic-1");
  assert.equal(http.requests.at(-1)?.headers.authorization, undefined);
});

void test("cloud v2: key and user_id in the query, generation from current_power, consumption 0; 401, 500, bad JSON, timeout fail", async () => {
  const clock = new FakeClock();
  const mk = (apiKey: string) =>
    createEnphaseSource(
      {
        enabled: true,
        apiKey,
        userID: "4d6a49330a",
        systemID: 67,
        serverIP: "10.9.9.9",
        serverPort: 80,
        verifyCertificate: false,
      },
      { clock, logger: captureLogger(), baseUrl: http.url },
    );
  const s = mk(API_KEY);
  assert.deepEqual(await pollNow(s), { generationW: 3322, consumptionW: 0, at: clock.now() });
  assert.deepEqual(s.attributes(), { generatedW: 3322, consumedW: 0, voltage: 0, importW: 0, exportW: 0 });
  assert.equal(http.requests.at(-1)?.url, `/api/v2/systems/67/summary?key=${API_KEY}&user_id=4d6a49330a`);
  const wrong = mk("nope");
  assert.equal(await pollNow(wrong), null);
  assert.match(wrong.lastError() ?? "", /HTTP 401, the API key or user ID was refused/);
  const first = s.latest();
  cloud.status = 500;
  assert.deepEqual(await pollNow(s), first);
  assert.match(s.lastError() ?? "", /HTTP 500/);
  cloud.status = 200;
  cloud.body = "<html>";
  assert.deepEqual(await pollNow(s), first);
  assert.match(s.lastError() ?? "", /not JSON/);
  assert.ok(!(s.lastError() ?? "").includes(API_KEY));
  cloud.body = null;
  cloud.hang = true;
  await assertTimesOut(s, http, clock, 10_000);
  cloud.hang = false;
});

void test("cloud polls every 60 s by default", async () => {
  const clock = new FakeClock();
  const s = createEnphaseSource(
    {
      enabled: true,
      apiKey: API_KEY,
      userID: "4d6a49330a",
      systemID: 67,
      serverPort: 80,
      verifyCertificate: false,
    },
    { clock, logger: captureLogger(), baseUrl: http.url },
  );
  const count = () => http.requests.filter((r) => r.url.startsWith("/api/v2/")).length;
  await s.start();
  await s.settled();
  const n = count();
  clock.advance(59_000);
  await s.settled();
  assert.equal(count(), n);
  clock.advance(1000);
  await s.settled();
  assert.equal(count(), n + 1);
  await s.stop();
});
