/**
 * The RS485 interface over a local serial device (config.md §4.2, twc-protocol.md §1): 8N1, no flow
 * control, `serialport` 13. The port list is never enumerated (SerialPort.list() is not called: it is not
 * needed and fails in containers). Buffers are converted to plain Uint8Arrays at this boundary.
 */
import { TwcError } from "../shared/errors.ts";
import { openFailed } from "./open-error.ts";
import type { BusBinding, BusPort, BusPortEvents } from "./port.ts";

/** Options of the serial binding. */
export interface SerialBindingOptions {
  /** Device path, e.g. /dev/ttyUSB0. */
  path: string;
  /** Baud rate (9600 on a TWC bus). */
  baud: number;
}

/** The minimal surface of a serialport stream used here (SerialPort, or SerialPortMock in tests). */
export interface SerialStreamLike {
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  write(data: Buffer, cb: (err: Error | null | undefined) => void): boolean;
  /** Waits until the written bytes left the UART (tcdrain). */
  drain?(cb: (err: Error | null) => void): void;
  /** Discards bytes not yet transmitted. */
  flush?(cb: (err: Error | null) => void): void;
  on(event: "data", listener: (chunk: Buffer) => void): this;
  on(event: "close", listener: (err: Error | null) => void): this;
  on(event: "error" | "end", listener: (err?: Error) => void): this;
}

/** Creates the (not yet opened) serialport stream; replaceable in tests. */
export type SerialStreamFactory = (opts: SerialBindingOptions) => SerialStreamLike | Promise<SerialStreamLike>;

/**
 * The real factory: 8 data bits, no parity, 1 stop bit, no hardware or software flow control.
 * `serialport` is loaded on first use, so the demo and TCP setups do not pay its memory.
 */
export const realSerialStream: SerialStreamFactory = async ({ path, baud }) => {
  const { SerialPort } = await import("serialport");
  return new SerialPort({
    path,
    baudRate: baud,
    dataBits: 8,
    parity: "none",
    stopBits: 1,
    rtscts: false,
    xon: false,
    xoff: false,
    xany: false,
    autoOpen: false,
  });
};

/** A BusBinding for a serial device (interfaceName "RS485", endpoint = the path). */
export function createSerialBinding(
  opts: SerialBindingOptions,
  factory: SerialStreamFactory = realSerialStream,
): BusBinding {
  return {
    interfaceName: "RS485",
    endpoint: opts.path,
    async open(): Promise<BusPort> {
      // "cannot open serial port /dev/ttyUSB0: no such file or directory", context path, reason, errno.
      const failure = (err: unknown): TwcError => openFailed(`open serial port ${opts.path}`, { path: opts.path }, err);
      let stream: SerialStreamLike;
      try {
        stream = await factory(opts);
      } catch (err) {
        throw failure(err); // invalid options throw synchronously in the SerialPort constructor
      }
      return new Promise<BusPort>((resolve, reject) => {
        // Attach the listeners before opening so no early byte or error is lost.
        const port = new SerialBusPort(stream, opts.path);
        stream.open((err) => {
          if (err) reject(failure(err));
          else resolve(port);
        });
      });
    },
  };
}

/** An open serial device as a BusPort. */
class SerialBusPort implements BusPort {
  readonly #dataListeners: BusPortEvents["data"][] = [];
  readonly #closeListeners: BusPortEvents["close"][] = [];
  #closed = false;
  #abortError: Error | undefined;

  constructor(
    private readonly stream: SerialStreamLike,
    private readonly path: string,
  ) {
    stream.on("data", (chunk: Buffer) => {
      if (this.#closed) return;
      const bytes = new Uint8Array(chunk); // copy: the stream reuses its read pool
      for (const l of [...this.#dataListeners]) l(bytes);
    });
    // A disconnect (device unplugged, pty master gone) closes the stream with a DisconnectedError.
    stream.on("close", (err: Error | null) => {
      this.#finish(err ?? this.#abortError);
    });
    // Any other stream error: give the device up; the reconnecting wrapper opens it again.
    stream.on("error", (err?: Error) => {
      this.#abort(err ?? new Error("serial port error"));
    });
    // Zero-byte read = end of file on the device: treat it as a disconnect.
    stream.on("end", () => {
      this.#abort(
        new TwcError({ code: "TRANSPORT_CLOSED", message: `serial port ${this.path} reached end of file` }),
      );
    });
  }

  /**
   * Writes and then waits for the UART to drain (when the stream can), so a write completes only once
   * its bytes are on the wire: nothing piles up in the OS behind a stuck adapter (the reconnecting
   * port's stall detection sees it instead).
   */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed || !this.stream.isOpen) {
      return Promise.reject(
        new TwcError({ code: "TRANSPORT_CLOSED", message: `serial port ${this.path} is closed` }),
      );
    }
    const failed = (err: Error): TwcError =>
      new TwcError({
        code: "TRANSPORT_WRITE_FAILED",
        message: `write to serial port ${this.path} failed: ${err.message}`,
        context: { path: this.path },
        cause: err,
      });
    return new Promise<void>((resolve, reject) => {
      this.stream.write(Buffer.from(bytes), (err) => {
        if (err) {
          reject(failed(err));
          return;
        }
        if (!this.stream.drain || this.#closed) {
          resolve();
          return;
        }
        this.stream.drain((drainErr) => (drainErr ? reject(failed(drainErr)) : resolve()));
      });
    });
  }

  /** Discards untransmitted bytes, then closes. */
  abort(): Promise<void> {
    if (this.#closed || !this.stream.flush || !this.stream.isOpen) return this.close();
    return new Promise<void>((resolve) => {
      try {
        this.stream.flush?.(() => resolve());
      } catch {
        resolve();
      }
    }).then(() => this.close());
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#closeStream(() => {
        this.#finish(undefined);
        resolve();
      });
    });
  }

  on<E extends keyof BusPortEvents>(event: E, listener: BusPortEvents[E]): void {
    if (event === "data") this.#dataListeners.push(listener as BusPortEvents["data"]);
    else this.#closeListeners.push(listener as BusPortEvents["close"]);
  }

  #closeStream(done: () => void): void {
    if (!this.stream.isOpen) {
      done();
      return;
    }
    try {
      this.stream.close(() => done()); // a close error leaves nothing for us to do
    } catch {
      done();
    }
  }

  #abort(error: Error): void {
    if (this.#closed) return;
    this.#abortError ??= error; // the stream's own `close` event (without an error) may come first
    this.#closeStream(() => this.#finish(error));
  }

  #finish(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const l of [...this.#closeListeners]) l(error);
  }
}
