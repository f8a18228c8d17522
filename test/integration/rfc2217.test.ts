/**
 * `interface.RS485.port: "rfc2217://…"` (issue 13 §4) against a REAL ser2net 4 (Debian package) serving
 * one end of a socat pseudo-terminal pair with `telnet(rfc2217)`, the simulator on the other end through
 * the real serial binding: every byte value both ways (0xFF is telnet's IAC), then the whole controller
 * linking two simulated TWCs, and recovering after ser2net is killed and started again. Needs `socat`
 * and `ser2net`; skipped without them.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import pino from "pino";
import { loadConfigText } from "../../src/config/load.ts";
import { startProduct } from "../../src/cli/run.ts";
import { twcIdHex } from "../../src/protocol/frames.ts";
import { captureLogger } from "../../src/shared/capture-logger.test-helper.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { SimBus } from "../../src/sim/sim-bus.ts";
import type { BusPort } from "../../src/transport/port.ts";
import { ReconnectingPort } from "../../src/transport/reconnecting.ts";
import { createRfc2217Binding } from "../../src/transport/rfc2217.ts";
import { createSerialBinding } from "../../src/transport/serial.ts";
import { requireBinaries } from "../skip-report.ts";
import { freePort, tempDir, waitFor } from "./helpers.ts";

const SKIP = requireBinaries(["socat", "socat"], ["ser2net", "ser2net"]);

/** A socat PTY pair, ser2net serving end A over telnet(rfc2217), and end B for the simulator. */
class Rig {
  readonly t = tempDir("twc-rfc2217-");
  readonly a = join(this.t.dir, "ttyA");
  readonly b = join(this.t.dir, "ttyB");
  readonly yaml = join(this.t.dir, "ser2net.yaml");
  port = 0;
  socat: ChildProcess | null = null;
  ser2net: ChildProcess | null = null;
  ser2netOutput = "";

  async start(): Promise<void> {
    this.port = await freePort();
    this.socat = spawn("socat", [`pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], { stdio: "ignore" });
    await waitFor(() => existsSync(this.a) && existsSync(this.b), 10_000, "socat's links");
    writeFileSync(
      this.yaml,
      [
        "connection: &twc",
        `  accepter: telnet(rfc2217),tcp,127.0.0.1,${this.port}`,
        `  connector: serialdev,${this.a},9600n81,local`,
        "  options:",
        "    kickolduser: true",
        "",
      ].join("\n"),
    );
    await this.startSer2net();
  }

  /** Starts ser2net in the foreground and waits until its port accepts. */
  async startSer2net(): Promise<void> {
    const child = spawn("ser2net", ["-n", "-u", "-c", this.yaml, "-P", join(this.t.dir, "ser2net.pid")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => (this.ser2netOutput += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (this.ser2netOutput += d.toString()));
    this.ser2net = child;
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          if (child.exitCode !== null) throw new Error(`ser2net exited: ${this.ser2netOutput}`);
          const s = connect(this.port, "127.0.0.1");
          s.once("connect", () => {
            s.destroy();
            resolve(true);
          });
          s.once("error", () => resolve(false));
        }),
      10_000,
      "ser2net's port",
    );
  }

  /** Kills ser2net (SIGKILL: no goodbye to the client) and waits for it to exit. */
  async killSer2net(): Promise<void> {
    const child = this.ser2net;
    this.ser2net = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    await this.killSer2net();
    const socat = this.socat;
    this.socat = null;
    if (socat && socat.exitCode === null) {
      const exited = new Promise<void>((r) => socat.once("exit", () => r()));
      socat.kill("SIGTERM");
      await exited;
    }
    this.t.cleanup();
  }

  get url(): string {
    return `rfc2217://127.0.0.1:${this.port}`;
  }
}

describe("rfc2217:// through a real ser2net", { skip: SKIP, timeout: 180_000 }, () => {
  let rig: Rig;
  before(async () => {
    rig = new Rig();
    await rig.start();
  });
  after(async () => {
    await rig?.stop();
  });

  it("carries every byte value both ways (0xFF escaped as IAC IAC) at 9600 baud", async () => {
    const side = await createSerialBinding({ path: rig.b, baud: 9600 }).open();
    const atB: number[] = [];
    side.on("data", (d) => atB.push(...d));
    const port = new ReconnectingPort({
      binding: createRfc2217Binding({ host: "127.0.0.1", port: rig.port, baud: 9600 }),
      clock: systemClock,
      logger: captureLogger(),
    });
    const atController: number[] = [];
    port.on("data", (d) => atController.push(...d));
    port.start();
    try {
      await waitFor(() => port.connected, 15_000, "the RFC 2217 link");
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      const ffs = Uint8Array.of(0xff, 0xff, 0xff, 0xc0, 0xff);
      await port.write(all);
      await port.write(ffs);
      await waitFor(() => atB.length >= all.length + ffs.length, 15_000, "the bytes at the PTY");
      assert.deepEqual(atB, [...all, ...ffs]);
      await side.write(all);
      await side.write(ffs);
      await waitFor(() => atController.length >= all.length + ffs.length, 15_000, "the bytes at the controller");
      assert.deepEqual(atController, [...all, ...ffs]);
    } finally {
      await port.stop();
      await side.close();
    }
  });

  it("the controller links two simulated TWCs, and relinks after ser2net is killed and restarted", async () => {
    const sim = new SimBus({
      clock: systemClock,
      seed: 11,
      slaves: [
        { twcID: "AB", maxAmps: 80, protocolVersion: 2 },
        { twcID: "CD", maxAmps: 32, protocolVersion: 1 },
      ],
    });
    const simPort: BusPort = await createSerialBinding({ path: rig.b, baud: 9600 }).open();
    simPort.on("data", (bytes) => sim.write(bytes));
    sim.onData((bytes) => void simPort.write(bytes).catch(() => undefined));
    let product: Awaited<ReturnType<typeof startProduct>> | null = null;
    try {
      const loaded = loadConfigText(
        JSON.stringify({
          config: { settingsPath: join(rig.t.dir, "settings"), wiringMaxAmpsAllTWCs: 32, wiringMaxAmpsPerTWC: 32, minAmpsPerTWC: 6 },
          interface: { RS485: { port: rig.url, baud: 9600 } },
        }),
      );
      assert.ok(loaded.config, loaded.warnings.join("\n"));
      assert.deepEqual(loaded.config.bus, { kind: "RFC2217", host: "127.0.0.1", port: rig.port, baud: 9600 });
      product = await startProduct({ config: loaded.config, raw: loaded.raw, logger: pino({ level: "silent" }) });
      const engine = product.engine;
      const doc = (): typeof engine.state.snapshot => engine.state.snapshot;
      const heartbeatingSince = (since: number): boolean =>
        engine.controller.slaves().length === 2 &&
        engine.controller.slaves().every((s) => s.lastHeartbeatAtMs !== null && s.lastHeartbeatAtMs > since);

      await waitFor(() => heartbeatingSince(0), 40_000, "two slaves heartbeating over RFC 2217");
      assert.deepEqual(
        engine.controller.slaves().map((s) => [twcIdHex(s.id), s.maxAmps, s.protocolVersion]),
        [
          ["4142", 80, 2],
          ["4344", 32, 1],
        ],
      );
      assert.equal(doc().bus.interface, "RS485");
      assert.equal(doc().bus.endpoint, rig.url);
      assert.equal(doc().bus.connected, true);

      // ser2net dies: the controller sees the link go, raises the alert and keeps running.
      await rig.killSer2net();
      await waitFor(
        () => !doc().bus.connected && doc().alerts.some((a) => a.code === "BUS_DISCONNECTED"),
        20_000,
        "the disconnect and its alert",
      );
      // ser2net again on the same port (the PTY pair and the simulator stay as they are).
      const restartedAt = Date.now();
      await rig.startSer2net();
      await waitFor(() => heartbeatingSince(restartedAt), 40_000, "heartbeats after ser2net restarted");
      assert.equal(doc().bus.connected, true);
      assert.ok(!doc().alerts.some((a) => a.code === "BUS_DISCONNECTED"), "the alert cleared");
    } finally {
      await product?.stop();
      await simPort.close();
      sim.stop();
    }
  });
});
