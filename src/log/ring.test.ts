import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LogRecord } from "./format.ts";
import { LogRing, type RingEntry } from "./ring.ts";

const r = (i: number, level = 30, module?: string): LogRecord => ({ level, time: i, msg: `m${i}`, ...(module ? { module } : {}) });

describe("LogRing", () => {
  it("keeps the newest `capacity` records, oldest first, numbered", () => {
    const ring = new LogRing(3);
    for (let i = 1; i <= 5; i++) ring.push(r(i));
    assert.equal(ring.size, 3);
    assert.deepEqual(ring.recent().map((e) => [e.seq, e.record.msg]), [[3, "m3"], [4, "m4"], [5, "m5"]]);
  });

  it("filters by level, module (\"-\": none) and sequence; limit keeps the newest", () => {
    const ring = new LogRing(10);
    ring.push(r(1, 20, "bus"));
    ring.push(r(2, 40, "bus"));
    ring.push(r(3, 50, "energy"));
    ring.push(r(4, 30));
    ring.push(r(5, 40, "bus"));
    const msgs = (es: RingEntry[]): unknown[] => es.map((e) => e.record.msg);
    assert.deepEqual(msgs(ring.recent({ minLevel: 40 })), ["m2", "m3", "m5"]);
    assert.deepEqual(msgs(ring.recent({ module: "bus" })), ["m1", "m2", "m5"]);
    assert.deepEqual(msgs(ring.recent({ module: "-" })), ["m4"]);
    assert.deepEqual(msgs(ring.recent({ minLevel: 40, module: "bus", limit: 1 })), ["m5"]);
    assert.deepEqual(msgs(ring.recent({ afterSeq: 3 })), ["m4", "m5"]);
    assert.deepEqual(ring.modules(), ["-", "bus", "energy"]);
  });

  it("tells listeners about new records until they unsubscribe; a throwing listener breaks nothing", () => {
    const ring = new LogRing(2);
    const seen: number[] = [];
    const off = ring.subscribe((e) => seen.push(e.seq));
    ring.subscribe(() => {
      throw new Error("closed stream");
    });
    ring.push(r(1));
    ring.push(r(2));
    off();
    ring.push(r(3));
    assert.deepEqual(seen, [1, 2]);
    assert.equal(ring.size, 2);
  });

  it("refuses a capacity that is not a positive integer", () => {
    assert.throws(() => new LogRing(0), /capacity/);
    assert.throws(() => new LogRing(1.5), /capacity/);
  });
});
