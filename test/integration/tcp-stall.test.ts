/**
 * Issue "the bus", item 7: a TCP bridge that stops reading. The bus controller runs on a fake clock
 * over the real TCP binding to a loopback "bridge" that forwards one slave linkready and then reads
 * nothing (socket.pause()). The kernel takes every frame without complaint, so only the silence of the
 * bus shows the stall: the controller must raise BUS_WRITE_STALLED, reset the connection (discarding
 * what the kernel still holds) and reconnect; when the bridge finally reads again it must get only the
 * few heartbeats written before the silence was noticed, not every decision made since.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { BusController } from "../../src/bus/controller.ts";
import type { ControllerLogger } from "../../src/bus/controller-types.ts";
import { SILENT_BUS_MS } from "../../src/bus/bus-health.ts";
import { Deframer, SIM_SLAVE_LENGTHS } from "../../src/protocol/deframer.ts";
import { fromHex } from "../../src/protocol/hex.ts";
import { captureLogger } from "../../src/shared/capture-logger.test-helper.ts";
import { FakeClock } from "../../src/shared/clock.ts";
import { FrameStream } from "../../src/transport/frame-stream.ts";
import { ReconnectingPort } from "../../src/transport/reconnecting.ts";
import { createTcpBinding } from "../../src/transport/tcp.ts";

/** twc-protocol.md §12: slave linkready v2, 80 A, from 1234. */
const LINKREADY = fromHex("C0 FD E2 12 34 56 1F 40 00 00 00 00 00 00 00 00 DD C0")!;

const quietLogger: ControllerLogger = {
  child: () => quietLogger,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** The bridge: the first connection announces a slave and then never reads; later ones read normally. */
class StalledBridge {
  readonly sockets: Socket[] = [];
  /** Bytes of the first connection, read only after `resumeFirst`. */
  readonly firstBytes: number[] = [];
  server: Server | null = null;
  port = 0;
  firstClosed = false;

  async listen(): Promise<void> {
    const server = createServer((socket) => {
      const n = this.sockets.push(socket);
      socket.on("error", () => undefined); // the reset is expected
      if (n === 1) {
        socket.pause();
        socket.on("data", (chunk: Buffer) => this.firstBytes.push(...chunk));
        socket.on("close", () => (this.firstClosed = true));
        socket.write(LINKREADY);
      } else socket.on("data", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const addr = server.address();
    assert.ok(addr && typeof addr === "object");
    this.port = addr.port;
    this.server = server;
  }

  resumeFirst(): void {
    this.sockets[0]?.resume();
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

describe("TCP bridge that stops reading", () => {
  const bridge = new StalledBridge();
  after(() => bridge.stop());

  it("raises BUS_WRITE_STALLED, resets and reconnects, and the stale heartbeats never reach the bridge", async () => {
    await bridge.listen();
    const clock = new FakeClock();
    const log = captureLogger();
    const port = new ReconnectingPort({
      binding: createTcpBinding({ host: "127.0.0.1", port: bridge.port, clock }),
      clock,
      logger: log,
    });
    const stream = new FrameStream({ port, clock, logger: log });
    const ctl = new BusController({
      clock,
      io: { ...bindIo(stream), connected: false },
      logger: quietLogger,
      config: {
        mode: "master",
        slaveTimeoutS: 26,
        wiringMaxAmpsPerTWC: 32,
        wiringMaxAmpsAllTWCs: 32,
        useFlexAmpsToStartCharge: false,
        startStopDelayS: 60,
        minAmpsPerTWC: 6,
      },
    });
    ctl.start();
    port.start();
    for (let i = 0; i < 200 && ctl.slaves().length === 0; i++) {
      await clock.advanceAsync(50, 50);
      await sleep(1);
    }
    assert.equal(ctl.slaves().length, 1, "the slave linked through the bridge");

    // 40 s of bus time: the bridge reads nothing, the slave (behind it) hears nothing and says nothing.
    for (let t = 0; t < 40_000; t += 50) await clock.advanceAsync(50, 50);

    assert.ok(
      ctl.alerts().some((a) => a.code === "BUS_WRITE_STALLED"),
      `alerts: ${ctl
        .alerts()
        .map((a) => a.code)
        .join(",")}`,
    );
    assert.equal(ctl.stats().silenceResets, 1);
    assert.ok(port.reconnects >= 1, "reconnected");
    assert.ok(bridge.sockets.length >= 2, "a new connection reached the bridge");

    // The bridge wakes up and reads what it was given on the stalled connection.
    bridge.resumeFirst();
    for (let i = 0; i < 500 && !bridge.firstClosed; i++) await sleep(2);
    assert.ok(bridge.firstClosed, "the stalled connection was reset");
    const frames = new Deframer({ acceptedLengths: SIM_SLAVE_LENGTHS }).push(
      Uint8Array.from(bridge.firstBytes),
      0,
    );
    const heartbeats = frames.filter((r) => r.ok && r.frame.kind === "masterHeartbeat").length;
    // One heartbeat per second until the silence was noticed (10 s), plus the one sent right after
    // the linkready; without the fix every heartbeat until the slave timed out (~25) was delivered.
    // At most the heartbeats written before the silence was noticed (one per second for 10 s, plus the
    // one right after the linkready); on Linux the reset makes the bridge's kernel discard even those.
    // Without the fix every heartbeat until the slave timed out (~25, all stale) was delivered.
    assert.ok(
      heartbeats <= SILENT_BUS_MS / 1000 + 2,
      `${heartbeats} heartbeats reached the bridge after it stalled`,
    );

    ctl.stop();
    stream.dispose();
    const stopping = port.stop();
    await clock.advanceAsync(100, 10);
    await stopping;
  });
});

/** The frame stream as the controller's BusIo (its methods bound). */
function bindIo(stream: FrameStream): ConstructorParameters<typeof BusController>[0]["io"] {
  return {
    onFrame: (cb) => stream.onFrame(cb),
    onOpen: (cb) => stream.onOpen(cb),
    onClose: (cb) => stream.onClose(cb),
    writeFrame: (f) => stream.writeFrame(f),
    isReceiverQuiet: (now) => stream.isReceiverQuiet(now),
    receiverQuietAtMs: (now) => stream.receiverQuietAtMs(now),
    counters: () => stream.counters(),
    expirePartial: (now) => stream.expirePartial(now),
    transportHealth: () => stream.transportHealth(),
    resetTransport: (reason) => stream.resetTransport(reason),
  };
}
