/**
 * The standalone simulator as a raw-TCP server (design.md §8): every connected client receives the
 * bus bytes and its writes go into the bus. One SimBus is shared by all clients (typically one).
 * The product connects with `interface.TCP.server` or `socket://host:port`.
 */
import { createServer, type Socket } from "node:net";
import type { Clock } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";
import { SimBus } from "./sim-bus.ts";
import type { SimSlaveDefInput } from "./types.ts";

/** Options of startSimServer. */
export interface SimServerOptions {
  host: string;
  /** 0 = an ephemeral port. */
  port: number;
  slaves: readonly SimSlaveDefInput[];
  clock: Clock;
  seed?: number;
  realisticTiming?: boolean;
}

/** A running simulator server. */
export interface SimServer {
  /** The port actually listened on. */
  port: number;
  bus: SimBus;
  /** Disconnects every client, stops listening and stops the bus. */
  close(): Promise<void>;
}

/** Starts the bus and listens; rejects with TRANSPORT_OPEN_FAILED when the address cannot be bound. */
export async function startSimServer(opts: SimServerOptions): Promise<SimServer> {
  const bus = new SimBus({
    clock: opts.clock,
    slaves: opts.slaves,
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.realisticTiming === undefined ? {} : { realisticTiming: opts.realisticTiming }),
  });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const off = bus.onData((bytes) => {
      if (!socket.destroyed) socket.write(bytes);
    });
    socket.on("data", (data: Buffer) => bus.write(new Uint8Array(data)));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      off();
      sockets.delete(socket);
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port, opts.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (e) {
    bus.stop();
    throw new TwcError({
      code: "TRANSPORT_OPEN_FAILED",
      message: `cannot listen on ${opts.host}:${opts.port}: ${e instanceof Error ? e.message : String(e)}`,
      cause: e,
    });
  }
  const addr = server.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : opts.port;
  let closing: Promise<void> | null = null;
  return {
    port,
    bus,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        bus.stop();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
