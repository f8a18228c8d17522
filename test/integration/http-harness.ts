/**
 * An in-process product for HTTP contract tests: the real composition root (startProduct) with the
 * Dummy interface (one simulated slave 4142 unless configured otherwise), a silent logger, an optional
 * FakeClock, and real fastify listening on a loopback port.
 */
import pino from "pino";
import { loadConfigText } from "../../src/config/load.ts";
import { startProduct, type RunningProduct } from "../../src/cli/run.ts";
import type { Clock, FakeClock } from "../../src/shared/clock.ts";
import { freePort, tempDir } from "./helpers.ts";

/** Options of startHarness. */
export interface HarnessOptions {
  /** Keys merged into the `config` section. */
  core?: Record<string, unknown>;
  /** The `interface` section (default: Dummy with its default simulated slave 4142). */
  iface?: Record<string, unknown>;
  /** Keys merged into `control.HTTP`. */
  http?: Record<string, unknown>;
  /** Other top-level sections (e.g. `sources`, `policy`). */
  sections?: Record<string, unknown>;
  /** Settings directory to use (default: a fresh temporary one, removed by stop()). */
  settingsDir?: string;
  clock?: Clock;
  /** Port to listen on (default: a free one). */
  port?: number;
}

/** A running in-process product. */
export interface Harness {
  product: RunningProduct;
  port: number;
  settingsDir: string;
  config: Record<string, unknown>;
  /** `http://127.0.0.1:<port><path>`. */
  url(path: string): string;
  /** Stops the product and removes the temporary settings directory (if it created it). */
  stop(): Promise<void>;
}

/** A local wall-clock instant (machine time zone) for FakeClock, e.g. night(23) = Monday 23 Nov 2026 23:00. */
export function localInstant(hour: number, minute = 0, day = 23): number {
  return new Date(2026, 10, day, hour, minute, 0, 0).getTime();
}

/** Starts the product in-process; see HarnessOptions. */
export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const port = o.port ?? (await freePort());
  const temp = o.settingsDir === undefined ? tempDir("twcm-http-") : null;
  const settingsDir = o.settingsDir ?? temp!.dir;
  const config: Record<string, unknown> = {
    config: {
      settingsPath: settingsDir,
      wiringMaxAmpsAllTWCs: 32,
      wiringMaxAmpsPerTWC: 32,
      minAmpsPerTWC: 6,
      ...o.core,
    },
    interface: o.iface ?? { Dummy: { enabled: true, twcID: "AB" } },
    control: { HTTP: { enabled: true, listenPort: port, listenAddress: "127.0.0.1", ...o.http } },
    logging: { Console: { enabled: false } },
    ...o.sections,
  };
  const loaded = loadConfigText(JSON.stringify(config), "config.json");
  const product = await startProduct({
    config: loaded.config,
    raw: loaded.raw,
    logger: pino({ level: "silent" }),
    ...(o.clock ? { clock: o.clock } : {}),
  });
  return {
    product,
    port,
    settingsDir,
    config,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    stop: async () => {
      await product.stop();
      temp?.cleanup();
    },
  };
}

/** Advances a FakeClock in small steps until `cond` holds (at most `maxMs` of fake time). */
export async function advanceUntil(
  clock: FakeClock,
  cond: () => boolean,
  maxMs = 30_000,
  stepMs = 50,
): Promise<void> {
  for (let t = 0; t < maxMs; t += stepMs) {
    if (cond()) return;
    await clock.advanceAsync(stepMs, stepMs);
  }
  if (!cond()) throw new Error(`condition not reached within ${maxMs} ms of fake time`);
}
