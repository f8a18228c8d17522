/**
 * The recent log records in memory (issue 13 §2, the Logs page): a bounded ring, newest last, each
 * record numbered (`seq`, the event id of the log stream), with filters by level and module and
 * listeners for what comes next. Pure.
 */
import type { LogRecord } from "./format.ts";

/** Records kept by default. */
export const LOG_RING_CAPACITY = 2000;

/** A record of the ring with its sequence number (1, 2, … per process). */
export interface RingEntry {
  seq: number;
  record: LogRecord;
}

/** Which records a reader wants. */
export interface LogFilter {
  /** Lowest level number (pino's 10…60). */
  minLevel?: number;
  /** Exact module name; "-" matches records without a module. */
  module?: string;
  /** Only records after this sequence number (a resumed stream). */
  afterSeq?: number;
  /** At most this many of the newest matching records. */
  limit?: number;
}

/** What the HTTP layer reads (http/v2/logs.ts). */
export interface LogSource {
  /** Matching records, oldest first. */
  recent(filter?: LogFilter): RingEntry[];
  /** Module names seen in the retained records, sorted. */
  modules(): string[];
  /** How many records the ring keeps. */
  readonly capacity: number;
  /** Calls `fn` for every record added from now on; returns the unsubscribe function. */
  subscribe(fn: (entry: RingEntry) => void): () => void;
}

/** True when `entry` passes `filter` (apart from limit). */
export function matches(entry: RingEntry, filter: LogFilter): boolean {
  const r = entry.record;
  if (filter.minLevel !== undefined && r.level < filter.minLevel) return false;
  if (filter.afterSeq !== undefined && entry.seq <= filter.afterSeq) return false;
  if (filter.module !== undefined && filter.module !== "") {
    const m = typeof r.module === "string" && r.module !== "" ? r.module : "-";
    if (m !== filter.module) return false;
  }
  return true;
}

/** The ring of recent records. */
export class LogRing implements LogSource {
  private readonly items: (RingEntry | undefined)[];
  /** Index of the next write. */
  private head = 0;
  private count = 0;
  private seq = 0;
  private readonly listeners = new Set<(entry: RingEntry) => void>();

  constructor(readonly capacity: number = LOG_RING_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer (found ${capacity})`);
    this.items = new Array<RingEntry | undefined>(capacity);
  }

  /** Records retained now. */
  get size(): number {
    return this.count;
  }

  /** Adds a record (the oldest is dropped when full) and tells the listeners. */
  push(record: LogRecord): RingEntry {
    const entry = { seq: ++this.seq, record };
    this.items[this.head] = entry;
    this.head = (this.head + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
    for (const fn of [...this.listeners]) {
      try {
        fn(entry);
      } catch {
        // A reader's failure (a closed stream) never breaks logging.
      }
    }
    return entry;
  }

  /** Matching records, oldest first; `limit` keeps the newest ones. */
  recent(filter: LogFilter = {}): RingEntry[] {
    const out: RingEntry[] = [];
    const start = (this.head - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) {
      const e = this.items[(start + i) % this.capacity];
      if (e && matches(e, filter)) out.push(e);
    }
    return filter.limit !== undefined && out.length > filter.limit ? out.slice(out.length - filter.limit) : out;
  }

  /** Module names of the retained records, sorted ("-" for records without one). */
  modules(): string[] {
    const names = new Set<string>();
    for (const e of this.items) {
      if (!e) continue;
      const m = e.record.module;
      names.add(typeof m === "string" && m !== "" ? m : "-");
    }
    return [...names].sort();
  }

  /** Listens for new records. */
  subscribe(fn: (entry: RingEntry) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
