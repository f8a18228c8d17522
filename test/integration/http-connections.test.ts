/**
 * Connection limits and shutdown over loopback (http/connections.ts, docs/decisions.md): the connection
 * cap answers 503 instead of dropping, an idle connection whose answer is out is closed, and a server
 * that shuts down under load answers or cleanly refuses every request (no reset, nothing unanswered).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import { guardOf } from "../../src/http/connections.ts";
import { HTTP_LIMITS } from "../../src/http/wire-rules.ts";
import { listen } from "../../src/http/server.ts";
import { v2App } from "../../src/http/v2/v2-app.test-helper.ts";
import { FakeClock } from "../../src/shared/clock.ts";
import { startHarness } from "./http-harness.ts";
import { parseResponses, rawExchange, requestHead, type RawResponse } from "./raw-http.ts";

const WAIT_MS = 10_000;

/** Polls `cond` (every 20 ms, at most WAIT_MS) until it holds. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A connected socket (kept open by the test). */
function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
}

/** Sends one request on an open socket and resolves with its response. */
function requestOn(s: Socket, raw: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      const r = parseResponses(buf).responses[0];
      if (r) {
        s.off("data", onData);
        resolve(r);
      }
    };
    s.on("data", onData);
    s.once("close", () => reject(new Error("closed without a response")));
    s.write(raw);
  });
}

function errorOf(r: RawResponse | undefined): unknown {
  assert.ok(r, "a response");
  return JSON.parse(r.body.toString("utf8"));
}

describe("connection cap (maxConnections 3)", () => {
  let app: FastifyInstance;
  let port: number;
  const held: Socket[] = [];

  before(async () => {
    ({ app } = v2App({}));
    port = (
      await listen(app, {
        port: 0,
        address: "127.0.0.1",
        limits: { ...HTTP_LIMITS, maxConnections: 3, excessAnswerMs: 100 },
      })
    ).port;
  });

  after(async () => {
    for (const s of held) s.destroy();
    await app.close();
  });

  test("a connection above the cap gets 503 naming the limit with Retry-After, then is closed; the others are served", async () => {
    for (let i = 0; i < 3; i++) held.push(await openSocket(port));
    await until(() => guardOf(app.server)?.size === 3, "3 connections");
    const refused = await rawExchange(port, requestHead("GET", "/api/v2/state"));
    assert.equal(refused.responses.length, 1);
    const r = refused.responses[0]!;
    assert.equal(r.status, 503);
    assert.deepEqual(errorOf(r), { error: "Too many connections (limit 3)" });
    assert.equal(r.headers["retry-after"], "5");
    assert.equal(r.headers.connection, "close");
    assert.equal(r.headers["content-length"], String(r.body.length));
    assert.equal(refused.closedByServer, true);
    assert.equal(refused.error, null, "no reset");
    // A connection above the cap that sends nothing gets the same answer unprompted.
    const silent = await rawExchange(port, []);
    assert.equal(silent.responses[0]?.status, 503);
    assert.deepEqual(errorOf(silent.responses[0]), { error: "Too many connections (limit 3)" });
    assert.equal(silent.closedByServer, true);
    // The connections within the cap are served normally.
    assert.equal((await requestOn(held[0]!, requestHead("GET", "/api/getUUID"))).status, 200);
  });

  test("once a connection closes, a new one is served again", async () => {
    held.shift()!.destroy();
    await until(() => guardOf(app.server)?.size === 2, "the close to be seen");
    const ok = await rawExchange(port, requestHead("GET", "/api/getUUID", { Connection: "close" }));
    assert.equal(ok.responses[0]?.status, 200);
  });
});

describe("idle timeout (idleTimeoutMs 300)", () => {
  test("a connection whose answer is out and that sees no traffic either way is closed", async () => {
    // The event stream's pings run on a FakeClock that never advances: the stream stays silent.
    const { app } = v2App({ clock: new FakeClock(Date.UTC(2026, 10, 23, 12)) });
    try {
      const { port } = await listen(app, {
        port: 0,
        address: "127.0.0.1",
        limits: { ...HTTP_LIMITS, idleTimeoutMs: 300 },
      });
      const x = await rawExchange(port, requestHead("GET", "/api/v2/events"), { timeoutMs: WAIT_MS });
      assert.equal(x.responses[0]?.status, 200);
      assert.equal(x.closedByServer, true);
      // A request in progress is not cut by it: the header timeout answers 408 (here the default 10 s is
      // not waited for; protocol tests cover it).
    } finally {
      await app.close();
    }
  });
});

/** What one load client saw on its connection, and on one connect attempt after it ended. */
interface ClientLog {
  sent: number;
  responses: RawResponse[];
  /** Bytes after the last complete response. */
  trailing: number;
  /** Requests without a response when the connection ended. */
  outstanding: number;
  error: string | null;
  /** The connect attempt after the connection ended: "refused", the answer it got, or what went wrong. */
  reconnect: RawResponse | string;
}

/** Reconnects once after the server ended the connection. */
function reconnect(port: number): Promise<ClientLog["reconnect"]> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    let buf = Buffer.alloc(0);
    s.on("connect", () => s.write(requestHead("GET", "/api/nope")));
    s.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const r = parseResponses(buf).responses[0];
      if (r) {
        s.destroy();
        resolve(r);
      }
    });
    s.on("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED" ? "refused" : `error ${e.code}`));
    s.on("close", () => resolve("closed without an answer"));
  });
}

/**
 * A keep-alive client sending `batch` pipelined GETs at a time, the next batch as soon as the last
 * answer arrived, until an answer says `Connection: close` or the server closes the connection.
 */
function loadClient(port: number, batch: number, onResponse: () => void): Promise<ClientLog> {
  return new Promise((resolve) => {
    const log: ClientLog = { sent: 0, responses: [], trailing: 0, outstanding: 0, error: null, reconnect: "" };
    const s = connect(port, "127.0.0.1");
    let buf: Buffer = Buffer.alloc(0);
    let closing = false;
    const send = (): void => {
      let raw = "";
      for (let i = 0; i < batch; i++) raw += requestHead("GET", "/api/nope");
      log.sent += batch;
      log.outstanding += batch;
      s.write(raw);
    };
    s.on("connect", send);
    s.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const { responses, rest } = parseResponses(buf);
      buf = rest;
      for (const r of responses) {
        log.responses.push(r);
        log.outstanding--;
        onResponse();
        if (r.headers.connection === "close") closing = true;
      }
      if (!closing && log.outstanding === 0) send();
    });
    s.on("error", (e: NodeJS.ErrnoException) => (log.error = e.code ?? e.message));
    s.on("close", () => {
      log.trailing = buf.length;
      void reconnect(port).then((r) => {
        log.reconnect = r;
        resolve(log);
      });
    });
  });
}

describe("shutdown under load", () => {
  test("every request gets a complete answer or is cleanly refused; no connection is reset", { timeout: 60_000 }, async () => {
    const h = await startHarness();
    let answered = 0;
    const clients = [
      ...Array.from({ length: 12 }, () => loadClient(h.port, 1, () => answered++)),
      ...Array.from({ length: 4 }, () => loadClient(h.port, 3, () => answered++)),
    ];
    await until(() => answered >= 400, "load");
    await h.stop();
    const logs = await Promise.all(clients);
    let shutdown503 = 0;
    for (const [i, log] of logs.entries()) {
      const what = `client ${i}: ${JSON.stringify({ ...log, responses: log.responses.length })}`;
      assert.equal(log.error, null, `no reset: ${what}`);
      assert.equal(log.trailing, 0, `no partial response: ${what}`);
      const last = log.responses.at(-1);
      // RFC 9112 §9.6: requests pipelined after an answer with `Connection: close` are not processed
      // (the client retries them); any other request must have been answered.
      if (log.outstanding > 0) assert.equal(last?.headers.connection, "close", `unanswered requests: ${what}`);
      for (const r of log.responses) {
        assert.ok(r.status === 404 || r.status === 503, what);
        if (r.status === 503) {
          assert.deepEqual(errorOf(r), { error: "Server is shutting down" });
          shutdown503++;
        }
      }
      // A connect after the server began closing is refused (or, had it been accepted, answered).
      assert.ok(log.reconnect === "refused" || typeof log.reconnect === "object", `reconnect: ${what}`);
    }
    assert.ok(shutdown503 > 0, "requests arriving while closing were answered 503");
  });
});
