/**
 * The per-topic rate limit of MQTT status (config.md §5.2): a change within `ratelimit` seconds of the
 * topic's previous publish is deferred and the latest value is published when the window ends, so
 * nothing is lost; bypassing changes go out at once; a value equal to the one published is not sent
 * again. Nothing is kept for a disconnected broker: `reset()` drops what is pending and the module
 * republishes everything on the next connect.
 */
import type { Clock, TimerHandle } from "../../shared/clock.ts";

/** Sends one retained message; false when it could not be sent (disconnected). */
export type SendFn = (topic: string, payload: string) => boolean;

interface TopicState {
  sent: string | null;
  sentAt: number | null;
  pending: string | null;
  timer: TimerHandle | null;
}

/** Rate-limited, deduplicating publisher. */
export class RateLimiter {
  private readonly topics = new Map<string, TopicState>();

  constructor(
    private readonly clock: Clock,
    /** The window (ms); 0 disables the limit. */
    private readonly windowMs: number,
    private readonly send: SendFn,
  ) {}

  /** Offers the topic's newest value. */
  offer(topic: string, payload: string, bypass = false): void {
    const t = this.state(topic);
    if (t.pending === null && t.sent === payload) return;
    const now = this.clock.now();
    if (bypass || this.windowMs <= 0 || t.sentAt === null || now - t.sentAt >= this.windowMs) {
      this.sendNow(topic, t, payload);
      return;
    }
    if (payload === t.sent) {
      this.cancel(t);
      return;
    }
    t.pending = payload;
    if (t.timer === null) {
      t.timer = this.clock.setTimeout(
        () => {
          t.timer = null;
          const p = t.pending;
          t.pending = null;
          if (p !== null) this.sendNow(topic, t, p);
        },
        t.sentAt + this.windowMs - now,
      );
    }
  }

  /** Sends every entry now, whatever the windows (a (re)connect or a Home Assistant restart). */
  republish(entries: Iterable<readonly [string, string]>): void {
    for (const [topic, payload] of entries) this.sendNow(topic, this.state(topic), payload);
  }

  /** Forgets what was sent and drops what is pending (the connection was lost). */
  reset(): void {
    for (const t of this.topics.values()) this.cancel(t);
    this.topics.clear();
  }

  /** Number of deferred values (for tests and metrics). */
  get pendingCount(): number {
    let n = 0;
    for (const t of this.topics.values()) if (t.pending !== null) n++;
    return n;
  }

  private state(topic: string): TopicState {
    let t = this.topics.get(topic);
    if (!t) {
      t = { sent: null, sentAt: null, pending: null, timer: null };
      this.topics.set(topic, t);
    }
    return t;
  }

  private cancel(t: TopicState): void {
    if (t.timer !== null) this.clock.clearTimeout(t.timer);
    t.timer = null;
    t.pending = null;
  }

  private sendNow(topic: string, t: TopicState, payload: string): void {
    this.cancel(t);
    if (!this.send(topic, payload)) return;
    t.sent = payload;
    t.sentAt = this.clock.now();
  }
}
