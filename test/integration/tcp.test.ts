/**
 * The TCP binding against a loopback server (node:net): bytes both ways, the server dropping the
 * connection (reconnect), and the server going away and coming back on the same port (reconnect).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { encodeFrame } from "../../src/protocol/codec.ts";
import { fromHex } from "../../src/protocol/hex.ts";
import { twcId, type DeframeResult, type Frame } from "../../src/protocol/frames.ts";
import { captureLogger } from "../../src/shared/capture-logger.test-helper.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { FrameStream } from "../../src/transport/frame-stream.ts";
import { ReconnectingPort } from "../../src/transport/reconnecting.ts";
import { createTcpBinding } from "../../src/transport/tcp.ts";
import { recordSkip } from "../skip-report.ts";

/** twc-protocol.md §12: slave linkready v2, 80 A, from 1234. */
const LINKREADY = fromHex("C0 FD E2 12 34 56 1F 40 00 00 00 00 00 00 00 00 DD C0")!;
const HELLO: Frame = { kind: "masterLinkReady2", sender: twcId(0x7777), sign: 0x77 };

async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 20) {
    if (waited >= timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A loopback server that records its connections and what they send. */
class LoopbackServer {
  server: Server | null = null;
  readonly sockets: Socket[] = [];
  readonly received: number[] = [];
  port = 0;

  constructor(private readonly host: string) {}

  async listen(port = 0): Promise<void> {
    const server = createServer((socket) => {
      this.sockets.push(socket);
      socket.on("data", (chunk) => this.received.push(...chunk));
      socket.on("error", () => undefined); // resets during the test are expected
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, this.host, () => resolve());
    });
    const addr = server.address();
    assert.ok(addr && typeof addr === "object");
    this.port = addr.port;
    this.server = server;
  }

  get last(): Socket {
    const s = this.sockets.at(-1);
    assert.ok(s, "no connection yet");
    return s;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

describe("TCP binding against a loopback server", { timeout: 120_000 }, () => {
  const srv = new LoopbackServer("127.0.0.1");
  let port: ReconnectingPort;
  let stream: FrameStream;
  const results: DeframeResult[] = [];
  const events: string[] = [];
  const log = captureLogger();

  before(async () => {
    await srv.listen();
    const binding = createTcpBinding({ host: "127.0.0.1", port: srv.port });
    assert.equal(binding.endpoint, `127.0.0.1:${srv.port}`);
    port = new ReconnectingPort({ binding, clock: systemClock, logger: log });
    stream = new FrameStream({ port, clock: systemClock, logger: log });
    stream.on("frame", (r) => results.push(r));
    stream.on("open", () => events.push("open"));
    stream.on("close", (e) => events.push(e ? "close:error" : "close"));
    port.start();
    await waitFor("the connection", () => port.connected && srv.sockets.length === 1);
  });

  after(async () => {
    await port?.stop();
    stream?.dispose();
    await srv.stop();
  });

  it("carries bytes both ways", async () => {
    srv.last.write(LINKREADY);
    await waitFor("a frame from the server", () => results.length >= 1);
    assert.ok(results[0]?.ok && results[0].frame.kind === "slaveLinkReady");
    await stream.writeFrame(HELLO);
    const expected = [...encodeFrame(HELLO)];
    await waitFor("the frame on the server", () => srv.received.length >= expected.length);
    assert.deepEqual(srv.received, expected);
  });

  it("reconnects after the server closes the socket", async () => {
    srv.last.end();
    await waitFor("the close", () => events.includes("close:error"));
    await waitFor("a new connection", () => port.connected && srv.sockets.length === 2);
    assert.equal(port.reconnects, 1);
    const before = results.length;
    srv.last.write(LINKREADY);
    await waitFor("a frame on the new connection", () => results.length > before);
  });

  it("keeps retrying while the server is gone and reconnects when it is back on the same port", async () => {
    const samePort = srv.port;
    await srv.stop();
    await waitFor("the close", () => !port.connected);
    await assert.rejects(stream.writeFrame(HELLO), { code: "TRANSPORT_CLOSED" });
    await sleep(600); // let a few connection attempts be refused
    assert.ok(log.records.some((r) => r.level === "warn" && r.obj.code === "TRANSPORT_OPEN_FAILED"));
    await srv.listen(samePort);
    await waitFor("the reconnection", () => port.connected && srv.sockets.length === 3);
    assert.equal(port.reconnects, 2);
    srv.received.length = 0;
    await stream.writeFrame(HELLO);
    await waitFor("the frame after the reconnection", () => srv.received.length >= encodeFrame(HELLO).length);
    assert.deepEqual(srv.received, [...encodeFrame(HELLO)]);
  });
});

describe("TCP binding over IPv6 loopback", { timeout: 60_000 }, () => {
  it("carries bytes both ways over [::1]", async (t) => {
    const srv = new LoopbackServer("::1");
    try {
      await srv.listen();
    } catch {
      t.skip(recordSkip("IPv6 loopback is not available here"));
      return;
    }
    const binding = createTcpBinding({ host: "::1", port: srv.port });
    assert.equal(binding.endpoint, `[::1]:${srv.port}`);
    const port = await binding.open();
    try {
      const got: number[] = [];
      port.on("data", (b) => got.push(...b));
      await waitFor("the server side", () => srv.sockets.length === 1);
      srv.last.write(Uint8Array.of(1, 2, 3));
      await port.write(Uint8Array.of(4, 5));
      await waitFor("bytes both ways", () => got.length === 3 && srv.received.length === 2);
      assert.deepEqual(got, [1, 2, 3]);
      assert.deepEqual(srv.received, [4, 5]);
    } finally {
      await port.close();
      await srv.stop();
    }
  });
});
