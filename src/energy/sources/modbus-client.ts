/**
 * Modbus TCP sessions for the energy sources (SolarEdge, Kostal; energy-sources.md §5.5, §17) on the
 * `modbus-serial` client: connect, read holding registers (function 3), disconnect. Every step is timed
 * out on the injected clock and aborted when the source stops; any failure becomes a SourceFetchError.
 * The library's own timers are not used (its timeout stays unset), so nothing here runs on real time.
 */
import modbusSerial from "modbus-serial";
import type { Clock } from "../../shared/clock.ts";
import { SourceFetchError } from "../polling-source.ts";
import { errorMessage } from "../source.ts";
import { traceExchange } from "../source-trace.ts";

// The CommonJS module is its own `default` (module.exports.default = module.exports): the client class.
const ModbusRTU = modbusSerial.default;
/** The modbus-serial client. */
type ModbusClient = InstanceType<typeof ModbusRTU>;

/** Where and how to reach one Modbus TCP device. */
export interface ModbusTcpTarget {
  host: string;
  port: number;
  unitId: number;
  clock: Clock;
  /** Timeout of the connect and of each request (ms). */
  timeoutMs: number;
  /** Tries per request after a timeout (the connection is kept): 1 = no retry. */
  tries?: number;
  /** Aborts the session (source stopped). */
  signal?: AbortSignal;
}

/** Reads holding registers within an open session. */
export interface HoldingReader {
  /** Reads `length` holding registers from wire (PDU) address `address`; resolves with exactly `length` words. */
  read(address: number, length: number): Promise<number[]>;
}

/** Opens a session, runs `fn` with it and always closes the connection (one client at a time, §5.5). */
export async function withModbusTcp<T>(t: ModbusTcpTarget, fn: (r: HoldingReader) => Promise<T>): Promise<T> {
  // An empty host would make the socket connect to localhost.
  if (t.host.trim() === "") throw new SourceFetchError("no Modbus TCP host configured");
  const client = new ModbusRTU();
  // The client re-emits port errors; without a listener an EventEmitter "error" would throw.
  client.on("error", () => undefined);
  client.setID(t.unitId);
  try {
    try {
      await step(t, client, "connect", () => client.connectTCP(t.host, { port: t.port }));
    } catch (err) {
      traceExchange(`Modbus ${t.host}:${t.port}: connect`, null, "", errorMessage(err));
      throw err;
    }
    const tries = Math.max(1, t.tries ?? 1);
    return await fn({
      async read(address, length) {
        const what = `Modbus ${t.host}:${t.port} unit ${t.unitId}: read holding registers ${address} ×${length}`;
        for (let attempt = 1; ; attempt++) {
          let res: { data: number[] };
          try {
            res = await step(t, client, `register ${address}`, () => client.readHoldingRegisters(address, length));
          } catch (err) {
            traceExchange(what, null, "", errorMessage(err));
            if (!(err instanceof ModbusTimeout) || attempt >= tries) throw err;
            continue;
          }
          traceExchange(what, null, JSON.stringify(res.data));
          if (res.data.length !== length)
            throw new SourceFetchError(`register ${address}: ${res.data.length} words instead of ${length}`);
          return res.data;
        }
      },
    });
  } finally {
    close(client);
  }
}

/** A request that did not answer in time (retried when tries allow). */
class ModbusTimeout extends SourceFetchError {}

/** Runs one library call, failing after the timeout (on the clock) or when the signal aborts. */
function step<T>(t: ModbusTcpTarget, client: ModbusClient, what: string, call: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (): void => {
      done = true;
      t.clock.clearTimeout(timer);
      t.signal?.removeEventListener("abort", onAbort);
    };
    const timer = t.clock.setTimeout(() => {
      if (done) return;
      finish();
      reject(new ModbusTimeout(`${what}: timeout after ${t.timeoutMs} ms`));
    }, t.timeoutMs);
    const onAbort = (): void => {
      if (done) return;
      finish();
      close(client);
      reject(new SourceFetchError("stopped"));
    };
    if (t.signal?.aborted === true) {
      onAbort();
      return;
    }
    t.signal?.addEventListener("abort", onAbort);
    let pending: Promise<T>;
    try {
      pending = call();
    } catch (err) {
      finish();
      reject(new SourceFetchError(`${what}: ${errorMessage(err)}`));
      return;
    }
    pending.then(
      (v) => {
        if (done) return;
        finish();
        resolve(v);
      },
      (err: unknown) => {
        if (done) return;
        finish();
        reject(new SourceFetchError(`${what}: ${errorMessage(err)}`));
      },
    );
  });
}

/** Drops the connection at once; never throws. */
function close(client: ModbusClient): void {
  try {
    client.destroy(() => undefined);
  } catch {
    // Already closed: nothing to release.
  }
}
