/**
 * /api/v2/events over a real loopback server (http-api.md §8.2): headers, retry, first `state`, coalesced
 * `patch` events that rebuild the document, Last-Event-ID replay, pings, the 32-stream limit, the
 * 1 MiB buffer limit and clean closing; requests pipelined behind a stream; the per-address limit, the
 * lifetime of unauthenticated streams and the eviction for authenticated ones (docs/decisions.md). SSE
 * timers run on a FakeClock, so nothing depends on timing.
 */
import assert from "node:assert/strict";
import { request, type IncomingMessage } from "node:http";
import { connect as tcpConnect, type AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { SseHub } from "../../src/http/v2/events.ts";
import { testCharger, testStore, v2App } from "../../src/http/v2/v2-app.test-helper.ts";
import { parseResponses, requestHead, type RawResponse } from "./raw-http.ts";
import { FakeClock } from "../../src/shared/clock.ts";
import { applyPatch } from "../../src/state/diff.ts";
import type { StateStore } from "../../src/state/store.ts";
import type { PatchOp, StateDocument } from "../../src/state/types.ts";

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

const WAIT_MS = 10_000;

/** A minimal SSE client: collects blocks separated by blank lines. */
class SseClient {
  readonly events: SseEvent[] = [];
  private buf = "";
  private waiters: (() => void)[] = [];
  closed = false;

  constructor(readonly res: IncomingMessage) {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      this.buf += chunk;
      let i: number;
      while ((i = this.buf.indexOf("\n\n")) >= 0) {
        const block = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 2);
        const ev: SseEvent = {};
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) ev.comment = line.slice(1).trim();
          else {
            const c = line.indexOf(":");
            const k = line.slice(0, c) as "id" | "event" | "data" | "retry";
            ev[k] = line.slice(c + 1).replace(/^ /, "");
          }
        }
        this.events.push(ev);
      }
      this.wake();
    });
    res.on("close", () => {
      this.closed = true;
      this.wake();
    });
    res.on("error", () => undefined);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until `pred` holds (generous timeout, never asserts durations). */
  async until(pred: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!pred()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events).slice(0, 500)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  /** Waits for the n-th event (0-based) that is not a retry/comment block. */
  async event(n: number): Promise<SseEvent> {
    const list = (): SseEvent[] => this.events.filter((e) => e.event !== undefined);
    await this.until(() => list().length > n, `event #${n}`);
    return list()[n]!;
  }

  close(): void {
    this.res.destroy();
  }
}

type Response = { status: number; headers: IncomingMessage["headers"]; client: SseClient };

function connect(
  port: number,
  path = "/api/v2/events",
  headers: Record<string, string> = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers, agent: false }, (res) =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, client: new SseClient(res) }),
    );
    req.on("error", reject);
    req.end();
  });
}

async function body(res: IncomingMessage): Promise<string> {
  let s = "";
  res.setEncoding("utf8");
  for await (const chunk of res) s += chunk as string;
  return s;
}

describe("GET /api/v2/events over loopback", () => {
  let app: FastifyInstance;
  let store: StateStore;
  let clock: FakeClock;
  let port: number;
  const open: SseClient[] = [];

  before(async () => {
    clock = new FakeClock(Date.UTC(2026, 10, 23, 12, 0, 0));
    ({ app, store } = v2App({ clock }));
    await app.listen({ port: 0, host: "127.0.0.1" });
    port = (app.server.address() as AddressInfo).port;
  });

  after(async () => {
    for (const c of open) c.close();
    await app.close();
  });

  const sseClients = async (): Promise<number> => {
    const text = (await app.inject({ method: "GET", url: "/metrics" })).body;
    return Number(/^twc_sse_clients (\d+)$/m.exec(text)?.[1]);
  };

  /** Waits until the server counts `n` open streams (disconnects are seen asynchronously). */
  const waitClients = async (n: number): Promise<number> => {
    const deadline = Date.now() + WAIT_MS;
    let v = await sseClients();
    while (v !== n && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      v = await sseClients();
    }
    return v;
  };

  it("sends the headers, retry and a full state event first", async () => {
    const r = await connect(port);
    open.push(r.client);
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-type"], "text/event-stream; charset=utf-8");
    assert.equal(r.headers["cache-control"], "no-store");
    assert.equal(r.headers["x-accel-buffering"], "no");
    await r.client.until(() => r.client.events.length >= 2, "retry and state");
    assert.deepEqual(r.client.events[0], { retry: "5000" });
    const state = r.client.events[1]!;
    assert.equal(state.event, "state");
    assert.match(state.id!, /^[^:]+:\d+$/);
    assert.equal(Number(state.id!.split(":")[1]), store.revision);
    assert.deepEqual(JSON.parse(state.data!), store.snapshot);
    r.client.close();
    await r.client.until(() => r.client.closed, "close");
  });

  it("coalesces changes into one patch whose ops turn the first state into the new snapshot", async () => {
    const r = await connect(port);
    open.push(r.client);
    const first = await r.client.event(0);
    const doc0 = JSON.parse(first.data!) as StateDocument;
    store.update((d) => {
      d.chargers = [testCharger("4142")];
    });
    store.update((d) => {
      d.chargers[0]!.reportedAmpsActual = 15.62;
      d.policy.active = "Charge Now";
    });
    clock.advance(250);
    const patch = await r.client.event(1);
    assert.equal(patch.event, "patch");
    const p = JSON.parse(patch.data!) as { from: number; to: number; ops: PatchOp[] };
    assert.equal(p.from, doc0.revision);
    assert.equal(p.to, store.revision);
    assert.equal(patch.id, `${first.id!.split(":")[0]}:${store.revision}`);
    assert.ok(p.ops.every((o) => ["add", "remove", "replace"].includes(o.op)));
    assert.deepEqual(applyPatch(doc0, p.ops), store.snapshot);
    // a later change is sent as its own patch
    store.update((d) => {
      d.chargers[0]!.reportedAmpsActual = 16;
    });
    clock.advance(250);
    const next = JSON.parse((await r.client.event(2)).data!) as { from: number; to: number; ops: PatchOp[] };
    assert.equal(next.from, p.to);
    assert.deepEqual(applyPatch(applyPatch(doc0, p.ops), next.ops), store.snapshot);
    r.client.close();
  });

  it("sends : ping every 15 s", async () => {
    const r = await connect(port);
    open.push(r.client);
    await r.client.event(0);
    clock.advance(15_000);
    await r.client.until(() => r.client.events.some((e) => e.comment === "ping"), "ping");
    r.client.close();
  });

  it("replays missed patches for a Last-Event-ID of this boot, else starts with a full state", async () => {
    const a = await connect(port);
    open.push(a.client);
    const first = await a.client.event(0);
    a.client.close();
    const [boot, rev] = first.id!.split(":") as [string, string];
    const doc0 = JSON.parse(first.data!) as StateDocument;
    for (let i = 0; i < 3; i++) {
      store.update((d) => {
        d.legacyAmpsOffset = 100 + i;
      });
    }
    for (const how of ["header", "query"] as const) {
      const r =
        how === "header"
          ? await connect(port, "/api/v2/events", { "Last-Event-ID": `${boot}:${rev}` })
          : await connect(port, `/api/v2/events?lastEventId=${encodeURIComponent(`${boot}:${rev}`)}`);
      open.push(r.client);
      let doc = doc0;
      for (let i = 0; i < 3; i++) {
        const e = await r.client.event(i);
        assert.equal(e.event, "patch", how);
        const p = JSON.parse(e.data!) as { from: number; to: number; ops: PatchOp[] };
        assert.equal(p.from, doc.revision);
        assert.equal(e.id, `${boot}:${p.to}`);
        doc = applyPatch(doc, p.ops);
      }
      assert.deepEqual(doc, store.snapshot, how);
      r.client.close();
    }
    for (const id of [`other:${rev}`, `${boot}:999999`, "garbage"]) {
      const r = await connect(port, "/api/v2/events", { "Last-Event-ID": id });
      open.push(r.client);
      const e = await r.client.event(0);
      assert.equal(e.event, "state", id);
      assert.deepEqual(JSON.parse(e.data!), store.snapshot);
      r.client.close();
    }
  });

  it("answers 503 to the 33rd concurrent stream and accepts again after one closes", async () => {
    assert.equal(await waitClients(0), 0); // earlier clients' disconnects are seen asynchronously
    const clients: SseClient[] = [];
    for (let i = 0; i < 32; i++) {
      const r = await connect(port);
      assert.equal(r.status, 200);
      clients.push(r.client);
      open.push(r.client);
      await r.client.event(0);
    }
    assert.equal(await sseClients(), 32);
    const refused = await connect(port);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers["content-type"], "application/json; charset=utf-8");
    refused.client.close();
    const again = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      request({ host: "127.0.0.1", port, path: "/api/v2/events", agent: false }, (res) => {
        body(res).then((text) => resolve({ status: res.statusCode ?? 0, text }), reject);
      })
        .on("error", reject)
        .end();
    });
    assert.deepEqual(again, { status: 503, text: '{"error":"Too many event streams"}' });
    clients[0]!.close();
    assert.equal(await waitClients(31), 31);
    const ok = await connect(port);
    open.push(ok.client);
    assert.equal(ok.status, 200);
    for (const c of [...clients, ok.client]) c.close();
    assert.equal(await waitClients(0), 0);
  });

  it("disconnects a client whose unsent buffer exceeds 1 MiB", async () => {
    const r = await connect(port);
    open.push(r.client);
    await r.client.event(0);
    r.client.res.pause(); // stop reading
    store.update((d) => {
      d.alerts = [
        {
          code: "NO_CHARGERS",
          severity: "warning",
          message: "x".repeat(24 * 1024 * 1024),
          since: "2026-11-23T12:00:00.000+00:00",
        },
      ];
    });
    clock.advance(250);
    await r.client.until(() => r.client.closed, "server-side disconnect");
    assert.equal(await waitClients(0), 0);
    store.update((d) => {
      d.alerts = [];
    });
  });

  it("app.close() ends open streams cleanly and leaves no timer behind", async () => {
    const r = await connect(port);
    await r.client.event(0);
    let ended = false;
    r.client.res.on("end", () => (ended = true));
    await app.close();
    await r.client.until(() => r.client.closed, "stream end");
    assert.equal(ended, true);
    assert.equal(clock.pending, 0);
  });
});

/** A chunked event stream followed by the responses after it, as read from one raw connection. */
interface StreamThenRest {
  head: RawResponse;
  /** The stream's decoded body (complete: its terminating chunk arrived). */
  events: string;
  after: RawResponse[];
  closedByServer: boolean;
}

/** Decodes the chunked body at the start of `buf`; null while the terminating chunk is missing. */
function dechunk(buf: Buffer): { body: string; rest: Buffer } | null {
  let body = "";
  let at = 0;
  for (;;) {
    const eol = buf.indexOf("\r\n", at);
    if (eol === -1) return null;
    const size = parseInt(buf.subarray(at, eol).toString("latin1"), 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size at ${at}`);
    if (buf.length < eol + 2 + size + 2) return null;
    body += buf.subarray(eol + 2, eol + 2 + size).toString("utf8");
    at = eol + 2 + size + 2;
    if (size === 0) return { body, rest: buf.subarray(at) };
  }
}

/** Sends `raw` on a fresh connection; resolves once the stream ended and `responses` more arrived. */
function streamThen(port: number, raw: string, responses: number): Promise<StreamThenRest> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect(port, "127.0.0.1", () => s.write(raw));
    let buf = Buffer.alloc(0);
    let closedByServer = false;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no complete answer; got ${JSON.stringify(buf.toString("latin1").slice(-300))}`));
    }, WAIT_MS);
    const check = (): void => {
      const end = buf.indexOf("\r\n\r\n");
      if (end === -1) return;
      const head = parseResponses(Buffer.concat([buf.subarray(0, end + 4), Buffer.from("")])).responses[0];
      const stream = dechunk(buf.subarray(end + 4));
      if (!head || !stream) return;
      const after = parseResponses(stream.rest).responses;
      if (after.length < responses) return;
      clearTimeout(timer);
      s.destroy();
      resolve({ head, events: stream.body, after, closedByServer });
    };
    s.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      check();
    });
    s.on("end", () => (closedByServer = true));
    s.on("error", () => undefined);
  });
}

describe("requests pipelined behind an event stream", { timeout: 60_000 }, () => {
  let app: FastifyInstance;
  let port: number;

  before(async () => {
    ({ app } = v2App({ clock: new FakeClock(Date.UTC(2026, 10, 23, 12, 0, 0)) }));
    await app.listen({ port: 0, host: "127.0.0.1" });
    port = (app.server.address() as AddressInfo).port;
  });

  after(async () => {
    await app.close();
  });

  it("a pipelined request ends the stream cleanly and is answered after it", async () => {
    const x = await streamThen(port, requestHead("GET", "/api/v2/events") + requestHead("GET", "/api/getUUID"), 1);
    assert.equal(x.head.status, 200);
    assert.equal(x.head.headers["transfer-encoding"], "chunked");
    assert.match(x.events, /^retry: 5000\n\nid: [^\n]+\nevent: state\ndata: \{/);
    assert.equal(x.after[0]?.status, 200);
    assert.equal(x.after[0]?.body.toString(), "1");
  });

  it("pipelined garbage: the stream ends cleanly, then the 400 JSON answer, then the connection closes", async () => {
    const x = await streamThen(port, requestHead("GET", "/api/v2/events") + "GARBAGE\r\n\r\n", 1);
    assert.equal(x.head.status, 200);
    assert.match(x.events, /event: state/);
    assert.equal(x.after[0]?.status, 400);
    assert.deepEqual(JSON.parse(x.after[0].body.toString()), { error: "Bad request: malformed HTTP request" });
    assert.equal(x.after[0]?.headers.connection, "close");
  });
});

describe("per-address limit, unauthenticated lifetime and eviction (small limits)", { timeout: 60_000 }, () => {
  let app: FastifyInstance;
  let clock: FakeClock;
  let hub: SseHub;
  let store: StateStore;
  let port: number;
  const open: SseClient[] = [];

  before(async () => {
    clock = new FakeClock(Date.UTC(2026, 10, 23, 12, 0, 0));
    store = testStore(clock.now());
    hub = new SseHub({
      store,
      clock,
      maxClients: 3,
      maxPerAddress: 2,
      perAddressExempt: () => false,
      unauthenticatedLifetimeMs: 60_000,
    });
    app = Fastify();
    // The test names the client: X-Test-Auth says whether it counts as authenticated.
    app.get("/events", (q, reply) => {
      hub.handle(q, reply, { address: q.ip, authenticated: q.headers["x-test-auth"] === "yes" });
    });
    app.addHook("preClose", (done) => {
      hub.closeAll();
      done();
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    port = (app.server.address() as AddressInfo).port;
  });

  after(async () => {
    for (const c of open) c.close();
    await app.close();
  });

  const stream = async (auth: boolean): Promise<Response> => {
    const r = await connect(port, "/events", auth ? { "X-Test-Auth": "yes" } : {});
    open.push(r.client);
    if (r.status === 200) await r.client.event(0);
    return r;
  };
  const ended = (c: SseClient): Promise<void> => c.until(() => c.closed, "the stream to end");
  /** A request whose answer is read whole (for the refusals). */
  const refusal = (auth: boolean): Promise<{ status: number; headers: IncomingMessage["headers"]; text: string }> =>
    new Promise((resolve, reject) => {
      const headers = auth ? { "X-Test-Auth": "yes" } : {};
      request({ host: "127.0.0.1", port, path: "/events", headers, agent: false }, (res) => {
        body(res).then((text) => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }), reject);
      })
        .on("error", reject)
        .end();
    });

  it("a third unauthenticated stream from one address → 429 naming the limit; authenticated ones are not limited per address", async () => {
    const [a, b] = [await stream(false), await stream(false)];
    assert.deepEqual([a.status, b.status], [200, 200]);
    const third = await refusal(false);
    assert.equal(third.status, 429);
    assert.equal(third.headers["retry-after"], "5");
    assert.equal(third.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(third.text, '{"error":"Too many event streams from this address (limit 2)"}');
    assert.equal((await stream(true)).status, 200);
    assert.equal(hub.size, 3);
  });

  it("when every slot is taken, an authenticated client takes the oldest unauthenticated stream's slot (it ends cleanly)", async () => {
    const [a, b] = [open[0]!, open[1]!];
    let aEnded = false;
    a.res.on("end", () => (aEnded = true));
    assert.equal((await stream(true)).status, 200);
    await ended(a);
    assert.equal(aEnded, true, "a complete response, not a reset");
    assert.equal(b.closed, false);
    assert.equal((await stream(true)).status, 200);
    await ended(b);
    const full = await refusal(true);
    assert.equal(full.status, 503, "only authenticated streams left");
    assert.equal(full.text, '{"error":"Too many event streams"}');
    for (const c of open) c.close();
    await until(() => hub.size === 0);
  });

  it("an unauthenticated stream ends cleanly after its lifetime and the reconnect replays what it missed", async () => {
    const anon = await stream(false);
    const authed = await stream(true);
    const first = await anon.client.event(0);
    let ended = false;
    anon.client.res.on("end", () => (ended = true));
    clock.advance(59_999);
    assert.equal(anon.client.closed, false);
    clock.advance(1);
    await anon.client.until(() => anon.client.closed, "lifetime end");
    assert.equal(ended, true);
    assert.equal(authed.client.closed, false, "authenticated streams have no lifetime");
    assert.equal(hub.size, 1);
    store.update((d) => {
      d.legacyAmpsOffset = 7; // a change while the client reconnects
    });
    const again = await connect(port, "/events", { "Last-Event-ID": first.id! });
    open.push(again.client);
    assert.equal(again.status, 200);
    const replayed = await again.client.event(0);
    assert.equal(replayed.event, "patch", "replay, not a full state");
    const p = JSON.parse(replayed.data!) as { from: number; ops: PatchOp[] };
    assert.equal(p.from, Number(first.id!.split(":")[1]));
    assert.deepEqual(applyPatch(JSON.parse(first.data!) as StateDocument, p.ops), store.snapshot);
    authed.client.close();
    again.client.close();
    await until(() => hub.size === 0);
  });
});

async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
