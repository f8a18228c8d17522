/**
 * /api/v2/events over a real loopback server (http-api.md §8.2): headers, retry, first `state`, coalesced
 * `patch` events that rebuild the document, Last-Event-ID replay, pings, the 32-stream limit, the
 * 1 MiB buffer limit and clean closing. SSE timers run on a FakeClock, so nothing depends on timing.
 */
import assert from "node:assert/strict";
import { request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { testCharger, v2App } from "../../src/http/v2/test-fixtures.ts";
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
