/**
 * Live state for the web UI (design.md §13): an EventSource on /api/v2/events that applies the
 * server's JSON Patches to the state document, with a fallback to polling /api/v2/state every 5 s
 * while the stream is down (http-api.md §8.2, §10).
 *
 *   connecting ──state event──▶ live ──error──▶ polling ──state event──▶ live
 *                                                  │ every 5 s: GET /api/v2/state
 *                                                  └ stream closed for good: reopen after 5 s
 */
import type { StateDocument } from "../state/types.ts";
import type { ApiResult } from "./api.ts";
import type { TimerHandle, WebClock } from "./clock.ts";
import { applyPatch, asPatchOps, PatchError } from "./patch.ts";

/** Connection status shown in the header badge. */
export type Connection = "connecting" | "live" | "polling";

/** What subscribers see. */
export interface LiveSnapshot {
  state: StateDocument | null;
  connection: Connection;
  /** Last failure while polling (null when the last poll worked). */
  error: string | null;
}

/** The part of EventSource that LiveState uses (a fake in tests). */
export interface EventSourceLike {
  readonly readyState: number;
  onerror: ((ev: Event) => unknown) | null;
  addEventListener(type: string, listener: (ev: { data: string }) => void): void;
  close(): void;
}

/** Dependencies injected into LiveState. */
export interface LiveDeps {
  clock: WebClock;
  openStream(url: string): EventSourceLike;
  fetchState(): Promise<ApiResult<unknown>>;
}

/** Polling period and reopen delay (ms). */
export const POLL_MS = 5000;
const CLOSED = 2;

/** Loose check that a value is a state document of the supported schema. */
export function isStateDocument(v: unknown): v is StateDocument {
  if (typeof v !== "object" || v === null) return false;
  const d = v as Record<string, unknown>;
  return (
    d.schemaVersion === 1 &&
    typeof d.revision === "number" &&
    Array.isArray(d.chargers) &&
    typeof d.energy === "object"
  );
}

/** Keeps the state document current and notifies subscribers on every change. */
export class LiveState {
  private snap: LiveSnapshot = { state: null, connection: "connecting", error: null };
  private readonly listeners = new Set<(s: LiveSnapshot) => void>();
  private source: EventSourceLike | null = null;
  private pollTimer: TimerHandle | null = null;
  private reopenTimer: TimerHandle | null = null;
  private polling = false;
  private stopped = true;

  constructor(private readonly deps: LiveDeps) {}

  /** Current snapshot. */
  get snapshot(): LiveSnapshot {
    return this.snap;
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(fn: (s: LiveSnapshot) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Opens the stream. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  /** Closes the stream and every timer. */
  stop(): void {
    this.stopped = true;
    this.source?.close();
    this.source = null;
    this.stopPolling();
    if (this.reopenTimer !== null) this.deps.clock.clearTimeout(this.reopenTimer);
    this.reopenTimer = null;
  }

  /** Fetches the full state once (e.g. right after an action, in case the stream lags). */
  async refresh(): Promise<void> {
    const r = await this.deps.fetchState();
    if (r.ok && isStateDocument(r.data)) {
      const cur = this.snap.state;
      if (!cur || r.data.revision >= cur.revision) this.set({ state: r.data });
    }
  }

  private set(p: Partial<LiveSnapshot>): void {
    this.snap = { ...this.snap, ...p };
    for (const fn of this.listeners) fn(this.snap);
  }

  private open(): void {
    if (this.stopped) return;
    const es = this.deps.openStream("/api/v2/events");
    this.source = es;
    es.addEventListener("state", (ev) => {
      if (this.source !== es) return;
      let doc: unknown;
      try {
        doc = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (!isStateDocument(doc)) return;
      this.stopPolling();
      this.set({ state: doc, connection: "live", error: null });
    });
    es.addEventListener("patch", (ev) => {
      if (this.source !== es) return;
      this.onPatch(ev.data);
    });
    es.onerror = () => {
      if (this.source !== es || this.stopped) return;
      if (this.snap.connection !== "polling") this.set({ connection: "polling" });
      this.startPolling();
      if (es.readyState === CLOSED) this.scheduleReopen();
    };
  }

  private onPatch(data: string): void {
    const cur = this.snap.state;
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof msg !== "object" || msg === null) return;
    const { from, to, ops } = msg as { from?: unknown; to?: unknown; ops?: unknown };
    const list = asPatchOps(ops);
    if (typeof from !== "number" || typeof to !== "number" || list === null) return;
    if (cur && to <= cur.revision) return; // already applied (e.g. after a poll)
    if (!cur || cur.revision !== from) {
      this.resync();
      return;
    }
    try {
      const next = applyPatch(cur, list);
      this.stopPolling();
      this.set({ state: { ...next, revision: to }, connection: "live", error: null });
    } catch (err) {
      if (err instanceof PatchError) this.resync();
      else throw err;
    }
  }

  /** The stream and our copy disagree: reopen it, which starts with a full state event. */
  private resync(): void {
    this.source?.close();
    this.source = null;
    this.open();
  }

  private scheduleReopen(): void {
    this.source?.close();
    this.source = null;
    if (this.reopenTimer !== null) return;
    this.reopenTimer = this.deps.clock.setTimeout(() => {
      this.reopenTimer = null;
      this.open();
    }, POLL_MS);
  }

  private startPolling(): void {
    if (this.pollTimer !== null) return;
    void this.poll();
    this.pollTimer = this.deps.clock.setInterval(() => void this.poll(), POLL_MS);
  }

  private stopPolling(): void {
    if (this.pollTimer !== null) this.deps.clock.clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const r = await this.deps.fetchState();
      if (this.pollTimer === null) return; // the stream came back meanwhile
      if (r.ok && isStateDocument(r.data)) this.set({ state: r.data, error: null });
      else this.set({ error: r.ok ? "Unexpected state document" : r.error });
    } finally {
      this.polling = false;
    }
  }
}
