import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, createServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { captureLogger } from "../shared/capture-logger.test-helper.ts";
import { FakeClock, systemClock } from "../shared/clock.ts";
import { isTwcError } from "../shared/errors.ts";
import type { BusPort } from "./port.ts";
import { ReconnectingPort } from "./reconnecting.ts";
import { createTcpListenBinding, type TcpListenBinding } from "./tcp-listen.ts";

async function waitFor(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 1000) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A bridge connecting to the binding; records what it receives. */
async function bridge(port: number): Promise<{ socket: Socket; received: number[]; closed: () => boolean }> {
  const socket = connect(port, "127.0.0.1");
  const received: number[] = [];
  let closed = false;
  socket.on("data", (d) => received.push(...d));
  socket.on("error", () => undefined);
  socket.on("close", () => (closed = true));
  await new Promise<void>((r) => socket.once("connect", () => r()));
  return { socket, received, closed: () => closed };
}

async function listening(clock = new FakeClock()): Promise<{ binding: TcpListenBinding; port: number; clock: FakeClock }> {
  const binding = createTcpListenBinding({ host: "127.0.0.1", port: 0, clock, waitMs: 1000 });
  // The first open binds; with nobody connecting it fails when the fake clock passes the wait.
  const first = binding.open();
  await waitFor("the listener", () => binding.boundPort !== null);
  clock.advance(1000);
  await assert.rejects(first);
  return { binding, port: binding.boundPort!, clock };
}

describe("TCP listen binding", () => {
  it("names itself and fails an open without a bridge with the reason, errno null", async () => {
    const clock = new FakeClock();
    const binding = createTcpListenBinding({ host: "127.0.0.1", port: 0, clock, waitMs: 30_000 });
    assert.equal(binding.interfaceName, "TCP");
    assert.equal(binding.endpoint, "listening on 127.0.0.1:0");
    assert.equal(binding.buffered, true);
    const open = binding.open();
    await waitFor("the listener", () => binding.boundPort !== null);
    clock.advance(30_000);
    await assert.rejects(open, (e: unknown) => {
      assert.ok(isTwcError(e));
      assert.equal(e.code, "TRANSPORT_OPEN_FAILED");
      assert.equal(e.message, "cannot accept a bridge on 127.0.0.1:0: no bridge has connected (waited 30 s)");
      assert.deepEqual(e.context, {
        endpoint: "listening on 127.0.0.1:0",
        reason: "no bridge has connected (waited 30 s)",
        errno: null,
      });
      return true;
    });
    await binding.close();
  });

  it("hands out a bridge that connects while open() waits, bytes flowing both ways", async () => {
    const { binding, port } = await listening();
    const opening = binding.open();
    const b = await bridge(port);
    const bus = await opening;
    const got: number[] = [];
    bus.on("data", (d) => got.push(...d));
    b.socket.write(Uint8Array.of(0xc0, 0xfd, 0xe2, 0xc0));
    await bus.write(Uint8Array.of(0xc0, 0xfb, 0xe0, 0xc0));
    await waitFor("bytes both ways", () => got.length === 4 && b.received.length === 4);
    assert.deepEqual(got, [0xc0, 0xfd, 0xe2, 0xc0]);
    assert.deepEqual(b.received, [0xc0, 0xfb, 0xe0, 0xc0]);
    await bus.close();
    await waitFor("the bridge sees the close", b.closed);
    await binding.close();
  });

  it("keeps a bridge that connected between two opens, with the bytes it already sent", async () => {
    const { binding, port } = await listening();
    const b = await bridge(port);
    b.socket.write(Uint8Array.of(1, 2, 3));
    await sleep(50);
    const bus = await binding.open();
    const got: number[] = [];
    bus.on("data", (d) => got.push(...d));
    await waitFor("the early bytes", () => got.length === 3);
    assert.deepEqual(got, [1, 2, 3]);
    await bus.close();
    await binding.close();
  });

  it("replaces the current bridge by a new connection, closing the old one with the reason", async () => {
    const logger = captureLogger();
    const clock = new FakeClock();
    const binding = createTcpListenBinding({ host: "127.0.0.1", port: 0, clock, logger });
    const opening = binding.open();
    await waitFor("the listener", () => binding.boundPort !== null);
    const first = await bridge(binding.boundPort!);
    const old: BusPort = await opening;
    const closes: (Error | undefined)[] = [];
    old.on("close", (e) => closes.push(e));
    const second = await bridge(binding.boundPort!);
    await waitFor("the old connection closed", () => closes.length === 1 && first.closed());
    assert.match(closes[0]?.message ?? "", /^replaced by a new bridge connection from 127\.0\.0\.1:\d+$/);
    assert.ok(logger.records.some((r) => r.level === "warn" && /replaces the current one/.test(String(r.msg))));
    const now = await binding.open();
    await now.write(Uint8Array.of(9));
    await waitFor("bytes on the new bridge", () => second.received.length === 1);
    assert.equal(second.closed(), false);
    await now.close();
    await binding.close();
  });

  it("reports a port in use with errno EADDRINUSE and binds once it is free", async () => {
    const other = createServer();
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
    const addr = other.address();
    assert.ok(addr && typeof addr === "object");
    const clock = new FakeClock();
    const binding = createTcpListenBinding({ host: "127.0.0.1", port: addr.port, clock, waitMs: 1000 });
    await assert.rejects(binding.open(), (e: unknown) => {
      assert.ok(isTwcError(e));
      assert.equal(e.message, `cannot listen on 127.0.0.1:${addr.port}: address already in use`);
      assert.equal(e.context?.errno, "EADDRINUSE");
      assert.equal(e.context?.reason, "address already in use");
      return true;
    });
    await new Promise<void>((r) => other.close(() => r()));
    const opening = binding.open();
    await waitFor("the listener", () => binding.boundPort === addr.port);
    const b = await bridge(addr.port);
    const bus = await opening;
    await bus.close();
    b.socket.destroy();
    await binding.close();
  });

  it("close() ends a waiting open() at once and frees the port", async () => {
    const binding = createTcpListenBinding({ host: "127.0.0.1", port: 0, clock: systemClock });
    const opening = binding.open();
    await waitFor("the listener", () => binding.boundPort !== null);
    const port = binding.boundPort!;
    await binding.close();
    await assert.rejects(opening, (e: unknown) => isTwcError(e) && e.code === "TRANSPORT_CLOSED");
    assert.equal(binding.boundPort, null);
    const again = createServer();
    await new Promise<void>((r, j) => {
      again.once("error", j);
      again.listen(port, "127.0.0.1", () => r());
    });
    await new Promise<void>((r) => again.close(() => r()));
  });

  it("under ReconnectingPort: a bridge that goes away is waited for again, and stop() does not wait 30 s", async () => {
    const binding = createTcpListenBinding({ host: "127.0.0.1", port: 0, clock: systemClock });
    const rp = new ReconnectingPort({ binding, clock: systemClock, logger: captureLogger(), initialDelayMs: 10 });
    rp.start();
    await waitFor("the listener", () => binding.boundPort !== null);
    const first = await bridge(binding.boundPort!);
    await waitFor("connected", () => rp.connected);
    first.socket.destroy();
    await waitFor("disconnected", () => !rp.connected);
    const second = await bridge(binding.boundPort!);
    await waitFor("reconnected", () => rp.connected);
    assert.equal(rp.reconnects, 1);
    await rp.write(Uint8Array.of(0xc0, 0xc0));
    await waitFor("bytes on the second bridge", () => second.received.length === 2);
    second.socket.destroy();
    await waitFor("disconnected again", () => !rp.connected);
    await rp.stop(); // an open() is waiting for a bridge now
    assert.equal(binding.boundPort, null, "the listener was released");
  });
});
