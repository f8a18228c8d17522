/**
 * /api/v2/logs and /api/v2/logs/stream (issue 13 §2) through the full app: filters, the text download,
 * who may read (credentials whenever auth is on, loopback only without), redaction, the live stream
 * with Last-Event-ID replay.
 */
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import pino from "pino";
import { createLogger, logSourceOf } from "../../cli/logger.ts";
import type { Commands } from "../../engine/commands.ts";
import { LogRing } from "../../log/ring.ts";
import { FakeClock } from "../../shared/clock.ts";
import { StateStore } from "../../state/store.ts";
import { createApp } from "../app.ts";
import type { LogSource } from "../../log/ring.ts";
import { authConfig, httpConfig, stubViews } from "../security/test-app.test-helper.ts";
import { BOOT_ID } from "./events.ts";
import { LOGS_REFUSED, downloadName, type LogsDoc } from "./logs.ts";

const TOKEN = "logs-endpoint-token-0123456789";
const apps: ReturnType<typeof createApp>[] = [];
after(async () => {
  for (const a of apps) await a.close();
});

function app(logs: LogSource | null, withAuth = false): ReturnType<typeof createApp> {
  const a = createApp({
    logger: pino({ level: "silent" }),
    views: stubViews(),
    commands: {} as Commands,
    state: new StateStore({} as never),
    httpConfig: httpConfig(withAuth ? { auth: authConfig({ tokens: [TOKEN], protectReads: false }) } : {}),
    rawConfig: {},
    tls: false,
    timeZone: "UTC",
    webRoot: join(tmpdir(), "twcm-no-such-web-root"),
    logs,
  });
  apps.push(a);
  return a;
}

function ring(): LogRing {
  const r = new LogRing(100);
  const t = Date.UTC(2026, 11, 2, 18, 0, 0);
  r.push({ level: 30, time: t, module: "controller", msg: "started" });
  r.push({ level: 40, time: t + 1, module: "energy", code: "SOURCE_FAILED", msg: "fetch failed" });
  r.push({ level: 20, time: t + 2, module: "bus", msg: "frame" });
  r.push({ level: 50, time: t + 3, module: "energy", msg: "broken" });
  return r;
}

const local = { remoteAddress: "127.0.0.1" };

describe("GET /api/v2/logs", () => {
  it("the recent records with their readable line, the modules and the capacity", async () => {
    const r = await app(ring()).inject({ method: "GET", url: "/api/v2/logs", ...local });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers["cache-control"], "no-store");
    const doc = r.json<LogsDoc>();
    assert.equal(doc.capacity, 100);
    assert.deepEqual(doc.modules, ["bus", "controller", "energy"]);
    assert.deepEqual(doc.records.map((e) => [e.seq, e.level, e.module]), [[1, "info", "controller"], [2, "warn", "energy"], [3, "debug", "bus"], [4, "error", "energy"]]);
    assert.equal(doc.records[1]?.line, "2026-12-02 18:00:00.001 WARN  energy     fetch failed (SOURCE_FAILED)");
    assert.equal(doc.records[1]?.record.code, "SOURCE_FAILED");
  });

  it("filters by lowest level and module; limit keeps the newest", async () => {
    const a = app(ring());
    const seqs = async (q: string): Promise<number[]> =>
      (await a.inject({ method: "GET", url: `/api/v2/logs?${q}`, ...local })).json<LogsDoc>().records.map((e) => e.seq);
    assert.deepEqual(await seqs("level=warn"), [2, 4]);
    assert.deepEqual(await seqs("module=energy"), [2, 4]);
    assert.deepEqual(await seqs("level=error&module=energy"), [4]);
    assert.deepEqual(await seqs("limit=2"), [3, 4]);
    assert.deepEqual(await seqs("level="), [1, 2, 3, 4]);
  });

  it("bad parameters are 400 naming the parameter", async () => {
    const a = app(ring());
    for (const [q, msg] of [
      ["level=loud", /^level must be one of/],
      ["limit=0", /^limit must be between 1 and 10000/],
      ["format=xml", /^format must be json or text/],
      [`module=${"m".repeat(65)}`, /^module must be/],
    ] as const) {
      const r = await a.inject({ method: "GET", url: `/api/v2/logs?${q}`, ...local });
      assert.equal(r.statusCode, 400, q);
      assert.match(r.json<{ error: string }>().error, msg);
    }
  });

  it("format=text: the readable lines as a download", async () => {
    const r = await app(ring()).inject({ method: "GET", url: "/api/v2/logs?format=text&level=warn", ...local });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers["content-type"]), /^text\/plain; charset=utf-8/);
    assert.match(String(r.headers["content-disposition"]), /^attachment; filename="twcmanager-\d{8}-\d{6}\.log"$/);
    assert.equal(r.body, "2026-12-02 18:00:00.001 WARN  energy     fetch failed (SOURCE_FAILED)\n2026-12-02 18:00:00.003 ERROR energy     broken\n");
    assert.equal(downloadName(Date.UTC(2026, 11, 2, 18, 1, 2), "UTC"), "twcmanager-20261202-180102.log");
  });

  it("without a log source: an empty document", async () => {
    const r = await app(null).inject({ method: "GET", url: "/api/v2/logs", ...local });
    assert.deepEqual(r.json(), { bootId: BOOT_ID, capacity: 0, modules: [], records: [] });
  });

  it("secrets logged by the product never reach the answer", async () => {
    const log = createLogger({ level: "info", console: { enabled: false, simple: false }, file: null, clock: new FakeClock() });
    log.child({ module: "mqtt" }).warn({ password: "HTTPLOGPASS", url: "mqtt://u:HTTPLOGPASS@b/?token=HTTPLOGTOKEN", headers: { authorization: "Bearer HTTPLOGBEARER" } }, "connect with token=HTTPLOGTOKEN failed");
    const a = app(logSourceOf(log));
    for (const url of ["/api/v2/logs", "/api/v2/logs?format=text"]) {
      const body = (await a.inject({ method: "GET", url, ...local })).body;
      for (const secret of ["HTTPLOGPASS", "HTTPLOGTOKEN", "HTTPLOGBEARER"]) assert.ok(!body.includes(secret), `${url} leaks ${secret}: ${body}`);
      assert.ok(body.includes("(hidden)"), body);
    }
  });
});

describe("who may read the log", () => {
  it("without authentication: this machine only (IPv4, IPv6, mapped), the network gets 403 naming the rule", async () => {
    const a = app(ring());
    for (const remoteAddress of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
      assert.equal((await a.inject({ method: "GET", url: "/api/v2/logs", remoteAddress })).statusCode, 200, remoteAddress);
    }
    for (const url of ["/api/v2/logs", "/api/v2/logs/stream", "/api/v2/logs?format=text"]) {
      const r = await a.inject({ method: "GET", url, remoteAddress: "192.168.1.20" });
      assert.equal(r.statusCode, 403, url);
      assert.deepEqual(r.json(), { error: LOGS_REFUSED });
    }
  });

  it("with authentication: credentials are needed even though reads are open (protectReads false)", async () => {
    const a = app(ring(), true);
    assert.equal((await a.inject({ method: "GET", url: "/api/getStatus", remoteAddress: "192.168.1.20" })).statusCode, 200, "reads are open");
    for (const url of ["/api/v2/logs", "/api/v2/logs/stream"]) {
      for (const remoteAddress of ["127.0.0.1", "192.168.1.20"]) {
        const r = await a.inject({ method: "GET", url, remoteAddress });
        assert.equal(r.statusCode, 401, `${url} from ${remoteAddress}`);
        assert.match(r.json<{ error: string }>().error, /^Authentication required/);
        assert.equal(r.headers["www-authenticate"], 'Bearer realm="TWCManager"');
      }
      const wrong = await a.inject({ method: "GET", url, remoteAddress: "192.168.1.21", headers: { authorization: "Bearer nope" } });
      assert.equal(wrong.statusCode, 401);
      assert.deepEqual(wrong.json(), { error: "Invalid credentials" });
    }
    const ok = await a.inject({ method: "GET", url: "/api/v2/logs", remoteAddress: "192.168.1.20", headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json<LogsDoc>().records.length, 4);
  });
});

/** Reads an event stream until `done(text)` holds; returns the text. */
async function readStream(res: Response, done: (text: string) => boolean): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!done(text)) {
    const { value, done: end } = (await reader.read()) as { value: Uint8Array | undefined; done: boolean };
    if (end) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

describe("GET /api/v2/logs/stream", () => {
  it("streams new records matching the filter; Last-Event-ID replays what the ring still has", async () => {
    const r = ring();
    const a = app(r);
    await a.listen({ port: 0, host: "127.0.0.1" });
    const addr = a.server.address();
    const base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;

    const res = await fetch(`${base}/api/v2/logs/stream?level=warn`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    // The handler subscribed in the same turn it sent the headers, so these are live records.
    r.push({ level: 30, time: 5, module: "controller", msg: "later info" });
    r.push({ level: 40, time: 6, module: "energy", msg: "later warn" });
    const text = await readStream(res, (t) => t.includes("later warn"));
    assert.match(text, /^retry: 5000\n\n/);
    assert.ok(!text.includes("later info"), "below the level");
    const events = text.split("\n\n").filter((b) => b.includes("event: log"));
    const last = events[events.length - 1] ?? "";
    const id = /^id: (\S+:\d+)$/m.exec(last)?.[1];
    assert.ok(id?.endsWith(":6"), last);
    const data = JSON.parse(/^data: (.*)$/m.exec(last)?.[1] ?? "{}") as { seq: number; level: string; line: string };
    assert.equal(data.level, "warn");
    assert.ok(data.line.endsWith("WARN  energy     later warn"), data.line);

    const replay = await fetch(`${base}/api/v2/logs/stream`, { headers: { "Last-Event-ID": id!.replace(/:6$/, ":2") } });
    const replayed = await readStream(replay, (t) => t.includes("later warn"));
    assert.deepEqual([...replayed.matchAll(/^id: \S+:(\d+)$/gm)].map((m) => Number(m[1])), [3, 4, 5, 6]);
  });
});
