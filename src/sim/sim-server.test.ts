import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { systemClock } from "../shared/clock.ts";
import { encodeFrame } from "../protocol/codec.ts";
import { Deframer, MASTER_LENGTHS } from "../protocol/deframer.ts";
import { MASTER_ID, twcId, type Frame } from "../protocol/frames.ts";
import { startSimServer } from "./sim-server.ts";

/** Resolves with the first frame matching `pred` read from the socket, or rejects after `ms`. */
function nextFrame(socket: Socket, pred: (f: Frame) => boolean, ms: number): Promise<Frame> {
  const rx = new Deframer({ acceptedLengths: MASTER_LENGTHS });
  return new Promise<Frame>((resolve, reject) => {
    const onData = (data: Buffer): void => {
      for (const r of rx.push(new Uint8Array(data), systemClock.now())) {
        if (r.ok && pred(r.frame)) {
          done();
          resolve(r.frame);
          return;
        }
      }
    };
    const timer = systemClock.setTimeout(() => {
      done();
      reject(new Error("no matching frame from the simulator"));
    }, ms);
    const done = (): void => {
      systemClock.clearTimeout(timer);
      socket.off("data", onData);
    };
    socket.on("data", onData);
  });
}

void test("sim server over loopback TCP: a master heartbeat to 4142 gets the slave heartbeat", async () => {
  const server = await startSimServer({
    host: "127.0.0.1",
    port: 0,
    slaves: [{ twcID: "AB" }],
    clock: systemClock,
    seed: 1,
  });
  const socket = connect({ host: "127.0.0.1", port: server.port });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const reply = nextFrame(socket, (f) => f.kind === "slaveHeartbeat", 10_000);
    socket.write(
      encodeFrame({
        kind: "masterHeartbeat",
        sender: MASTER_ID,
        receiver: twcId(0x4142),
        command: { code: 0x09, centiAmps: 8000 },
      }),
    );
    assert.deepEqual(await reply, {
      kind: "slaveHeartbeat",
      sender: twcId(0x4142),
      receiver: MASTER_ID,
      status: { state: 0, reportedMaxCentiAmps: 8000, reportedActualCentiAmps: 0, length: 9 },
    });
    assert.equal(server.bus.receivedFrames.length, 1);
  } finally {
    socket.destroy();
    await server.close();
  }
});

void test("sim server: a busy address rejects with TRANSPORT_OPEN_FAILED", async () => {
  const first = await startSimServer({
    host: "127.0.0.1",
    port: 0,
    slaves: [{ twcID: "AB" }],
    clock: systemClock,
  });
  try {
    await assert.rejects(
      startSimServer({ host: "127.0.0.1", port: first.port, slaves: [{ twcID: "AB" }], clock: systemClock }),
      { code: "TRANSPORT_OPEN_FAILED" },
    );
  } finally {
    await first.close();
  }
});
