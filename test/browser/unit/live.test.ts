/** live.ts: state and patch events, resynchronisation, polling fallback and reopening, on a fake clock. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ApiResult } from "../../../src/web/api.ts";
import type { WebClock } from "../../../src/web/clock.ts";
import { LiveState, POLL_MS, type EventSourceLike } from "../../../src/web/live.ts";

class FakeClock implements WebClock {
  t = 0;
  private timers = new Map<number, { at: number; every: number | null; fn: () => void }>();
  private next = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): number {
    this.timers.set(this.next, { at: this.t + ms, every: null, fn });
    return this.next++;
  }
  clearTimeout(h: number): void {
    this.timers.delete(h);
  }
  setInterval(fn: () => void, ms: number): number {
    this.timers.set(this.next, { at: this.t + ms, every: ms, fn });
    return this.next++;
  }
  clearInterval(h: number): void {
    this.timers.delete(h);
  }
  pending(): number {
    return this.timers.size;
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, x]) => x.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      const [id, tm] = due;
      this.t = tm.at;
      if (tm.every === null) this.timers.delete(id);
      else tm.at += tm.every;
      tm.fn();
    }
    this.t = end;
  }
}

class FakeSource implements EventSourceLike {
  readyState = 0;
  onerror: ((ev: Event) => unknown) | null = null;
  closed = false;
  private listeners = new Map<string, ((ev: { data: string }) => void)[]>();
  addEventListener(type: string, l: (ev: { data: string }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  emit(type: string, data: unknown): void {
    this.readyState = 1;
    for (const l of this.listeners.get(type) ?? []) l({ data: JSON.stringify(data) });
  }
  fail(closed: boolean): void {
    this.readyState = closed ? 2 : 0;
    this.onerror?.({} as Event);
  }
}

function doc(revision: number, amps = 0): Record<string, unknown> {
  return { schemaVersion: 1, revision, chargers: [{ id: "4142", reportedAmpsActual: amps }], energy: {} };
}

function setup(): {
  live: LiveState;
  clock: FakeClock;
  sources: FakeSource[];
  polls: { n: number; reply: ApiResult<unknown> };
} {
  const clock = new FakeClock();
  const sources: FakeSource[] = [];
  const polls = { n: 0, reply: { ok: true, status: 200, data: doc(50, 7) } as ApiResult<unknown> };
  const live = new LiveState({
    clock,
    openStream: () => {
      const s = new FakeSource();
      sources.push(s);
      return s;
    },
    fetchState: () => {
      polls.n++;
      return Promise.resolve(polls.reply);
    },
  });
  return { live, clock, sources, polls };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
const amps = (l: LiveState): unknown =>
  (l.snapshot.state?.chargers[0] as { reportedAmpsActual?: unknown } | undefined)?.reportedAmpsActual;

test("a state event makes the UI live and patches update it in place", () => {
  const { live, sources } = setup();
  const seen: string[] = [];
  live.subscribe((s) => seen.push(s.connection));
  live.start();
  assert.equal(live.snapshot.connection, "connecting");
  sources[0]!.emit("state", doc(10));
  assert.equal(live.snapshot.connection, "live");
  sources[0]!.emit("patch", {
    from: 10,
    to: 11,
    ops: [{ op: "replace", path: "/chargers/0/reportedAmpsActual", value: 15.5 }],
  });
  assert.equal(amps(live), 15.5);
  assert.equal(live.snapshot.state?.revision, 11);
  assert.deepEqual(seen, ["live", "live"]);
  live.stop();
});

test("a patch that does not follow our revision reopens the stream for a full state", () => {
  const { live, sources } = setup();
  live.start();
  sources[0]!.emit("state", doc(10));
  sources[0]!.emit("patch", { from: 12, to: 13, ops: [] });
  assert.equal(sources.length, 2);
  assert.ok(sources[0]!.closed);
  sources[1]!.emit("state", doc(13, 4));
  assert.equal(amps(live), 4);
  // An operation that does not fit the document also resynchronises.
  sources[1]!.emit("patch", { from: 13, to: 14, ops: [{ op: "remove", path: "/nope" }] });
  assert.equal(sources.length, 3);
  live.stop();
});

test("while the stream is down the state is polled every 5 s and the badge says so", async () => {
  const { live, clock, sources, polls } = setup();
  live.start();
  sources[0]!.emit("state", doc(10));
  sources[0]!.fail(false); // the browser retries by itself
  assert.equal(live.snapshot.connection, "polling");
  await flush();
  assert.equal(polls.n, 1);
  assert.equal(amps(live), 7);
  clock.advance(POLL_MS);
  await flush();
  assert.equal(polls.n, 2);
  polls.reply = { ok: false, status: 0, error: "Cannot reach TWCManager (network error)" };
  clock.advance(POLL_MS);
  await flush();
  assert.equal(live.snapshot.error, "Cannot reach TWCManager (network error)");
  assert.equal(live.snapshot.connection, "polling");
  // The browser's own reconnect delivers a state event: polling stops.
  sources[0]!.emit("state", doc(60));
  assert.equal(live.snapshot.connection, "live");
  assert.equal(live.snapshot.error, null);
  clock.advance(3 * POLL_MS);
  await flush();
  assert.equal(polls.n, 3);
  live.stop();
  assert.equal(clock.pending(), 0);
});

test("a stream closed for good (HTTP error) is reopened after 5 s", async () => {
  const { live, clock, sources } = setup();
  live.start();
  sources[0]!.fail(true);
  await flush();
  assert.equal(sources.length, 1);
  clock.advance(POLL_MS);
  await flush();
  assert.equal(sources.length, 2);
  sources[1]!.emit("state", doc(70));
  assert.equal(live.snapshot.connection, "live");
  live.stop();
  assert.equal(clock.pending(), 0);
});
