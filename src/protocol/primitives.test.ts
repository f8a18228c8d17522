import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ampsToCenti, centiToAmps } from "./amps.ts";
import { ByteReader, ByteWriter } from "./bytes.ts";
import { checksum, checksumOk } from "./checksum.ts";
import { STATE, stateName } from "./constants.ts";
import { isRefusedDebugPayload } from "./debug.ts";
import { fromHex, toHex } from "./hex.ts";
import { escape, unescape } from "./slip.ts";
import { twcId, twcIdHex } from "./frames.ts";

const hex = (s: string): Uint8Array => {
  const b = fromHex(s);
  assert.ok(b);
  return b;
};

describe("amps (twc-protocol §4.1)", () => {
  const table: readonly [string, number][] = [
    ["0F A0", 40],
    ["0C 80", 32],
    ["07 D0", 20],
    ["02 58", 6],
    ["08 34", 21],
    ["1F 40", 80],
    ["12 C0", 48],
    ["00 A3", 1.63],
  ];
  for (const [bytes, amps] of table) {
    it(`${bytes} ⇄ ${amps} A`, () => {
      const c = ampsToCenti(amps);
      assert.equal(toHex(Uint8Array.of(c >> 8, c & 0xff)), bytes);
      assert.equal(centiToAmps(new ByteReader(hex(bytes)).u16()), amps);
    });
  }
  it("0.29 A → 29 (epsilon), 31.5 A from 0C 4E, clamping", () => {
    assert.equal(ampsToCenti(0.29), 29);
    assert.equal(centiToAmps(0x0c4e), 31.5);
    assert.equal(ampsToCenti(-3), 0);
    assert.equal(ampsToCenti(Number.NaN), 0);
    assert.equal(ampsToCenti(1000), 65535);
    assert.equal(ampsToCenti(655.35), 65535);
    assert.equal(ampsToCenti(1.999), 199);
  });
  it("hundredths survive amps round trips", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 65535 }), (c) => ampsToCenti(centiToAmps(c)) === c));
  });
});

describe("escape / unescape / checksum", () => {
  it("escapes C0 and DB only", () => {
    assert.equal(toHex(escape(hex("12 C0 DB 00 DC DD"))), "12 DB DC DB DD 00 DC DD");
  });
  it("unescapes the pairs and rejects DB + other byte and a trailing DB", () => {
    assert.deepEqual(unescape(hex("12 DB DC DB DD 00")), { ok: true, body: hex("12 C0 DB 00") });
    assert.deepEqual(unescape(hex("DB 41")), { ok: false });
    assert.deepEqual(unescape(hex("12 DB")), { ok: false });
  });
  it("unescape(escape(x)) = x and the escaped form has no C0", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (x) => {
        const e = escape(x);
        assert.ok(!e.includes(0xc0));
        assert.deepEqual(unescape(e), { ok: true, body: x });
      }),
    );
  });
  it("checksum sums bytes 1..end", () => {
    assert.equal(checksum(hex("FB E2 77 77 77 00 00 00 00 00 00 00 00")), 0x47);
    assert.equal(checksum(hex("FF")), 0);
    assert.equal(checksum(new Uint8Array(0)), 0);
    assert.equal(checksumOk(hex("FB E2 77 77 77 00 00 00 00 00 00 00 00 47")), true);
    assert.equal(checksumOk(hex("FB E2 77 77 77 00 00 00 00 00 00 00 00 48")), false);
    assert.equal(checksumOk(new Uint8Array(0)), false);
  });
});

describe("ByteReader / ByteWriter", () => {
  it("reads big-endian and refuses to read past the end", () => {
    const r = new ByteReader(hex("01 02 03 04 05 06 07 08"));
    assert.equal(r.u8(), 1);
    assert.equal(r.u16(), 0x0203);
    assert.equal(r.u32(), 0x04050607);
    assert.equal(r.offset, 7);
    assert.equal(r.remaining, 1);
    assert.throws(() => r.u16(), RangeError);
    assert.throws(() => r.bytes(-1), RangeError);
    r.skip(1);
    assert.deepEqual(r.rest(), new Uint8Array(0));
    assert.throws(() => r.skip(1), RangeError);
    assert.equal(new ByteReader(hex("FF FF FF FF")).u32(), 0xffffffff);
  });
  it("writes big-endian, grows, pads and refuses out-of-range values", () => {
    const w = new ByteWriter(1);
    w.u8(1).u16(0x0203).u32(0xfffffffe).bytes(hex("AA")).zeros(2).padTo(12).padTo(3);
    assert.equal(w.length, 12);
    assert.equal(toHex(w.finish()), "01 02 03 FF FF FF FE AA 00 00 00 00");
    assert.throws(() => w.u8(256), RangeError);
    assert.throws(() => w.u16(-1), RangeError);
    assert.throws(() => w.u32(2 ** 32), RangeError);
    assert.throws(() => w.u8(0.5), RangeError);
    assert.throws(() => w.zeros(-1), RangeError);
  });
});

describe("constants and helpers", () => {
  it("state names of twc-protocol §4.3", () => {
    const names = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15].map(stateName);
    assert.deepEqual(names, [
      "ready",
      "charging",
      "error",
      "pluggedNoCharge",
      "pluggedReady",
      "busy",
      "raiseAck",
      "lowerAck",
      "starting",
      "limitAck",
      "adjustDone",
      "unknown15",
    ]);
    assert.equal(stateName(11), "unknown");
    assert.equal(stateName(255), "unknown");
    assert.equal(STATE.charging, 1);
  });
  it("hex parsing", () => {
    assert.deepEqual(fromHex("fd:1b-0A 00"), hex("FD 1B 0A 00"));
    assert.equal(fromHex("F"), null);
    assert.equal(fromHex("GG"), null);
  });
  it("refused debug payloads (twc-protocol §5.4)", () => {
    assert.equal(isRefusedDebugPayload(hex("FC 19 00")), true);
    assert.equal(isRefusedDebugPayload(hex("FC 1A")), true);
    assert.equal(isRefusedDebugPayload(hex("FB E8 77 77")), true);
    assert.equal(isRefusedDebugPayload(hex("FB E0 77 77 12 34 02 01 00")), true);
    assert.equal(isRefusedDebugPayload(hex("FB E0 77 77 12 34 09 0C 80")), false);
    assert.equal(isRefusedDebugPayload(hex("FB 1B 77 77 12 34 00 00 A0")), false);
    assert.equal(isRefusedDebugPayload(hex("FC")), false);
  });
});

describe("frames helpers", () => {
  it("twcId masks to 16 bits and twcIdHex shows 4 upper-case digits", () => {
    assert.equal(twcId(0x14142), 0x4142);
    assert.equal(twcIdHex(twcId(0x4142)), "4142");
    assert.equal(twcIdHex(twcId(0xab)), "00AB");
  });
});
