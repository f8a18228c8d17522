import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../shared/clock.ts";
import { WriteQueue, type WriteOutcome } from "./write-queue.ts";
import { flush } from "./scripted-binding.test-helper.ts";

/** A sink whose writes complete only when the test says so. */
function manualSink(): {
  written: number[][];
  sink: (bytes: Uint8Array) => Promise<void>;
  complete(): void;
  fail(err: Error): void;
} {
  const written: number[][] = [];
  const pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
  return {
    written,
    sink: (bytes) =>
      new Promise<void>((resolve, reject) => {
        written.push([...bytes]);
        pending.push({ resolve, reject });
      }),
    complete: () => pending.shift()?.resolve(),
    fail: (err) => pending.shift()?.reject(err),
  };
}

function setup(maxBytes = 64): {
  clock: FakeClock;
  q: WriteQueue;
  s: ReturnType<typeof manualSink>;
  stalls: number[];
} {
  const clock = new FakeClock();
  const stalls: number[] = [];
  const q = new WriteQueue({ clock, maxBytes, stallMs: 5000, onStall: (ms) => stalls.push(ms) });
  const s = manualSink();
  q.attach(s.sink);
  return { clock, q, s, stalls };
}

describe("WriteQueue", () => {
  it("hands an idle write to the sink at once and keeps one write in the OS at a time", async () => {
    const { q, s } = setup();
    const a = q.push(Uint8Array.of(1), 1000);
    const b = q.push(Uint8Array.of(2), 1000);
    assert.deepEqual(s.written, [[1]], "the first write is synchronous, the second waits");
    assert.equal(q.stats.queuedBytes, 1);
    s.complete();
    assert.equal(await a, "written");
    await flush();
    assert.deepEqual(s.written, [[1], [2]]);
    s.complete();
    assert.equal(await b, "written");
    assert.equal(q.stats.queuedBytes, 0);
  });

  it("drops a write that waited past its deadline and never hands it to the sink", async () => {
    const { clock, q, s } = setup();
    void q.push(Uint8Array.of(1), 1000); // in the OS, not completing
    const heartbeat = q.push(Uint8Array.of(0xfb, 0xe0), 1000);
    const query = q.push(Uint8Array.of(0xfb, 0xeb), 5000);
    clock.advance(1500);
    s.complete();
    assert.equal(await heartbeat, "stale");
    await flush();
    assert.deepEqual(s.written, [[1], [0xfb, 0xeb]], "the stale heartbeat was skipped, the query went out");
    assert.equal(q.stats.staleDropped, 1);
    s.complete();
    assert.equal(await query, "written");
  });

  it("bounds the waiting bytes by dropping the oldest waiting write", async () => {
    const { q, s } = setup(4);
    void q.push(Uint8Array.of(0), 1000);
    const outcomes: Promise<WriteOutcome>[] = [];
    for (let i = 1; i <= 4; i++) outcomes.push(q.push(Uint8Array.of(i, i), 1000));
    assert.equal(q.stats.queuedBytes, 4);
    assert.equal(await outcomes[0], "overflow");
    assert.equal(await outcomes[1], "overflow");
    assert.equal(q.stats.overflowDropped, 2);
    s.complete();
    await flush();
    assert.deepEqual(s.written.at(-1), [3, 3], "the newest writes survive");
  });

  it("reports a write the OS has not taken after the stall time, once", () => {
    const { clock, q, stalls } = setup();
    void q.push(Uint8Array.of(1), 1000);
    clock.advance(4999);
    assert.deepEqual(stalls, []);
    clock.advance(1);
    assert.deepEqual(stalls, [5000]);
    clock.advance(20_000);
    assert.equal(q.stats.stalls, 1);
  });

  it("drops what waits when detached, and ignores a late completion of the old connection", async () => {
    const { clock, q, s, stalls } = setup();
    void q.push(Uint8Array.of(1), 1000);
    const waiting = q.push(Uint8Array.of(2), 1000);
    q.detach();
    assert.equal(await waiting, "closed");
    assert.equal(q.stats.closedDropped, 1);
    assert.equal(await q.push(Uint8Array.of(3), 1000), "closed", "nothing is accepted while detached");
    const next = manualSink();
    q.attach(next.sink);
    s.complete(); // the old connection's write finally completes
    await flush();
    const fresh = q.push(Uint8Array.of(4), 1000);
    assert.deepEqual(next.written, [[4]]);
    next.complete();
    assert.equal(await fresh, "written");
    clock.advance(10_000);
    assert.deepEqual(stalls, [], "the old write's stall timer was cancelled");
  });

  it("passes a sink error to the write that failed", async () => {
    const { q, s } = setup();
    const a = q.push(Uint8Array.of(1), 1000);
    s.fail(new Error("EIO"));
    await assert.rejects(a, /EIO/);
  });
});
