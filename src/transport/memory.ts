/**
 * An in-memory duplex pair of BusPorts for tests: what one side writes the other side receives
 * asynchronously (on a microtask, in write order). Closing either side closes both.
 */
import { TwcError } from "../shared/errors.ts";
import type { BusBinding, BusPort, BusPortEvents } from "./port.ts";

/** Shared state of one pair (so closing one side closes both). */
interface PairLink {
  closed: boolean;
  ends: [MemoryPort, MemoryPort];
}

/** One end of an in-memory pair. */
export class MemoryPort implements BusPort {
  readonly #dataListeners: BusPortEvents["data"][] = [];
  readonly #closeListeners: BusPortEvents["close"][] = [];
  #link: PairLink | null = null;
  #peer: MemoryPort | null = null;

  /** True once the pair is closed. */
  get closed(): boolean {
    return this.#link?.closed ?? true;
  }

  /** @internal Connects two fresh ends; used by createMemoryPair. */
  static connect(a: MemoryPort, b: MemoryPort): void {
    const link: PairLink = { closed: false, ends: [a, b] };
    a.#link = link;
    b.#link = link;
    a.#peer = b;
    b.#peer = a;
  }

  /** Delivers a copy of `bytes` to the other end on a microtask. Rejects with TRANSPORT_CLOSED when closed. */
  write(bytes: Uint8Array): Promise<void> {
    const link = this.#link;
    const peer = this.#peer;
    if (!link || !peer || link.closed) {
      return Promise.reject(new TwcError({ code: "TRANSPORT_CLOSED", message: "the memory port is closed" }));
    }
    const copy = bytes.slice();
    queueMicrotask(() => {
      if (!link.closed) peer.#emitData(copy);
    });
    return Promise.resolve();
  }

  /** Closes both ends; each emits `close` without an error. Idempotent. */
  close(): Promise<void> {
    this.#shutdown(undefined);
    return Promise.resolve();
  }

  /** Test hook: closes both ends as if the connection failed; each emits `close(error)`. */
  fail(error: Error): void {
    this.#shutdown(error);
  }

  /** Registers a listener. */
  on<E extends keyof BusPortEvents>(event: E, listener: BusPortEvents[E]): void {
    if (event === "data") this.#dataListeners.push(listener as BusPortEvents["data"]);
    else this.#closeListeners.push(listener as BusPortEvents["close"]);
  }

  #emitData(bytes: Uint8Array): void {
    for (const l of [...this.#dataListeners]) l(bytes);
  }

  #emitClose(error: Error | undefined): void {
    for (const l of [...this.#closeListeners]) l(error);
  }

  #shutdown(error: Error | undefined): void {
    const link = this.#link;
    if (!link || link.closed) return;
    link.closed = true;
    for (const end of link.ends) end.#emitClose(error);
  }
}

/** Creates two connected in-memory ports. */
export function createMemoryPair(): [MemoryPort, MemoryPort] {
  const a = new MemoryPort();
  const b = new MemoryPort();
  MemoryPort.connect(a, b);
  return [a, b];
}

/** Options of createMemoryBinding. */
export interface MemoryBindingOptions {
  interfaceName?: BusBinding["interfaceName"];
  endpoint?: string | null;
}

/**
 * A BusBinding over in-memory ports: `source` is one port (open() hands it out once while it is not
 * closed) or a factory called on every open() (which may throw or reject to simulate open failures).
 */
export function createMemoryBinding(
  source: MemoryPort | (() => BusPort | Promise<BusPort>),
  opts: MemoryBindingOptions = {},
): BusBinding {
  let handedOut = false;
  return {
    interfaceName: opts.interfaceName ?? "Dummy",
    endpoint: opts.endpoint === undefined ? "memory" : opts.endpoint,
    async open(): Promise<BusPort> {
      if (typeof source === "function") return source();
      if (handedOut || source.closed) {
        throw new TwcError({
          code: "TRANSPORT_OPEN_FAILED",
          message: "the memory port is already used or closed",
        });
      }
      handedOut = true;
      return source;
    },
  };
}
