/**
 * A loopback Modbus TCP device for the source tests: `modbus-serial`'s ServerTCP on 127.0.0.1 and a free
 * port, serving holding registers from a map (unit id checked by the server; a wrong one gets no answer).
 * Switches: hang (no answer), an exception for an address, one client at a time (busy exception 6 while
 * another connection is open). Counts connections and requests.
 */
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { ServerTCP } from "modbus-serial";

/** A running fake device. */
export interface ModbusFake {
  host: string;
  port: number;
  /** Holding registers by wire address (16-bit words); mutable. */
  registers: Map<number, number>;
  /** When true, requests get no answer. */
  hang: boolean;
  /** Addresses whose reads answer with exception 2 (illegal data address). */
  failAt: Set<number>;
  /** Reads starting at these addresses, in order. */
  requests: number[];
  /** Largest number of connections open at once. */
  maxOpen: number;
  /** Connections open now. */
  open(): number;
  close(): Promise<void>;
}

/** Options of the fake. */
export interface ModbusFakeOptions {
  unitId: number;
  registers?: Iterable<[number, number]>;
  /** Refuses requests (exception 6, busy) while another client is connected. */
  oneClientAtATime?: boolean;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Starts the fake (a few tries if the free port was taken meanwhile). */
export async function startModbusFake(o: ModbusFakeOptions): Promise<ModbusFake> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startOn(await freePort(), o);
    } catch (err) {
      if (attempt >= 4) throw err;
    }
  }
}

async function startOn(port: number, o: ModbusFakeOptions): Promise<ModbusFake> {
  let server: ServerTCP | null = null;
  const fake: ModbusFake = {
    host: "127.0.0.1",
    port,
    registers: new Map(o.registers ?? []),
    hang: false,
    failAt: new Set(),
    requests: [],
    maxOpen: 0,
    open: () => server?.socks.size ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        if (server) server.close(() => resolve());
        else resolve();
      }),
  };
  const vector = {
    // Single-register reads (length 1) come here, longer ones to getMultipleHoldingRegisters.
    getHoldingRegister(addr: number, unit: number, cb: (err: Error | null, v: number) => void): void {
      vector.getMultipleHoldingRegisters(addr, 1, unit, (err, v) => cb(err, v[0] ?? 0));
    },
    getMultipleHoldingRegisters(
      addr: number,
      length: number,
      _unit: number,
      cb: (err: Error | null, v: number[]) => void,
    ): void {
      fake.requests.push(addr);
      const open = fake.open();
      fake.maxOpen = Math.max(fake.maxOpen, open);
      if (fake.hang) return;
      if (o.oneClientAtATime === true && open > 1) {
        cb(Object.assign(new Error("busy"), { modbusErrorCode: 6 }), []);
        return;
      }
      const out: number[] = [];
      for (let a = addr; a < addr + length; a++) {
        const v = fake.registers.get(a);
        if (v === undefined || fake.failAt.has(a)) {
          cb(Object.assign(new Error("illegal address"), { modbusErrorCode: 2 }), []);
          return;
        }
        out.push(v);
      }
      cb(null, out);
    },
  };
  await new Promise<void>((resolve, reject) => {
    const s = new ServerTCP(vector, { host: "127.0.0.1", port, unitID: o.unitId });
    server = s;
    s.on("initialized", () => resolve());
    s.on("serverError", (err) => reject(err ?? new Error("server error")));
    s.on("socketError", () => undefined);
  });
  return fake;
}
