import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeFrame, encodeRawPayload, kindOfType } from "./codec.ts";
import { C0 } from "./constants.ts";
import { Deframer, MASTER_LENGTHS, SIM_SLAVE_LENGTHS } from "./deframer.ts";
import { twcId } from "./frames.ts";
import type { DeframeResult, DropReason, Frame, MasterCommand } from "./frames.ts";
import { fromHex } from "./hex.ts";

const hex = (s: string): Uint8Array => {
  const b = fromHex(s);
  assert.ok(b, `bad hex ${s}`);
  return b;
};
const LR2 = "C0 FB E2 77 77 77 00 00 00 00 00 00 00 00 47 C0";
const master = (): Deframer => new Deframer({ acceptedLengths: MASTER_LENGTHS });
const kinds = (rs: DeframeResult[]): string[] => rs.map((r) => (r.ok ? r.frame.kind : `drop:${r.reason}`));
const drops = (d: Deframer): Record<DropReason, number> => d.stats.dropped;
const noDrops = { checksum: 0, length: 0, escape: 0, timeout: 0, truncated: 0 };

describe("twc-protocol §14.1 receive state machine", () => {
  it("2. length filter: 13, 15, 17, 18, 19 are dropped in master mode; 15 is accepted by the simulator", () => {
    for (const len of [13, 15, 17, 18, 19]) {
      // Byte 2 = C0 makes every length ≥ 13 long enough on the wire to complete (rule 5).
      const payload = new Uint8Array(len - 1);
      payload.set([0xfb, 0x99, C0]);
      const d = master();
      assert.deepEqual(kinds(d.push(encodeRawPayload(payload), 0)), ["drop:length"], `len ${len}`);
      assert.equal(d.stats.dropped.length, 1);
      const sim = new Deframer({ acceptedLengths: SIM_SLAVE_LENGTHS });
      assert.deepEqual(kinds(sim.push(encodeRawPayload(payload), 0)), [
        len === 15 ? "unknown" : "drop:length",
      ]);
    }
  });

  it("a 13-byte frame without escapes is too short on the wire: its closing C0 restarts (truncated)", () => {
    const d = master();
    const rs = d.push(encodeRawPayload(new Uint8Array(12).fill(1)), 0);
    assert.deepEqual(kinds(rs), ["drop:truncated"]);
    assert.equal(d.receiving, true);
  });

  it("3. bad checksum: linkready2 ending 48 is dropped with reason checksum", () => {
    const d = master();
    const rs = d.push(hex("C0 FB E2 77 77 77 00 00 00 00 00 00 00 00 48 C0"), 0);
    assert.deepEqual(kinds(rs), ["drop:checksum"]);
    assert.deepEqual(drops(d), { ...noDrops, checksum: 1 });
    assert.equal(d.stats.framesReceived, 0);
  });

  it("4. noise before and after a frame", () => {
    const d = master();
    const rs = d.push(hex(`FE 00 12 ${LR2} FE`), 0);
    assert.deepEqual(kinds(rs), ["masterLinkReady2"]);
    assert.deepEqual(d.stats, { bytesReceived: 20, noiseBytes: 4, framesReceived: 1, dropped: noDrops });
    const d2 = master();
    d2.push(hex(`FE 00 12 ${LR2}`), 0);
    assert.equal(d2.stats.noiseBytes, 3);
  });

  it("5. resynchronisation on a C0 inside a short partial frame", () => {
    const d = master();
    const rs = d.push(hex(`C0 12 34 ${LR2}`), 0);
    assert.deepEqual(kinds(rs), ["drop:truncated", "masterLinkReady2"]);
    assert.deepEqual(rs[0], { ok: false, reason: "truncated", raw: hex("C0 12 34") });
    assert.deepEqual(drops(d), { ...noDrops, truncated: 1 });
  });

  it("6. partial timeout after 2.1 s of silence", () => {
    const d = master();
    assert.deepEqual(d.push(hex("C0 FB E2 77"), 1000), []);
    assert.equal(d.receiving, true);
    assert.equal(d.lastByteAt, 1000);
    const rs = d.push(hex(LR2), 3100);
    assert.deepEqual(kinds(rs), ["drop:timeout", "masterLinkReady2"]);
    assert.deepEqual(drops(d), { ...noDrops, timeout: 1 });
    assert.equal(d.receiving, false);
  });

  it("6. expire() performs the same timeout drop earlier, and not at exactly 2.0 s", () => {
    const d = master();
    d.push(hex("C0 FB E2 77"), 0);
    assert.deepEqual(d.expire(2000), []);
    assert.deepEqual(d.expire(2001), [{ ok: false, reason: "timeout", raw: hex("C0 FB E2 77") }]);
    assert.deepEqual(d.expire(5000), []);
    assert.deepEqual(kinds(d.push(hex(LR2), 3100)), ["masterLinkReady2"]);
    assert.deepEqual(drops(d), { ...noDrops, timeout: 1 });
  });

  it("6. with 1.9 s of silence the stale bytes restart as truncated and the frame is still received", () => {
    const d = master();
    d.push(hex("C0 FB E2 77"), 0);
    assert.deepEqual(kinds(d.push(hex(LR2), 1900)), ["drop:truncated", "masterLinkReady2"]);
  });

  it("a custom partial timeout is honoured", () => {
    const d = new Deframer({ acceptedLengths: MASTER_LENGTHS, partialTimeoutMs: 100 });
    d.push(hex("C0 FB"), 0);
    assert.deepEqual(kinds(d.expire(101)), ["drop:timeout"]);
  });

  it("7. escape errors: DB followed by another byte, and a trailing DB", () => {
    const d = master();
    assert.deepEqual(kinds(d.push(hex("C0 FB E0 77 77 12 34 09 DB 41 80 00 00 00 00 00 00 00 C0"), 0)), [
      "drop:escape",
    ]);
    assert.deepEqual(kinds(d.push(hex("C0 FB E2 77 77 77 00 00 00 00 00 00 00 00 00 DB C0"), 0)), [
      "drop:escape",
    ]);
    assert.deepEqual(drops(d), { ...noDrops, escape: 2 });
  });

  it("a lone C0 C0 counts one truncated drop; the second C0 opens the next frame", () => {
    const d = master();
    assert.deepEqual(kinds(d.push(hex(`C0 ${LR2}`), 0)), ["drop:truncated", "masterLinkReady2"]);
  });

  it("an endless frame is delimited exactly, dropped by length with its raw bytes capped", () => {
    const d = master();
    const long = new Uint8Array(2000).fill(0x11);
    long[0] = C0;
    long[long.length - 1] = C0;
    const rs = d.push(long, 0);
    assert.deepEqual(kinds(rs), ["drop:length"]);
    const first = rs[0];
    assert.ok(first && !first.ok && first.raw.length < long.length);
    assert.deepEqual(kinds(d.push(hex(LR2), 0)), ["masterLinkReady2"]);
  });

  it("stats are snapshots, not live views", () => {
    const d = master();
    const s = d.stats;
    d.push(hex(LR2), 0);
    assert.equal(s.framesReceived, 0);
    assert.equal(d.stats.framesReceived, 1);
  });
});

// ---- property tests ----

/** fc.record with ordinary prototypes (deepStrictEqual compares prototypes). */
const rec: typeof fc.record = ((model: never) =>
  fc.record(model, { noNullPrototype: true })) as typeof fc.record;
const id = fc.integer({ min: 0, max: 0xffff }).map(twcId);
const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const part = fc.constantFrom(0 as const, 1 as const, 2 as const);
const command: fc.Arbitrary<MasterCommand> = fc.oneof(
  fc.constant({ code: 0 as const }),
  rec({ code: fc.constantFrom(5 as const, 9 as const), centiAmps: u16 }),
  rec({
    code: fc.constantFrom(2 as const, 6 as const, 7 as const, 8 as const),
    data: fc.uint8Array({ minLength: 8, maxLength: 8 }),
  }),
);
const unknownFrame: fc.Arbitrary<Frame> = fc
  .record({
    type: u16,
    rest: fc.constantFrom(11, 12, 13, 17).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  })
  .filter(({ type }) => kindOfType(type) === undefined)
  .map(({ type, rest }) => {
    const payload = new Uint8Array(rest.length + 2);
    payload.set([type >> 8, type & 0xff]);
    payload.set(rest, 2);
    return { kind: "unknown" as const, type, payload };
  });

/** A valid frame of every kind. */
const frameArb: fc.Arbitrary<Frame> = fc.oneof(
  rec({ kind: fc.constant("masterLinkReady1" as const), sender: id, sign: u8 }),
  rec({ kind: fc.constant("masterLinkReady2" as const), sender: id, sign: u8 }),
  rec({
    kind: fc.constant("slaveLinkReady" as const),
    sender: id,
    sign: u8,
    ratedCentiAmps: u16,
    length: fc.constantFrom(14 as const, 16 as const, 20 as const),
  }),
  rec({ kind: fc.constant("masterHeartbeat" as const), sender: id, receiver: id, command }),
  rec({
    kind: fc.constant("slaveHeartbeat" as const),
    sender: id,
    receiver: id,
    status: rec({
      state: u8,
      reportedMaxCentiAmps: u16,
      reportedActualCentiAmps: u16,
      length: fc.constantFrom(7 as const, 9 as const),
    }),
  }),
  rec({
    kind: fc.constant("kwhRequest" as const),
    sender: id,
    receiver: id,
    length: fc.constantFrom(15 as const, 16 as const),
  }),
  rec({
    kind: fc.constant("kwhReport" as const),
    sender: id,
    lifetimeKWh: fc.integer({ min: 0, max: 0xffffffff }),
    volts: fc.tuple(u16, u16, u16),
  }),
  rec({ kind: fc.constant("vinRequest" as const), sender: id, receiver: id, part }),
  rec({
    kind: fc.constant("vinReport" as const),
    sender: id,
    part,
    data: fc.uint8Array({ minLength: 11, maxLength: 11 }),
  }),
  rec({ kind: fc.constant("startCharging" as const), sender: id, receiver: id }),
  rec({ kind: fc.constant("stopCharging" as const), sender: id, receiver: id }),
  rec({
    kind: fc.constant("startAck" as const),
    sender: id,
    length: fc.constantFrom(14 as const, 16 as const),
  }),
  rec({
    kind: fc.constant("stopAck" as const),
    sender: id,
    length: fc.constantFrom(14 as const, 16 as const),
  }),
  rec({
    kind: fc.constant("firmwareRequest" as const),
    sender: id,
    receiver: id,
    length: fc.constantFrom(14 as const, 16 as const),
  }),
  fc.constant({ kind: "idle" as const }),
  unknownFrame,
);

/** Bytes biased toward the delimiter and escape bytes. */
const wireByte = fc.oneof(fc.constantFrom(0xc0, 0xdb, 0xdc, 0xdd, 0xfe, 0x00), u8);
/** A stream segment: random bytes or a valid encoded frame, arriving after a time gap. */
const segment = rec({
  bytes: fc.oneof(
    fc.array(wireByte, { maxLength: 40 }).map((a) => Uint8Array.from(a)),
    frameArb.map(encodeFrame),
  ),
  gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3000 })),
});

describe("deframer properties", () => {
  it("encode → deframe → decode is the identity for every frame kind", () => {
    fc.assert(
      fc.property(frameArb, (frame) => {
        const d = new Deframer({ acceptedLengths: SIM_SLAVE_LENGTHS });
        const rs = d.push(encodeFrame(frame), 0);
        assert.equal(rs.length, 1);
        const r = rs[0];
        assert.ok(r?.ok);
        assert.deepEqual(r.frame, frame);
      }),
      { numRuns: 2000 },
    );
  });

  it("random streams never throw, and chunked feeding equals byte-wise feeding", () => {
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 8 }),
        (segs, cuts) => {
          const a = master();
          const b = master();
          const whole = master();
          const ra: DeframeResult[] = [];
          const rb: DeframeResult[] = [];
          const rw: DeframeResult[] = [];
          let t = 0;
          let k = 0;
          for (const s of segs) {
            t += s.gapMs;
            for (const byte of s.bytes) ra.push(...a.push(Uint8Array.of(byte), t));
            for (let i = 0; i < s.bytes.length;) {
              const n = cuts[k++ % cuts.length] ?? 1;
              rb.push(...b.push(s.bytes.subarray(i, i + n), t));
              i += n;
            }
            rw.push(...whole.push(s.bytes, t));
          }
          assert.deepEqual(rb, ra);
          assert.deepEqual(rw, ra);
          assert.deepEqual(b.stats, a.stats);
          assert.deepEqual(whole.stats, a.stats);
          const st = a.stats;
          const dropped = Object.values(st.dropped).reduce((x, y) => x + y, 0);
          assert.equal(ra.length, st.framesReceived + dropped);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("arbitrary bytes never throw in either mode", () => {
    fc.assert(
      fc.property(fc.array(wireByte, { maxLength: 300 }), (bytes) => {
        for (const lengths of [MASTER_LENGTHS, SIM_SLAVE_LENGTHS]) {
          const d = new Deframer({ acceptedLengths: lengths });
          d.push(Uint8Array.from(bytes), 0);
          d.expire(10_000);
          assert.equal(d.stats.bytesReceived, bytes.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("valid frames embedded in C0-free noise are all found, in order", () => {
    const noise = fc
      .array(
        wireByte.filter((b) => b !== C0),
        { maxLength: 30 },
      )
      .map((a) => Uint8Array.from(a));
    fc.assert(
      fc.property(noise, fc.array(fc.tuple(frameArb, noise), { maxLength: 10 }), (lead, items) => {
        const d = new Deframer({ acceptedLengths: SIM_SLAVE_LENGTHS });
        const rs = [...d.push(lead, 0)];
        for (const [frame, after] of items) {
          rs.push(...d.push(encodeFrame(frame), 0), ...d.push(after, 0));
        }
        assert.deepEqual(
          rs.map((r) => (r.ok ? r.frame : r.reason)),
          items.map(([f]) => f),
        );
        assert.equal(d.stats.noiseBytes, lead.length + items.reduce((n, [, a]) => n + a.length, 0));
        assert.deepEqual(d.stats.dropped, noDrops);
      }),
      { numRuns: 500 },
    );
  });
});
