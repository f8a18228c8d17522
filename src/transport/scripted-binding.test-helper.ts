/** Test doubles shared by the transport tests: a scripted binding, gaps() and flush(). */
import type { Clock } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";
import { createMemoryPair, type MemoryPort } from "./memory.ts";
import type { BusBinding, BusPort } from "./port.ts";

/**
 * A binding whose open() fails while `failNext` > 0 (or while `down`), and otherwise opens a new
 * in-memory pair, keeping the far end in `peers`. Records the clock time of every open() call.
 */
export class ScriptedBinding implements BusBinding {
  readonly interfaceName = "TCP" as const;
  readonly endpoint = "test:1";
  readonly openedAt: number[] = [];
  readonly peers: MemoryPort[] = [];
  readonly ports: MemoryPort[] = [];
  failNext = 0;
  down = false;

  constructor(private readonly clock: Clock) {}

  open(): Promise<BusPort> {
    this.openedAt.push(this.clock.now());
    if (this.down || this.failNext > 0) {
      if (this.failNext > 0) this.failNext--;
      return Promise.reject(new TwcError({ code: "TRANSPORT_OPEN_FAILED", message: "no such device" }));
    }
    const [near, far] = createMemoryPair();
    this.ports.push(near);
    this.peers.push(far);
    return Promise.resolve(near);
  }

  /** The far end of the latest pair. */
  get peer(): MemoryPort {
    const p = this.peers.at(-1);
    if (!p) throw new Error("never opened");
    return p;
  }
}

/** Gaps between consecutive values. */
export function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((t, i) => t - (times[i] ?? 0));
}

/** Lets promise callbacks and microtasks run. */
export function flush(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
