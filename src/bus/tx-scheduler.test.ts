import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MASTER_ID, twcId } from "../protocol/frames.ts";
import type { Frame } from "../protocol/frames.ts";
import type { TxItem } from "./effects.ts";
import { TxScheduler } from "./tx-scheduler.ts";
import type { TxContext, TxDecision } from "./tx-scheduler.ts";

const S = twcId(0x1234);
const quiet: TxContext = { receiverQuiet: true, slavesKnown: false };
const withSlaves: TxContext = { receiverQuiet: true, slavesKnown: true };

function frameItem(frame: Frame): TxItem {
  return { kind: "frame", frame };
}
const stop = frameItem({ kind: "stopCharging", sender: MASTER_ID, receiver: S });
const start = frameItem({ kind: "startCharging", sender: MASTER_ID, receiver: S });
const kwh = frameItem({ kind: "kwhRequest", sender: MASTER_ID, receiver: S, length: 15 });
const hbNow: TxItem = { kind: "heartbeat", twcId: S };

function describeDecision(d: TxDecision | null): string {
  if (d === null) return "none";
  if (d.type === "heartbeat") return "P2";
  const item = d.entry.item;
  return item.kind === "heartbeat" ? "P1" : item.frame.kind;
}

/** Takes and records one write; returns what was written. */
function step(tx: TxScheduler, now: number, ctx: TxContext): string {
  const d = tx.take(now, ctx);
  const what = describeDecision(d);
  if (d)
    tx.recordWrite(
      now,
      d.type === "heartbeat" || what === "P1" ? "heartbeat" : d.entry.priority === 0 ? "burst" : "other",
    );
  return what;
}

void describe("TxScheduler", () => {
  void it("sends the burst 5× linkready1 then 5× linkready2, 125 ms apart, blocking everything else", () => {
    const tx = new TxScheduler({ mode: "master" });
    assert.equal(tx.startBurst(0), true);
    assert.equal(tx.startBurst(0), false, "a burst is never started twice");
    tx.enqueue(1, "hb-now:1234", hbNow, 0);
    const writes: { t: number; what: string }[] = [];
    for (let t = 0; t <= 2000; t += 25) {
      const what = step(tx, t, withSlaves);
      if (what !== "none") writes.push({ t, what });
    }
    const burst = writes.slice(0, 10);
    assert.deepEqual(
      burst.map((w) => w.what),
      [...Array<string>(5).fill("masterLinkReady1"), ...Array<string>(5).fill("masterLinkReady2")],
    );
    for (let i = 1; i < burst.length; i++) assert.equal(burst[i]!.t - burst[i - 1]!.t, 125);
    assert.equal(writes[10]?.what, "P1", "the immediate heartbeat waits for the end of the burst");
    assert.ok(writes[10].t >= burst[9]!.t + 100);
    assert.equal(tx.burstInProgress, false);
  });

  void it("orders P1 > P2 (due heartbeat) > P3 > P4, FIFO within a priority", () => {
    const tx = new TxScheduler({ mode: "master", minGapMs: 0 });
    tx.enqueue(4, "kwh:1234", kwh, 0);
    tx.enqueue(3, "stop:1234", stop, 0);
    tx.enqueue(3, "start:1234", start, 0);
    tx.enqueue(1, "hb-now:1234", hbNow, 0);
    const order = [0, 0, 0, 0, 0].map(() => step(tx, 0, quiet));
    assert.deepEqual(order, ["P1", "stopCharging", "startCharging", "kwhRequest", "none"]);

    const tx2 = new TxScheduler({ mode: "master" });
    tx2.enqueue(3, "stop:1234", stop, 0);
    assert.equal(step(tx2, 0, withSlaves), "P2", "a due heartbeat beats P3");
    assert.equal(step(tx2, 100, withSlaves), "stopCharging");
  });

  void it("merges entries with the same de-duplication key and can cancel them", () => {
    const tx = new TxScheduler({ mode: "master" });
    assert.equal(tx.enqueue(3, "stop:1234", stop, 0), "queued");
    assert.equal(tx.enqueue(3, "stop:1234", stop, 10), "merged");
    assert.equal(tx.enqueue(3, "debug", start, 10), "queued");
    assert.equal(tx.enqueue(3, "debug", stop, 20), "merged");
    assert.equal(tx.pending().length, 2);
    const debug = tx.pending()[1]!;
    assert.equal(
      debug.item.kind === "frame" && debug.item.frame.kind,
      "stopCharging",
      "the newest content wins",
    );
    assert.equal(tx.cancel("stop:1234"), true);
    assert.equal(tx.cancel("stop:1234"), false);
    assert.equal(tx.pending().length, 1);
  });

  void it("holds at most 32 entries in P3+P4: P3 refused, P4 dropped and counted", () => {
    const tx = new TxScheduler({ mode: "master" });
    for (let i = 0; i < 20; i++) assert.equal(tx.enqueue(4, `kwh:${i}`, kwh, 0), "queued");
    for (let i = 0; i < 12; i++) assert.equal(tx.enqueue(3, `stop:${i}`, stop, 0), "queued");
    assert.equal(tx.queuedLow, 32);
    assert.equal(tx.enqueue(3, "start:x", start, 0), "refused");
    assert.equal(tx.enqueue(4, "kwh:x", kwh, 0), "dropped");
    assert.equal(tx.dropped, 1);
    assert.equal(tx.enqueue(3, "stop:3", stop, 0), "merged", "a merge still fits");
    assert.equal(tx.enqueue(1, "hb-now:1234", hbNow, 0), "queued", "P1 is not limited");
  });

  void it("keeps 100 ms between write starts", () => {
    const tx = new TxScheduler({ mode: "master" });
    for (let i = 0; i < 5; i++) tx.enqueue(4, `kwh:${i}`, kwh, 0);
    const times: number[] = [];
    for (let t = 0; t < 1000; t += 10) if (step(tx, t, quiet) !== "none") times.push(t);
    assert.deepEqual(times, [0, 100, 200, 300, 400]);
  });

  void it("never starts a write while the receiver is not quiet", () => {
    const tx = new TxScheduler({ mode: "master" });
    tx.enqueue(3, "stop:1234", stop, 0);
    assert.equal(tx.take(0, { receiverQuiet: false, slavesKnown: false }), null);
    assert.equal(tx.pending().length, 1, "nothing was consumed");
    assert.equal(step(tx, 25, quiet), "stopCharging");
  });

  void it("makes the heartbeat due 1.0 s after the previous heartbeat of any kind", () => {
    const tx = new TxScheduler({ mode: "master" });
    assert.equal(tx.heartbeatDue(0, false), false, "no slave → no heartbeat");
    assert.equal(step(tx, 0, withSlaves), "P2");
    assert.equal(tx.heartbeatDue(999, true), false);
    assert.equal(tx.heartbeatDue(1000, true), true);
    tx.enqueue(1, "hb-now:1234", hbNow, 500);
    assert.equal(step(tx, 500, withSlaves), "P1");
    assert.equal(tx.heartbeatDue(1400, true), false, "the immediate heartbeat counts for the cadence");
    assert.equal(tx.heartbeatDue(1500, true), true);
    tx.skipHeartbeat(1500);
    assert.equal(tx.heartbeatDue(2400, true), false, "a consumed turn counts too");
  });

  void it("lets other traffic use the gaps but never delays a heartbeat", () => {
    const tx = new TxScheduler({ mode: "master" });
    const hbTimes: number[] = [];
    let others = 0;
    for (let t = 0; t <= 10_000; t += 25) {
      tx.enqueue(3, "debug", stop, t);
      tx.enqueue(4, `kwh:${t % 7}`, kwh, t);
      const what = step(tx, t, withSlaves);
      if (what === "P2") hbTimes.push(t);
      else if (what !== "none") others++;
    }
    for (let i = 1; i < hbTimes.length; i++)
      assert.ok(hbTimes[i]! - hbTimes[i - 1]! <= 1025, `gap ${hbTimes[i]! - hbTimes[i - 1]!}`);
    assert.ok(others >= 70, `other frames used the gaps (${others})`);
  });

  void it("never writes in monitor mode", () => {
    const tx = new TxScheduler({ mode: "monitor" });
    assert.equal(tx.startBurst(0), false);
    assert.equal(tx.enqueue(3, "stop:1234", stop, 0), "monitor");
    assert.equal(tx.take(0, withSlaves), null);
    assert.equal(tx.take(5000, withSlaves), null);
  });

  void it("nextDueAt says exactly when take has something (the runtime's one wake-up time)", () => {
    // Random traffic: queued entries, bursts and slaves coming and going at random times. Whenever
    // nextDueAt names a time, take returns nothing a millisecond before it and something at it.
    type Op = { dt: number; what: "p1" | "p3" | "p4" | "burst" | "slaves" | "none" };
    const op: fc.Arbitrary<Op> = fc.record({
      dt: fc.integer({ min: 0, max: 1500 }),
      what: fc.constantFrom("p1", "p3", "p4", "burst", "slaves", "none"),
    });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        const tx = new TxScheduler({ mode: "master" });
        let now = 1_000_000;
        let slavesKnown = false;
        let n = 0;
        for (const o of ops) {
          const until = now + o.dt;
          // Write everything that falls due before the next event, exactly when it falls due.
          for (let due = tx.nextDueAt(now, slavesKnown); due !== null && due <= until; due = tx.nextDueAt(now, slavesKnown)) {
            if (due > now) assert.equal(tx.take(due - 1, { receiverQuiet: true, slavesKnown }), null, `nothing before ${due}`);
            now = due;
            assert.equal(step(tx, now, { receiverQuiet: true, slavesKnown }) !== "none", true, `something at ${due}`);
          }
          now = until;
          n++;
          if (o.what === "p1") tx.enqueue(1, `hb-now:${n % 3}`, hbNow, now);
          if (o.what === "p3") tx.enqueue(3, `stop:${n % 5}`, stop, now);
          if (o.what === "p4") tx.enqueue(4, `kwh:${n % 5}`, kwh, now);
          if (o.what === "burst") tx.startBurst(now);
          if (o.what === "slaves") slavesKnown = !slavesKnown;
        }
      }),
      { numRuns: 300 },
    );
  });

  void it("has nothing due in monitor mode or when nothing waits and no slave is known", () => {
    assert.equal(new TxScheduler({ mode: "monitor" }).nextDueAt(0, true), null);
    const tx = new TxScheduler({ mode: "master" });
    assert.equal(tx.nextDueAt(0, false), null);
    assert.equal(tx.nextDueAt(0, true), 0, "the first heartbeat is due at once");
    tx.recordWrite(0, "heartbeat");
    assert.equal(tx.nextDueAt(10, true), 1000, "the next one a second later");
    tx.enqueue(4, "kwh:1", kwh, 10);
    assert.equal(tx.nextDueAt(10, true), 100, "a query goes after the 100 ms gap");
  });
});
