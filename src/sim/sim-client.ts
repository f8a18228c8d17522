/**
 * The simulator as a bridge that connects OUT (issue 13 §4): the counterpart of the product's
 * `interface.TCP.listen: true`, as an RS-485 bridge in TCP-client mode behaves. It connects to
 * host:port, carries the SimBus bytes both ways and, when the connection fails or drops, connects
 * again after `retryMs` until close(). One SimBus lives across connections.
 */
import { connect, type Socket } from "node:net";
import type { Clock, TimerHandle } from "../shared/clock.ts";
import { SimBus } from "./sim-bus.ts";
import type { SimSlaveDefInput } from "./types.ts";

/** Options of startSimClient. */
export interface SimClientOptions {
  host: string;
  port: number;
  slaves: readonly SimSlaveDefInput[];
  clock: Clock;
  seed?: number;
  realisticTiming?: boolean;
  /** Delay before connecting again (ms), default 1000. */
  retryMs?: number;
}

/** A running simulator client. */
export interface SimClient {
  bus: SimBus;
  /** True while connected. */
  readonly connected: boolean;
  /** Connections made so far. */
  readonly connections: number;
  /** Drops the current connection (the client connects again after retryMs). */
  drop(): void;
  /** Stops connecting, closes the connection and stops the bus. */
  close(): Promise<void>;
}

/** Starts the bus and connects (retrying until close()). */
export function startSimClient(opts: SimClientOptions): SimClient {
  const bus = new SimBus({
    clock: opts.clock,
    slaves: opts.slaves,
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.realisticTiming === undefined ? {} : { realisticTiming: opts.realisticTiming }),
  });
  const retryMs = opts.retryMs ?? 1000;
  let socket: Socket | null = null;
  let connected = false;
  let connections = 0;
  let stopped = false;
  let timer: TimerHandle | null = null;

  const off = bus.onData((bytes) => {
    if (connected && socket && !socket.destroyed) socket.write(bytes);
  });

  const retry = (): void => {
    if (stopped || timer) return;
    timer = opts.clock.setTimeout(() => {
      timer = null;
      dial();
    }, retryMs);
  };

  const dial = (): void => {
    if (stopped) return;
    const s = connect({ host: opts.host, port: opts.port });
    socket = s;
    s.setNoDelay(true);
    s.on("connect", () => {
      connected = true;
      connections++;
    });
    s.on("data", (data: Buffer) => bus.write(new Uint8Array(data)));
    s.on("error", () => undefined); // the close below retries
    s.on("close", () => {
      if (socket === s) {
        socket = null;
        connected = false;
      }
      retry();
    });
  };

  dial();
  return {
    bus,
    get connected() {
      return connected;
    },
    get connections() {
      return connections;
    },
    drop(): void {
      socket?.destroy();
    },
    async close(): Promise<void> {
      stopped = true;
      if (timer) opts.clock.clearTimeout(timer);
      timer = null;
      off();
      const s = socket;
      socket = null;
      connected = false;
      if (s && !s.destroyed) await new Promise<void>((r) => s.once("close", () => r()).destroy());
      bus.stop();
    },
  };
}
