/**
 * The simulator's single reply FIFO (twc-protocol.md §13.1): entries are delivered in ready order
 * (FIFO among equal times), each entry contiguous, by one timer on the injected clock. With
 * realisticTiming an entry also takes 10 bit-times per byte and the line carries one entry at a time.
 */
import type { Clock, TimerHandle } from "../shared/clock.ts";
import type { TwcId } from "../protocol/frames.ts";

/** One thing to put on the wire. */
export interface FifoEntry {
  readyAt: number;
  /** The slave that sent it (null for injected noise). */
  source: TwcId | null;
  /** Delivered as separate onData chunks, in order. */
  chunks: Uint8Array[];
  /** Set once the entry started "transmitting" in realisticTiming mode. */
  deliverAt?: number;
}

/** The reply FIFO and its listeners. */
export class ReplyFifo {
  private readonly fifo: FifoEntry[] = [];
  private readonly listeners = new Set<(bytes: Uint8Array) => void>();
  private timer: TimerHandle | null = null;
  private timerAt = Infinity;
  private lineFreeAt = 0;
  private stopped = false;
  /** Exceptions thrown by listeners (caught so delivery goes on). */
  listenerErrors = 0;

  /** `byteMs` > 0 enables realistic timing (ms per byte on the line). */
  constructor(
    private readonly clock: Clock,
    private readonly byteMs = 0,
  ) {}

  /** Registers a receiver; returns the unsubscribe function. */
  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Inserts in readyAt order (stable), never before an entry already on the wire. Never delivers synchronously. */
  enqueue(entry: FifoEntry): void {
    if (this.stopped) return;
    let i = this.fifo.length;
    while (i > 0) {
      const prev = this.fifo[i - 1];
      if (!prev || prev.readyAt <= entry.readyAt || prev.deliverAt !== undefined) break;
      i--;
    }
    this.fifo.splice(i, 0, entry);
    this.schedule();
  }

  /** Removes the not yet transmitting entries of a source. */
  removeSource(source: TwcId): void {
    for (let k = this.fifo.length - 1; k >= 0; k--) {
      const f = this.fifo[k];
      if (f && f.source === source && f.deliverAt === undefined) this.fifo.splice(k, 1);
    }
  }

  /** Drops everything, clears the timer and the listeners; idempotent. */
  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.fifo.length = 0;
    this.listeners.clear();
  }

  private schedule(): void {
    const head = this.fifo[0];
    if (!head || this.stopped) return;
    const due = head.deliverAt ?? head.readyAt;
    if (this.timer && due >= this.timerAt) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timerAt = due;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Infinity;
        this.deliver();
      },
      Math.max(0, due - this.clock.now()),
    );
  }

  private deliver(): void {
    const now = this.clock.now();
    for (;;) {
      const head = this.fifo[0];
      if (!head) break;
      if (this.byteMs > 0 && head.deliverAt === undefined) {
        const size = head.chunks.reduce((n, c) => n + c.length, 0);
        head.deliverAt = Math.max(head.readyAt, this.lineFreeAt) + size * this.byteMs;
      }
      const due = head.deliverAt ?? head.readyAt;
      if (due > now) break;
      this.fifo.shift();
      this.lineFreeAt = due;
      for (const chunk of head.chunks) this.send(chunk);
      if (this.stopped) return;
    }
    this.schedule();
  }

  private send(chunk: Uint8Array): void {
    for (const l of [...this.listeners]) {
      try {
        l(chunk.slice());
      } catch {
        // Fault isolation (design.md §2): a failing receiver must not stop the bus.
        this.listenerErrors++;
      }
    }
  }
}
