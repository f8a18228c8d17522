/**
 * Benchmark child process: the real product (the demo configuration: two simulated TWCs, one car
 * charging, a simulated sunny day) on a loopback port, reporting over IPC its port, the wall-clock time
 * of every heartbeat the controller sends (BusController "heartbeatSent"), and its RSS.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import pino from "pino";
import { demoConfig } from "../../src/cli/demo.ts";
import { startProduct } from "../../src/cli/run.ts";
import { loadConfigText } from "../../src/config/load.ts";
import type { BenchReply, BenchRequest } from "./ipc.ts";

const port = Number(process.env.BENCH_PORT);
const dir = mkdtempSync(join(tmpdir(), "twcm-bench-"));
const raw = demoConfig(dir) as {
  config: Record<string, unknown>;
  control: { HTTP: Record<string, unknown> };
  logging: unknown;
};
raw.config.settingsPath = join(dir, "data");
raw.control.HTTP = { enabled: true, listenPort: port, listenAddress: "127.0.0.1" };
raw.logging = { Console: { enabled: false } };
const loaded = loadConfigText(JSON.stringify(raw), "bench-config.json");
const product = await startProduct({
  config: loaded.config,
  raw: loaded.raw,
  logger: pino({ level: "silent" }),
  demoEnergy: true,
});

let heartbeats: number[] = [];
product.engine.controller.on("heartbeatSent", () => heartbeats.push(performance.now()));
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

const send = (m: BenchReply): void => {
  process.send?.(m);
};

process.on("message", (m: BenchRequest) => {
  switch (m.type) {
    case "resetHeartbeats":
      heartbeats = [];
      loopDelay.reset();
      send({ type: "ok" });
      break;
    case "heartbeats":
      send({
        type: "heartbeats",
        times: heartbeats,
        loopDelayP99: loopDelay.percentile(99) / 1e6,
        loopDelayMax: loopDelay.max / 1e6,
      });
      break;
    case "rss":
      send({ type: "rss", bytes: process.memoryUsage().rss });
      break;
    case "cpu": {
      const c = process.cpuUsage();
      send({ type: "cpu", micros: c.user + c.system });
      break;
    }
    case "stop":
      void product.stop().finally(() => {
        rmSync(dir, { recursive: true, force: true });
        send({ type: "ok" });
        process.exit(0);
      });
      break;
  }
});

send({ type: "ready", port: product.httpPort ?? port });
// Timers of the system clock are unref'd; this keeps the child alive until "stop".
setInterval(() => undefined, 1 << 30);
