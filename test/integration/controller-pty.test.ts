/**
 * The whole controller against the simulator over a REAL pseudo-terminal pair (socat), with the real
 * `serialport` code path on the controller's side: config `interface.RS485.port` = the PTY device.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { loadConfigText } from "../../src/config/load.ts";
import { startProduct } from "../../src/cli/run.ts";
import { twcIdHex } from "../../src/protocol/frames.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { SimBus } from "../../src/sim/sim-bus.ts";
import { createSerialBinding } from "../../src/transport/serial.ts";
import { requireBinary } from "../skip-report.ts";
import { tempDir, waitFor } from "./helpers.ts";

const socatSkip = requireBinary("socat", "socat");

test(
  "controller links two simulated TWCs over a socat PTY pair using serialport",
  { skip: socatSkip, timeout: 90_000 },
  async () => {
    const t = tempDir();
    const a = join(t.dir, "ttyA");
    const b = join(t.dir, "ttyB");
    const socat = spawn("socat", [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: "ignore" });
    const sim = new SimBus({
      clock: systemClock,
      seed: 7,
      slaves: [
        { twcID: "AB", maxAmps: 80, protocolVersion: 2 },
        { twcID: "CD", maxAmps: 32, protocolVersion: 1 },
      ],
    });
    let product: Awaited<ReturnType<typeof startProduct>> | null = null;
    try {
      await waitFor(() => existsSync(a) && existsSync(b), 10_000, "socat links");
      // The simulator's side of the wire: the other PTY end, also through the real serial binding.
      const simPort = await createSerialBinding({ path: b, baud: 9600 }).open();
      simPort.on("data", (bytes) => sim.write(bytes));
      sim.onData((bytes) => void simPort.write(bytes).catch(() => undefined));

      const text = JSON.stringify({
        config: { settingsPath: join(t.dir, "settings"), wiringMaxAmpsAllTWCs: 32, wiringMaxAmpsPerTWC: 32, minAmpsPerTWC: 6 },
        interface: { RS485: { port: a, baud: 9600 } },
      });
      const loaded = loadConfigText(text);
      assert.ok(loaded.config);
      product = await startProduct({ config: loaded.config, raw: loaded.raw, logger: pino({ level: "silent" }) });
      const engine = product.engine;
      await waitFor(
        () => engine.controller.slaves().length === 2 && engine.controller.slaves().every((s) => s.lastHeartbeatAtMs !== null),
        30_000,
        "two slaves heartbeating",
      );
      const slaves = engine.controller.slaves().map((s) => [twcIdHex(s.id), s.maxAmps, s.protocolVersion]);
      assert.deepEqual(slaves, [
        ["4142", 80, 2],
        ["4344", 32, 1],
      ]);
      const doc = engine.state.snapshot;
      assert.equal(doc.bus.interface, "RS485");
      assert.equal(doc.bus.endpoint, a);
      await simPort.close();
    } finally {
      await product?.stop();
      sim.stop();
      socat.kill("SIGTERM");
      t.cleanup();
    }
  },
);
