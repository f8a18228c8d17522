import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { encodeFrame } from "../protocol/codec.ts";
import { twcId } from "../protocol/frames.ts";
import { systemClock } from "../shared/clock.ts";
import { startSimClient } from "./sim-client.ts";

async function waitFor(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 1000) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

test("the simulator connects out, answers the bus through the connection and dials again after a drop", async () => {
  const sockets: Socket[] = [];
  const received: number[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on("data", (d) => received.push(...d));
    s.on("error", () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  assert.ok(addr && typeof addr === "object");
  const client = startSimClient({
    host: "127.0.0.1",
    port: addr.port,
    slaves: [{ twcID: "AB" }],
    clock: systemClock,
    seed: 1,
    retryMs: 20,
  });
  try {
    await waitFor("the connection", () => client.connected && sockets.length === 1);
    // The master's linkready: the slave answers with its own linkready through the socket.
    sockets[0]!.write(encodeFrame({ kind: "masterLinkReady1", sender: twcId(0x7777), sign: 0x77 }));
    await waitFor("a reply", () => received.length > 0);
    assert.ok(client.bus.stats.framesReceived >= 1);
    sockets[0]!.destroy();
    await waitFor("the second connection", () => sockets.length === 2 && client.connected);
    assert.equal(client.connections, 2);
  } finally {
    await client.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
  assert.equal(client.connected, false);
});
