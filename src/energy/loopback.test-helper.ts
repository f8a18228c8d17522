/**
 * Test helpers for the energy sources: a loopback HTTP server (127.0.0.1, port 0) whose handler can be
 * swapped per test, and real-time waits.
 */
import { createServer } from "node:http";
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

/** Starts an HTTP server on 127.0.0.1 with an ephemeral port. */
export async function startLoopback(initial: Handler): Promise<Loopback> {
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
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}`;
  return state;
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
