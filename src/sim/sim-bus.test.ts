import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../shared/clock.ts";
import { encodeFrame, toHex } from "../protocol/codec.ts";
import { Deframer, MASTER_LENGTHS } from "../protocol/deframer.ts";
import {
  MASTER_ID,
  twcId,
  type DeframeResult,
  type Frame,
  type MasterCommand,
  type TwcId,
} from "../protocol/frames.ts";
import { SimBus, type SimBusOptions } from "./sim-bus.ts";
import type { SimSlaveDefInput } from "./types.ts";

const AB = twcId(0x4142);
const CD = twcId(0x4344);
const EF = twcId(0x4546);

/** A bus on a FakeClock plus a controller-side receiver using the production deframer. */
function setup(slaves: SimSlaveDefInput[], opts: Partial<SimBusOptions> = {}) {
  const clock = new FakeClock();
  const bus = new SimBus({ clock, slaves, seed: 42, ...opts });
  const rx = new Deframer({ acceptedLengths: MASTER_LENGTHS });
  const chunks: Uint8Array[] = [];
  const results: DeframeResult[] = [];
  bus.onData((b) => {
    chunks.push(b);
    results.push(...rx.push(b, clock.now()));
  });
  const frames = (): Frame[] => results.flatMap((r) => (r.ok ? [r.frame] : []));
  const reset = (): void => {
    chunks.length = 0;
    results.length = 0;
  };
  const send = (f: Frame): void => bus.write(encodeFrame(f));
  const bytes = (): Uint8Array => Uint8Array.from(chunks.flatMap((c) => [...c]));
  return { clock, bus, rx, chunks, results, frames, reset, send, bytes };
}

function hb(receiver: TwcId, command: MasterCommand = { code: 0 }): Frame {
  return { kind: "masterHeartbeat", sender: MASTER_ID, receiver, command };
}

const LR2: Frame = { kind: "masterLinkReady2", sender: MASTER_ID, sign: 0x77 };

void test("three slaves answer one masterLinkReady2: the FIFO keeps every linkready intact, each followed by FE", () => {
  const t = setup([{ twcID: "AB" }, { twcID: "CD", maxAmps: 32, protocolVersion: 1 }, { twcID: "EF" }]);
  t.clock.advance(2000); // the announcements at join
  assert.equal(t.frames().length, 3);
  t.reset();
  t.send(LR2);
  assert.equal(t.chunks.length, 0, "nothing is delivered synchronously");
  t.clock.advance(1000);
  const lrs = t.frames();
  assert.deepEqual(
    lrs.map((f) => f.kind === "slaveLinkReady" && [f.sender, f.ratedCentiAmps, f.length]),
    [
      [AB, 8000, 16],
      [CD, 3200, 14],
      [EF, 8000, 16],
    ],
  );
  const expected = lrs.flatMap((f) => [...encodeFrame(f), 0xfe]);
  assert.equal(toHex(t.bytes()), toHex(Uint8Array.from(expected)));
  assert.deepEqual(t.rx.stats.dropped, { checksum: 0, length: 0, escape: 0, timeout: 0, truncated: 0 });
  assert.equal(t.rx.stats.noiseBytes, 6, "only the FE bytes: 3 announcements + 3 answers");
  t.bus.stop();
});

void test("a heartbeat reply is ready replyDelayMs after the frame it answers", () => {
  const t = setup([{ twcID: "AB", faults: { replyDelayMs: 50 } }]);
  t.clock.advance(500);
  t.reset();
  t.send(hb(AB, { code: 0x09, centiAmps: 8000 }));
  t.clock.advance(49);
  assert.equal(t.chunks.length, 0);
  t.clock.advance(1);
  assert.equal(toHex(t.bytes()), "C0 FD E0 41 42 77 77 00 1F 40 00 00 00 00 00 00 B0 C0 FE");
  t.bus.stop();
});

void test("replies are delivered in ready order whatever the slaves' delays", () => {
  const t = setup([
    { twcID: "AB", faults: { replyDelayMs: 80 } },
    { twcID: "CD", faults: { replyDelayMs: 10 } },
  ]);
  t.clock.advance(500);
  t.reset();
  t.bus.write(Uint8Array.from([...encodeFrame(hb(AB)), ...encodeFrame(hb(CD))]));
  t.clock.advance(200);
  assert.deepEqual(
    t.frames().map((f) => f.kind === "slaveHeartbeat" && f.sender),
    [CD, AB],
  );
  t.bus.stop();
});

void test("dropRate 1: no reply from that slave; the other still answers", () => {
  const t = setup([{ twcID: "AB", faults: { dropRate: 1 } }, { twcID: "CD" }]);
  t.clock.advance(500);
  assert.deepEqual(
    t.frames().map((f) => f.kind === "slaveLinkReady" && f.sender),
    [CD],
  );
  t.reset();
  t.send(hb(AB));
  t.send(hb(CD));
  t.clock.advance(1000);
  assert.deepEqual(
    t.frames().map((f) => f.kind === "slaveHeartbeat" && f.sender),
    [CD],
  );
  assert.ok(t.bus.stats.repliesDropped >= 2);
  t.bus.setFault("AB", { dropRate: 0 });
  t.send(hb(AB));
  t.clock.advance(100);
  assert.equal(t.frames().length, 2);
  t.bus.stop();
});

void test("corruptRate 1: the controller-side deframer counts a checksum drop", () => {
  const t = setup([{ twcID: "AB", faults: { corruptRate: 1 } }]);
  t.clock.advance(500);
  t.send(hb(AB));
  t.clock.advance(100);
  assert.equal(t.frames().length, 0);
  assert.equal(t.rx.stats.dropped.checksum, 2, "linkready and heartbeat reply");
  assert.equal(t.rx.stats.dropped.escape + t.rx.stats.dropped.length, 0);
  t.bus.stop();
});

void test("splitDelivery delivers replies one byte per chunk, still decodable", () => {
  const t = setup([{ twcID: "AB", faults: { splitDelivery: true } }]);
  t.clock.advance(500);
  assert.ok(t.chunks.length > 16);
  assert.ok(t.chunks.every((c) => c.length === 1));
  assert.equal(toHex(t.bytes()), "C0 FD E2 41 42 77 1F 40 00 00 00 00 00 00 00 00 3B C0 FE");
  assert.equal(t.frames().length, 1);
  t.bus.stop();
});

void test("noiseBytes: random non-C0 bytes appear before each reply", () => {
  const t = setup([{ twcID: "AB", faults: { noiseBytes: 7 } }]);
  t.clock.advance(500);
  const b = t.bytes();
  assert.equal(b.length, 7 + 18 + 1);
  assert.ok(b.subarray(0, 7).every((x) => x !== 0xc0));
  assert.equal(b[7], 0xc0);
  assert.equal(t.frames().length, 1);
  assert.equal(t.rx.stats.noiseBytes, 8);
  t.bus.stop();
});

void test("duplicateRate 1 sends each reply twice; silentAfterS stops all replies", () => {
  const t = setup([
    { twcID: "AB", faults: { duplicateRate: 1 } },
    { twcID: "CD", faults: { silentAfterS: 5 } },
  ]);
  t.clock.advance(500);
  assert.deepEqual(
    t.frames().map((f) => f.kind === "slaveLinkReady" && f.sender),
    [AB, AB, CD],
  );
  t.reset();
  t.clock.advance(5000);
  t.send(hb(CD));
  t.clock.advance(20_000);
  assert.deepEqual(
    t.frames().map((f) => f.kind === "slaveLinkReady" && f.sender),
    [AB, AB, AB, AB],
  );
  t.bus.stop();
});

void test("a follow car draws min(offered, car max) − 0.5 A after the ramp", () => {
  const t = setup([
    { twcID: "AB", car: { behaviour: "follow" } },
    { twcID: "CD", car: { behaviour: "follow", maxAmps: 16 } },
  ]);
  t.clock.advance(500);
  t.send(hb(AB));
  t.send(hb(CD));
  t.clock.advance(1000);
  t.send(hb(AB, { code: 0x09, centiAmps: 3200 }));
  t.send(hb(CD, { code: 0x09, centiAmps: 3200 }));
  for (let i = 0; i < 10; i++) {
    t.clock.advance(1000);
    t.reset();
    t.send(hb(AB));
    t.send(hb(CD));
    t.clock.advance(100);
  }
  const status = t
    .frames()
    .map(
      (f) =>
        f.kind === "slaveHeartbeat" && [
          f.sender,
          f.status.state,
          f.status.reportedMaxCentiAmps,
          f.status.reportedActualCentiAmps,
        ],
    );
  assert.deepEqual(status, [
    [AB, 0x01, 3200, 3150],
    [CD, 0x01, 3200, 1550],
  ]);
  const snap = t.bus.slaves;
  assert.deepEqual(
    snap.map((s) => [s.twcID, s.linked, s.commandedAmps, s.state, s.actualAmps]),
    [
      ["AB", true, 32, 1, 31.5],
      ["CD", true, 32, 1, 15.5],
    ],
  );
  assert.ok((snap[0]?.lifetimeWh ?? 0) > 0);
  t.bus.stop();
});

void test("joinAfterS: the slave appears (and announces itself) only after the delay", () => {
  const t = setup([{ twcID: "AB", joinAfterS: 5 }]);
  t.clock.advance(4900);
  assert.equal(t.frames().length, 0);
  assert.equal(t.bus.slaves.length, 0);
  t.send(hb(AB));
  t.clock.advance(200);
  assert.deepEqual(
    t.frames().map((f) => f.kind),
    ["slaveLinkReady"],
  );
  t.bus.stop();
});

void test("link loss through the bus: 30 s without a heartbeat → linkready again", () => {
  const t = setup([{ twcID: "AB" }]);
  t.clock.advance(500);
  t.send(hb(AB));
  t.clock.advance(100);
  t.reset();
  t.clock.advance(29_000);
  assert.equal(t.frames().length, 0);
  assert.equal(t.bus.slaves[0]?.linked, true);
  t.clock.advance(1_000);
  assert.deepEqual(
    t.frames().map((f) => f.kind),
    ["slaveLinkReady"],
  );
  assert.equal(t.bus.slaves[0]?.linked, false);
  t.bus.stop();
});

void test("receivedFrames, expectFrame (resolve and timeout), setCar, add/remove, injectNoise, stop", async () => {
  const t = setup([{ twcID: "AB" }]);
  const waiting = t.bus.expectFrame((f) => f.kind === "kwhRequest", 1000);
  const timeout = t.bus.expectFrame((f) => f.kind === "idle", 500);
  t.send({ kind: "kwhRequest", sender: MASTER_ID, receiver: AB, length: 15 });
  t.bus.write(Uint8Array.of(0xc0, 0x01, 0x02)); // garbage: counted by the sim-side deframer later
  assert.deepEqual(await waiting, { kind: "kwhRequest", sender: MASTER_ID, receiver: AB, length: 15 });
  t.clock.advance(600);
  await assert.rejects(timeout, /expectFrame/);
  assert.deepEqual(
    t.bus.receivedFrames.map((f) => f.kind),
    ["kwhRequest"],
  );

  t.bus.setCar("4142", { behaviour: "waiting" });
  t.send(hb(AB));
  t.clock.advance(100);
  const last = t.frames().at(-1);
  assert.equal(last?.kind === "slaveHeartbeat" && last.status.state, 0x04);

  const id = t.bus.addSlave({ twcID: "EF", protocolVersion: 1 });
  assert.equal(id, EF);
  assert.throws(() => t.bus.addSlave({ twcID: "4546" }), { code: "CONFIG_INVALID" });
  assert.deepEqual(
    t.bus.slaves.map((s) => s.twcID),
    ["AB", "EF"],
  );
  assert.equal(t.bus.removeSlave(AB), true);
  assert.equal(t.bus.removeSlave("AB"), false);
  assert.deepEqual(
    t.bus.slaves.map((s) => s.twcID),
    ["EF"],
  );
  assert.throws(() => t.bus.setCar(AB, { behaviour: "follow" }), { code: "CONFIG_INVALID" });

  t.reset();
  t.bus.injectNoise(Uint8Array.of(1, 2, 3));
  t.clock.advance(1);
  assert.equal(toHex(t.bytes().subarray(0, 3)), "01 02 03");

  const pending = t.bus.expectFrame(() => true, 10_000);
  t.bus.stop();
  await assert.rejects(pending, /stopped/);
  assert.equal(t.clock.pending, 0, "every timer is cleared");
  t.reset();
  t.send(hb(EF));
  t.clock.advance(10_000);
  assert.equal(t.chunks.length, 0);
});

void test("same seed, same faults: reproducible byte streams", () => {
  const run = (): string => {
    const t = setup([{ twcID: "AB", faults: { noiseBytes: 4, dropRate: 0.5, corruptRate: 0.3 } }]);
    for (let i = 0; i < 20; i++) {
      t.send(hb(AB));
      t.clock.advance(1000);
    }
    t.bus.stop();
    return toHex(t.bytes());
  };
  const a = run();
  assert.equal(a, run());
  assert.ok(a.length > 0);
});

void test("realisticTiming: delivery takes 10 bit-times per byte at the baud rate", () => {
  const t = setup([{ twcID: "AB", faults: { replyDelayMs: 0 } }], { realisticTiming: true, baud: 1000 });
  // 19 bytes (18 + FE) at 10 ms each = 190 ms after the first tick at 100 ms
  t.clock.advance(289);
  assert.equal(t.chunks.length, 0);
  t.clock.advance(1);
  assert.equal(t.frames().length, 1);
  t.bus.stop();
});

void test("resetSlave clears a latched error (keeping the lifetime energy); a throwing listener does not stop delivery", () => {
  const t = setup([{ twcID: "AB", lifetimeKWh: 12 }]);
  t.bus.onData(() => {
    throw new Error("receiver bug");
  });
  t.clock.advance(500);
  t.send(hb(AB, { code: 0x02, data: new Uint8Array(8) }));
  t.clock.advance(100);
  assert.equal(t.bus.slaves[0]?.state, 0x02);
  t.bus.resetSlave("AB");
  assert.deepEqual(
    t.bus.slaves.map((s) => [s.state, s.linked, s.lifetimeWh]),
    [[0x00, false, 12_000]],
  );
  t.reset();
  t.send(hb(AB));
  t.clock.advance(100);
  const f = t.frames()[0];
  assert.equal(f?.kind === "slaveHeartbeat" && f.status.state, 0x00);
  assert.ok(t.bus.stats.listenerErrors >= 3);
  t.bus.stop();
});

/** A FakeClock that counts the timers set on it. */
class CountingClock extends FakeClock {
  set = 0;
  override setTimeout(fn: () => void, ms: number): ReturnType<FakeClock["setTimeout"]> {
    this.set++;
    return super.setTimeout(fn, ms);
  }
}

void test("a linked slave with a steady car is not ticked between heartbeats; the link loss still comes after 30 s", () => {
  const clock = new CountingClock();
  const bus = new SimBus({ clock, slaves: [{ twcID: "AB" }], seed: 42 });
  const heartbeat = encodeFrame({ kind: "masterHeartbeat", sender: MASTER_ID, receiver: AB, command: { code: 0 } });
  clock.advance(1000);
  bus.write(heartbeat);
  clock.advance(1000);
  const before = clock.set;
  for (let s = 0; s < 10; s++) {
    bus.write(heartbeat);
    clock.advance(1000);
  }
  // One reply delivery per heartbeat; the 100 ms tick would have set 100 timers more.
  assert.ok(clock.set - before <= 12, `${clock.set - before} timers in 10 s`);
  assert.equal(bus.slaves[0]?.linked, true);
  clock.advance(28_000); // the last heartbeat was 1 s ago
  assert.equal(bus.slaves[0]?.linked, true);
  clock.advance(1_100);
  assert.equal(bus.slaves[0]?.linked, false);
  bus.stop();
});
