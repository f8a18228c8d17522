/**
 * Test helpers for the energy sources: a loopback HTTP server (127.0.0.1 or another loopback address,
 * port 0 or a given one) whose handler can be swapped per test, and real-time waits.
 */
import { createServer } from "node:http";
import { after, before } from "node:test";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Handler of the loopback server. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A running loopback server. */
export interface Loopback {
  url: string;
  port: number;
  handler: Handler;
  requests: { method: string; url: string; headers: IncomingMessage["headers"] }[];
  close(): Promise<void>;
}

/** Where a loopback server listens: another loopback address (127.0.0.2, …, for several devices) and port. */
export interface LoopbackAt {
  host?: string;
  /** Default 0 (ephemeral); several devices on one port use distinct hosts. */
  port?: number;
}

/** Starts an HTTP server on 127.0.0.1 (or `at.host`) with an ephemeral port (or `at.port`). */
export async function startLoopback(initial: Handler, at: LoopbackAt = {}): Promise<Loopback> {
  const host = at.host ?? "127.0.0.1";
  const state: Loopback = {
    url: "",
    port: 0,
    handler: initial,
    requests: [],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    state.requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    state.handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(at.port ?? 0, host, resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://${host}:${state.port}`;
  return state;
}

/**
 * A loopback fake for the whole test file: started in `before`, closed in `after` (registered on the
 * enclosing suite). The returned object forwards to the running server (use it inside tests only).
 */
export function useLoopback(handler: Handler, at: LoopbackAt = {}): Loopback {
  let real: Loopback | null = null;
  before(async () => {
    real = await startLoopback(handler, at);
  });
  after(async () => {
    await real?.close();
  });
  const get = (): Loopback => {
    if (!real) throw new Error("the loopback fake starts in before()");
    return real;
  };
  return {
    get url() {
      return get().url;
    },
    get port() {
      return get().port;
    },
    get handler() {
      return get().handler;
    },
    set handler(h: Handler) {
      get().handler = h;
    },
    get requests() {
      return get().requests;
    },
    set requests(r: Loopback["requests"]) {
      get().requests = r;
    },
    close: () => get().close(),
  };
}

/** The failure modes every fake offers (energy-sources.md §1.9): none, HTTP 500, malformed JSON, no answer. */
export type Fault = "ok" | "500" | "junk" | "hang";

/** Answers `body` as JSON, or the fault instead: 500, the malformed `junk` text, or nothing at all. */
export function serveJson(res: ServerResponse, fault: Fault, body: unknown, junk = "{"): void {
  if (fault === "hang") return;
  if (fault === "500") return void res.writeHead(500).end("error");
  if (fault === "junk") return void res.writeHead(200).end(junk);
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** Waits `ms` of real time (tests only). */
export async function sleep(ms: number): Promise<void> {
  await new Promise<void>((r) => {
    setTimeout(r, ms);
  });
}

/** Waits until `cond()` holds (polling every 10 ms), failing after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    // Real-time polling in tests only (the code under test uses the injected clock).
    await sleep(10);
  }
}
