/**
 * `interface.TCP.listen: true` (issue 13 §4): the controller listens and the simulator connects IN, as
 * an RS-485 bridge in TCP-client mode does. Two simulated TWCs link and heartbeat; when the bridge goes
 * away the bus is disconnected with its alert, as with the TCP client; a bridge that connects
 * again relinks; a second bridge replaces the first.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import pino from "pino";
import { loadConfigText } from "../../src/config/load.ts";
import { startProduct } from "../../src/cli/run.ts";
import { twcIdHex } from "../../src/protocol/frames.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { startSimClient, type SimClient } from "../../src/sim/sim-client.ts";
import type { SimSlaveDefInput } from "../../src/sim/types.ts";
import { freePort, tempDir, waitFor } from "./helpers.ts";

const SLAVES: SimSlaveDefInput[] = [
  { twcID: "AB", maxAmps: 80, protocolVersion: 2 },
  { twcID: "CD", maxAmps: 32, protocolVersion: 1 },
];

test("controller in TCP listen mode: the simulator connects in, links, reconnects and is replaced", { timeout: 150_000 }, async () => {
  const t = tempDir();
  const port = await freePort();
  const clients: SimClient[] = [];
  const connectIn = (retryMs = 200): SimClient => {
    const c = startSimClient({ host: "127.0.0.1", port, slaves: SLAVES, clock: systemClock, seed: 3, retryMs });
    clients.push(c);
    return c;
  };
  let product: Awaited<ReturnType<typeof startProduct>> | null = null;
  try {
    const text = JSON.stringify({
      config: { settingsPath: join(t.dir, "settings"), wiringMaxAmpsAllTWCs: 32, wiringMaxAmpsPerTWC: 32, minAmpsPerTWC: 6 },
      interface: { RS485: { enabled: false }, TCP: { enabled: true, listen: true, server: "127.0.0.1", port } },
    });
    const loaded = loadConfigText(text);
    assert.ok(loaded.config, loaded.warnings.join("\n"));
    assert.deepEqual(loaded.config.bus, { kind: "TCPListen", host: "127.0.0.1", port });
    product = await startProduct({ config: loaded.config, raw: loaded.raw, logger: pino({ level: "silent" }) });
    const engine = product.engine;
    const doc = (): typeof engine.state.snapshot => engine.state.snapshot;
    const heartbeatingSince = (since: number): boolean =>
      engine.controller.slaves().length === 2 &&
      engine.controller.slaves().every((s) => s.lastHeartbeatAtMs !== null && s.lastHeartbeatAtMs > since);

    // No bridge yet: not connected, like the TCP client whose bridge is down.
    assert.equal(doc().bus.interface, "TCP");
    assert.equal(doc().bus.endpoint, `listening on 127.0.0.1:${port}`);
    assert.equal(doc().bus.connected, false);

    const first = connectIn();
    await waitFor(() => heartbeatingSince(0), 30_000, "two slaves heartbeating");
    assert.deepEqual(
      engine.controller.slaves().map((s) => [twcIdHex(s.id), s.maxAmps, s.protocolVersion]),
      [
        ["4142", 80, 2],
        ["4344", 32, 1],
      ],
    );
    await waitFor(() => doc().bus.connected && !doc().alerts.some((a) => a.code === "BUS_DISCONNECTED"), 10_000, "connected");
    assert.ok(first.bus.stats.framesReceived > 0);

    // The bridge goes away: disconnected; it stays away until we let it dial again.
    await first.close();
    await waitFor(
      () => !doc().bus.connected && doc().alerts.some((a) => a.code === "BUS_DISCONNECTED"),
      10_000,
      "the disconnect and its alert",
    );
    const downAt = Date.now();

    // A bridge connects again: the chargers relink and heartbeat again.
    const second = connectIn(600_000); // dropped later: it must not dial again by itself
    await waitFor(() => heartbeatingSince(downAt), 30_000, "heartbeats after the bridge came back");
    assert.equal(doc().bus.connected, true);
    assert.ok(second.connections === 1);

    // A third bridge connects while the second is up: it replaces the second one.
    const before = second.bus.stats.framesReceived;
    const third = connectIn();
    await waitFor(() => third.connections === 1 && !second.connected, 10_000, "the second bridge dropped");
    await second.close();
    const replacedAt = Date.now();
    await waitFor(() => heartbeatingSince(replacedAt) && third.bus.stats.framesReceived > 0, 30_000, "heartbeats via the third bridge");
    assert.ok(second.bus.stats.framesReceived >= before);
  } finally {
    await product?.stop();
    for (const c of clients) await c.close();
    t.cleanup();
  }
});
