/** Unit tests of the connection guard (http/connections.ts) with fake sockets and a FakeClock. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { FakeClock } from "../shared/clock.ts";
import { ConnectionGuard, excessMessage, type ConnectionLimits } from "./connections.ts";
import { SHUTDOWN_MESSAGE, type HttpSocket } from "./wire-rules.ts";
import { FakeSocket } from "./fake-socket.test-helper.ts";

const LIMITS: ConnectionLimits = { maxConnections: 2, idleTimeoutMs: 60_000, excessAnswerMs: 1000, drainIdleMs: 500 };

function setup(limits: ConnectionLimits = LIMITS): { guard: ConnectionGuard; clock: FakeClock; server: Server } {
  const clock = new FakeClock(1_000_000);
  const server = { maxConnections: 0 } as Server;
  const guard = new ConnectionGuard(server, limits, clock);
  guard.setLimits(limits);
  return { guard, clock, server };
}

function open(guard: ConnectionGuard): FakeSocket {
  const s = new FakeSocket();
  guard.onConnection(s as unknown as HttpSocket);
  return s;
}

/** A request on `s`; returns the function that closes its response. */
function request(guard: ConnectionGuard, s: FakeSocket): () => void {
  const res = new EventEmitter() as ServerResponse;
  guard.onRequest({ socket: s } as unknown as IncomingMessage, res);
  return () => res.emit("close");
}

test("connections above the cap are marked excess; Node itself drops above twice the cap", () => {
  const { guard, server } = setup();
  const [a, b, c] = [open(guard), open(guard), open(guard)];
  assert.equal(server.maxConnections, 4);
  assert.deepEqual([a, b, c].map((s) => guard.isExcess(s as unknown as HttpSocket)), [false, false, true]);
  a.destroy();
  assert.equal(guard.size, 2);
  assert.equal(guard.isExcess(open(guard) as unknown as HttpSocket), true, "c still counts");
  c.destroy();
  assert.equal(excessMessage(2), "Too many connections (limit 2)");
});

test("an excess connection that sends no request gets the 503 unprompted; one that does is left to the hook", () => {
  const { guard, clock } = setup({ ...LIMITS, maxConnections: 0 });
  const silent = open(guard);
  const asking = open(guard);
  request(guard, asking);
  clock.advance(999);
  assert.equal(silent.written, "");
  clock.advance(1);
  assert.match(silent.written, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
  assert.match(silent.written, /\r\nRetry-After: 5\r\n/);
  assert.match(silent.written, /\r\nConnection: close\r\n/);
  assert.ok(silent.written.endsWith(JSON.stringify({ error: excessMessage(0) })));
  assert.equal(silent.destroyed, true);
  assert.equal(asking.written, "");
});

test("idle timeout: closed unless a handler is still producing the answer", () => {
  const { guard } = setup();
  const cases: [ServerResponse | null, boolean][] = [
    [null, true],
    [{ headersSent: false, writableEnded: false } as ServerResponse, false],
    [{ headersSent: true, writableEnded: false } as ServerResponse, true],
  ];
  for (const [res, closed] of cases) {
    const s = open(guard);
    s._httpMessage = res;
    guard.onTimeout(s as unknown as HttpSocket);
    assert.equal(s.destroyed, closed, JSON.stringify(res));
  }
});

test("drain: in-flight answers first, idle keep-alive connections close after drainIdleMs, silent ones get the shutdown 503", () => {
  const { guard, clock } = setup({ ...LIMITS, maxConnections: 10 });
  const busy = open(guard);
  const finishBusy = request(guard, busy);
  const idle = open(guard);
  request(guard, idle)();
  const fresh = open(guard);
  clock.advance(200);
  guard.drain();
  assert.equal(guard.isDraining, true);
  clock.advance(299);
  assert.deepEqual([busy.ended, idle.ended, fresh.ended], [false, false, false]);
  clock.advance(1);
  assert.equal(idle.ended, true, "idle for 500 ms: FIN");
  assert.equal(idle.written, "", "no unprompted answer on a used connection");
  assert.equal(idle.destroyed, false, "the socket goes when the client has closed too");
  assert.ok(fresh.written.includes(`{"error":"${SHUTDOWN_MESSAGE}"}`), fresh.written);
  assert.equal(busy.ended, false);
  clock.advance(5000);
  assert.equal(busy.ended, false, "never cut while its answer is being produced");
  assert.equal(idle.destroyed, true, "linger over");
  finishBusy();
  clock.advance(499);
  assert.equal(busy.ended, false);
  clock.advance(1);
  assert.equal(busy.ended, true);
  // A connection opened while draining (accepted just before the listener closed) is drained too.
  const late = open(guard);
  clock.advance(500);
  assert.ok(late.written.includes(SHUTDOWN_MESSAGE));
});
