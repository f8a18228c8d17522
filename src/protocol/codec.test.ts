import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeBody,
  encodeFrame,
  encodePayload,
  encodeRawPayload,
  kindOfType,
  CODECS,
  toHex,
} from "./codec.ts";
import { Deframer, MASTER_LENGTHS, SIM_SLAVE_LENGTHS } from "./deframer.ts";
import { TwcError } from "./errors.ts";
import { twcId } from "./frames.ts";
import type { Frame } from "./frames.ts";
import { fromHex } from "./hex.ts";
import { unescape } from "./slip.ts";

const M = twcId(0x7777);
const S = twcId(0x1234);
const SIM = twcId(0x4142);
const ascii = (s: string): Uint8Array => {
  const out = new Uint8Array(11);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
};
const hex = (s: string): Uint8Array => {
  const b = fromHex(s);
  assert.ok(b, `bad hex ${s}`);
  return b;
};

/** Every row of twc-protocol.md §12 (both tables): [name, frame, wire]. */
const WORKED: readonly [string, Frame, string][] = [
  [
    "Master linkready1",
    { kind: "masterLinkReady1", sender: M, sign: 0x77 },
    "C0 FC E1 77 77 77 00 00 00 00 00 00 00 00 46 C0",
  ],
  [
    "Master linkready2",
    { kind: "masterLinkReady2", sender: M, sign: 0x77 },
    "C0 FB E2 77 77 77 00 00 00 00 00 00 00 00 47 C0",
  ],
  [
    "Slave linkready v1, 80 A",
    { kind: "slaveLinkReady", sender: S, sign: 0x56, ratedCentiAmps: 8000, length: 14 },
    "C0 FD E2 12 34 56 1F 40 00 00 00 00 00 00 DD C0",
  ],
  [
    "Slave linkready v2, 80 A",
    { kind: "slaveLinkReady", sender: S, sign: 0x56, ratedCentiAmps: 8000, length: 16 },
    "C0 FD E2 12 34 56 1F 40 00 00 00 00 00 00 00 00 DD C0",
  ],
  [
    "Slave linkready v2, 32 A",
    { kind: "slaveLinkReady", sender: S, sign: 0x56, ratedCentiAmps: 3200, length: 16 },
    "C0 FD E2 12 34 56 0C 80 00 00 00 00 00 00 00 00 0A C0",
  ],
  [
    'Master HB "no change"',
    { kind: "masterHeartbeat", sender: M, receiver: S, command: { code: 0 } },
    "C0 FB E0 77 77 12 34 00 00 00 00 00 00 00 00 00 14 C0",
  ],
  [
    "Master HB limit 32.00 A (v2)",
    { kind: "masterHeartbeat", sender: M, receiver: S, command: { code: 9, centiAmps: 3200 } },
    "C0 FB E0 77 77 12 34 09 0C 80 00 00 00 00 00 00 A9 C0",
  ],
  [
    "Master HB limit 20.00 A to a v1 slave",
    { kind: "masterHeartbeat", sender: M, receiver: S, command: { code: 5, centiAmps: 2000 } },
    "C0 FB E0 77 77 12 34 05 07 D0 00 00 00 00 00 00 F0 C0",
  ],
  [
    "Master HB spike 21.00 A",
    { kind: "masterHeartbeat", sender: M, receiver: S, command: { code: 9, centiAmps: 2100 } },
    "C0 FB E0 77 77 12 34 09 08 34 00 00 00 00 00 00 59 C0",
  ],
  [
    "Master HB 6.00 A",
    { kind: "masterHeartbeat", sender: M, receiver: S, command: { code: 9, centiAmps: 600 } },
    "C0 FB E0 77 77 12 34 09 02 58 00 00 00 00 00 00 77 C0",
  ],
  [
    "Master HB 0 A (stop)",
    { kind: "masterHeartbeat", sender: M, receiver: S, command: { code: 9, centiAmps: 0 } },
    "C0 FB E0 77 77 12 34 09 00 00 00 00 00 00 00 00 1D C0",
  ],
  [
    "Master HB 48.00 A (escaping)",
    { kind: "masterHeartbeat", sender: M, receiver: S, command: { code: 9, centiAmps: 4800 } },
    "C0 FB E0 77 77 12 34 09 12 DB DC 00 00 00 00 00 00 EF C0",
  ],
  [
    "Escaping inside an ID",
    { kind: "masterHeartbeat", sender: M, receiver: twcId(0xc0db), command: { code: 9, centiAmps: 3200 } },
    "C0 FB E0 77 77 DB DC DB DD 09 0C 80 00 00 00 00 00 00 FE C0",
  ],
  [
    "Checksum that itself needs escaping (1.63 A)",
    { kind: "masterHeartbeat", sender: M, receiver: S, command: { code: 9, centiAmps: 163 } },
    "C0 FB E0 77 77 12 34 09 00 A3 00 00 00 00 00 00 DB DC C0",
  ],
  [
    "Slave HB v2 idle",
    {
      kind: "slaveHeartbeat",
      sender: S,
      receiver: M,
      status: { state: 0, reportedMaxCentiAmps: 0, reportedActualCentiAmps: 0, length: 9 },
    },
    "C0 FD E0 12 34 77 77 00 00 00 00 00 00 00 00 00 14 C0",
  ],
  [
    "Slave HB v2 requesting",
    {
      kind: "slaveHeartbeat",
      sender: S,
      receiver: M,
      status: { state: 4, reportedMaxCentiAmps: 0, reportedActualCentiAmps: 0, length: 9 },
    },
    "C0 FD E0 12 34 77 77 04 00 00 00 00 00 00 00 00 18 C0",
  ],
  [
    "Slave HB v2 echoing 32 A, idle",
    {
      kind: "slaveHeartbeat",
      sender: S,
      receiver: M,
      status: { state: 0, reportedMaxCentiAmps: 3200, reportedActualCentiAmps: 0, length: 9 },
    },
    "C0 FD E0 12 34 77 77 00 0C 80 00 00 00 00 00 00 A0 C0",
  ],
  [
    "Slave HB v2 charging 32.00/31.50 A",
    {
      kind: "slaveHeartbeat",
      sender: S,
      receiver: M,
      status: { state: 1, reportedMaxCentiAmps: 3200, reportedActualCentiAmps: 3150, length: 9 },
    },
    "C0 FD E0 12 34 77 77 01 0C 80 0C 4E 00 00 00 00 FB C0",
  ],
  [
    "Slave HB v1 charging 20.00/19.50 A",
    {
      kind: "slaveHeartbeat",
      sender: S,
      receiver: M,
      status: { state: 1, reportedMaxCentiAmps: 2000, reportedActualCentiAmps: 1950, length: 7 },
    },
    "C0 FD E0 12 34 77 77 01 07 D0 07 9E 00 00 91 C0",
  ],
  [
    "kWh request (15 bytes)",
    { kind: "kwhRequest", sender: M, receiver: S, length: 15 },
    "C0 FB EB 77 77 12 34 00 00 00 00 00 00 00 00 1F C0",
  ],
  [
    "kWh report EU",
    { kind: "kwhReport", sender: S, lifetimeKWh: 56, volts: [230, 241, 232] },
    "C0 FD EB 12 34 00 00 00 38 00 E6 00 F1 00 E8 00 28 C0",
  ],
  [
    "kWh report US",
    { kind: "kwhReport", sender: S, lifetimeKWh: 20, volts: [246, 0, 0] },
    "C0 FD EB 12 34 00 00 00 14 00 F6 00 00 00 00 00 3B C0",
  ],
  [
    "VIN request part 0",
    { kind: "vinRequest", sender: M, receiver: S, part: 0 },
    "C0 FB EE 77 77 12 34 00 00 00 00 00 00 00 00 22 C0",
  ],
  [
    "VIN request part 1",
    { kind: "vinRequest", sender: M, receiver: S, part: 1 },
    "C0 FB EF 77 77 12 34 00 00 00 00 00 00 00 00 23 C0",
  ],
  [
    "VIN request part 2",
    { kind: "vinRequest", sender: M, receiver: S, part: 2 },
    "C0 FB F1 77 77 12 34 00 00 00 00 00 00 00 00 25 C0",
  ],
  [
    'VIN report part 0 "5YJ3E1E"',
    { kind: "vinReport", sender: S, part: 0, data: ascii("5YJ3E1E") },
    "C0 FD EE 12 34 35 59 4A 33 45 31 45 00 00 00 00 FA C0",
  ],
  [
    "Start command",
    { kind: "startCharging", sender: M, receiver: S },
    "C0 FC B1 77 77 12 34 00 00 00 00 00 00 00 00 00 E5 C0",
  ],
  [
    "Stop command",
    { kind: "stopCharging", sender: M, receiver: S },
    "C0 FC B2 77 77 12 34 00 00 00 00 00 00 00 00 00 E6 C0",
  ],
  [
    "Start ack (v2)",
    { kind: "startAck", sender: S, length: 16 },
    "C0 FD B1 12 34 00 00 00 00 00 00 00 00 00 00 00 F7 C0",
  ],
  [
    "Stop ack (v2)",
    { kind: "stopAck", sender: S, length: 16 },
    "C0 FD B2 12 34 00 00 00 00 00 00 00 00 00 00 00 F8 C0",
  ],
  [
    "Firmware request (v2)",
    { kind: "firmwareRequest", sender: M, receiver: S, length: 16 },
    "C0 FB 1B 77 77 12 34 00 00 A0 00 00 00 00 00 00 EF C0",
  ],
  ["Idle message", { kind: "idle" }, "C0 FC 1D 00 00 00 00 00 00 00 00 00 00 00 1D C0"],
  [
    "Fake-slave linkready (mode 0)",
    { kind: "slaveLinkReady", sender: M, sign: 0x77, ratedCentiAmps: 8000, length: 16 },
    "C0 FD E2 77 77 77 1F 40 00 00 00 00 00 00 00 00 A6 C0",
  ],
  [
    "Simulated slave linkready",
    { kind: "slaveLinkReady", sender: SIM, sign: 0x77, ratedCentiAmps: 8000, length: 16 },
    "C0 FD E2 41 42 77 1F 40 00 00 00 00 00 00 00 00 3B C0",
  ],
  [
    'Master HB "no change" to 4142',
    { kind: "masterHeartbeat", sender: M, receiver: SIM, command: { code: 0 } },
    "C0 FB E0 77 77 41 42 00 00 00 00 00 00 00 00 00 51 C0",
  ],
  [
    "Master HB limit 80.00 A to 4142",
    { kind: "masterHeartbeat", sender: M, receiver: SIM, command: { code: 9, centiAmps: 8000 } },
    "C0 FB E0 77 77 41 42 09 1F 40 00 00 00 00 00 00 B9 C0",
  ],
  [
    "Simulated slave HB echoing 80 A, idle",
    {
      kind: "slaveHeartbeat",
      sender: SIM,
      receiver: M,
      status: { state: 0, reportedMaxCentiAmps: 8000, reportedActualCentiAmps: 0, length: 9 },
    },
    "C0 FD E0 41 42 77 77 00 1F 40 00 00 00 00 00 00 B0 C0",
  ],
  [
    "kWh request to 4142",
    { kind: "kwhRequest", sender: M, receiver: SIM, length: 15 },
    "C0 FB EB 77 77 41 42 00 00 00 00 00 00 00 00 5C C0",
  ],
];

describe("twc-protocol §12 worked frames", () => {
  for (const [name, frame, wire] of WORKED) {
    it(`${name}: encodes to its wire bytes and decodes back`, () => {
      assert.equal(toHex(encodeFrame(frame)), wire);
      const inner = unescape(hex(wire).subarray(1, -1));
      assert.ok(inner.ok);
      assert.deepEqual(encodePayload(frame), inner.body.subarray(0, -1));
      const lengths = inner.body.length === 15 ? SIM_SLAVE_LENGTHS : MASTER_LENGTHS;
      const results = new Deframer({ acceptedLengths: lengths }).push(hex(wire), 0);
      assert.deepEqual(results, [{ ok: true, frame, raw: inner.body }]);
    });
  }

  it("the 15-byte kWh request is dropped (length) in master mode", () => {
    const results = new Deframer({ acceptedLengths: MASTER_LENGTHS }).push(
      hex("C0 FB EB 77 77 12 34 00 00 00 00 00 00 00 00 1F C0"),
      0,
    );
    assert.equal(results.length, 1);
    assert.deepEqual(results[0] && !results[0].ok ? results[0].reason : "ok", "length");
  });
});

describe("decodeBody", () => {
  const body = (payloadHex: string): Uint8Array => {
    const p = hex(payloadHex);
    const framed = encodeRawPayload(p);
    const un = unescape(framed.subarray(1, -1));
    assert.ok(un.ok);
    return un.body;
  };

  it("never throws and yields unknown for short bodies", () => {
    assert.deepEqual(decodeBody(new Uint8Array(0)), { kind: "unknown", type: 0, payload: new Uint8Array(0) });
    assert.deepEqual(decodeBody(hex("FB 00")), { kind: "unknown", type: 0xfb00, payload: hex("FB") });
  });

  it("keeps unknown types with their payload (checksum excluded)", () => {
    const b = body("FD 1B 41 42 00 00 04 05 03 00 00 00 00 00 00");
    assert.deepEqual(decodeBody(b), {
      kind: "unknown",
      type: 0xfd1b,
      payload: hex("FD 1B 41 42 00 00 04 05 03 00 00 00 00 00 00"),
    });
  });

  it("a known type with an unaccepted length is unknown", () => {
    assert.equal(
      decodeBody(body("FB E0 77 77 12 34 00 00 00 00 00 00 00 00 00 00 00 00 00")).kind,
      "unknown",
    );
    assert.equal(decodeBody(body("FD EE 12 34 35 59 4A 33 45 31 45 00 00")).kind, "unknown");
  });

  it("a master heartbeat with an unassigned command code is unknown", () => {
    const f = decodeBody(body("FB E0 77 77 12 34 0A 00 00 00 00 00 00 00 00"));
    assert.deepEqual(f, {
      kind: "unknown",
      type: 0xfbe0,
      payload: hex("FB E0 77 77 12 34 0A 00 00 00 00 00 00 00 00"),
    });
  });

  it("decodes command codes 02/06/07/08 with their 8 data bytes", () => {
    for (const code of [2, 6, 7, 8] as const) {
      const f = decodeBody(body(`FB E0 77 77 12 34 0${code} 01 02 03 04 05 06 07 08`));
      assert.deepEqual(f, {
        kind: "masterHeartbeat",
        sender: M,
        receiver: S,
        command: { code, data: hex("01 02 03 04 05 06 07 08") },
      });
    }
  });

  it("decodes a v1 (14-byte) foreign master heartbeat, padding its data", () => {
    const f = decodeBody(body("FB E0 12 34 56 78 08 00 10 00 00 00 00"));
    assert.deepEqual(f, {
      kind: "masterHeartbeat",
      sender: twcId(0x1234),
      receiver: twcId(0x5678),
      command: { code: 8, data: hex("00 10 00 00 00 00 00 00") },
    });
  });

  it("decodes master linkreadies of 16 and 20 bytes and FC E2 as masterLinkReady2", () => {
    assert.deepEqual(decodeBody(body("FC E1 AB CD 12 00 00 00 00 00 00 00 00 00 00")), {
      kind: "masterLinkReady1",
      sender: twcId(0xabcd),
      sign: 0x12,
    });
    assert.deepEqual(decodeBody(body("FC E2 AB CD 12 00 00 00 00 00 00 00 00 00 00 00 00 00 00")), {
      kind: "masterLinkReady2",
      sender: twcId(0xabcd),
      sign: 0x12,
    });
  });

  it("decodes a 20-byte slave linkready and 14-byte acks/firmware request", () => {
    assert.deepEqual(decodeBody(body("FD E2 12 34 56 0C 80 00 00 00 00 00 00 00 00 00 00 00 00")), {
      kind: "slaveLinkReady",
      sender: S,
      sign: 0x56,
      ratedCentiAmps: 3200,
      length: 20,
    });
    assert.deepEqual(decodeBody(body("FD B2 12 34 00 00 00 00 00 00 00 00 00")), {
      kind: "stopAck",
      sender: S,
      length: 14,
    });
    assert.deepEqual(decodeBody(body("FB 1B 77 77 12 34 00 00 A0 00 00 00 00")), {
      kind: "firmwareRequest",
      sender: M,
      receiver: S,
      length: 14,
    });
  });

  it("decodes a kwhReport of 20 bytes and a 16-byte kWh request", () => {
    assert.deepEqual(decodeBody(body("FD EB 12 34 00 01 00 00 00 E6 00 E6 00 E6 00 00 00 00 00")), {
      kind: "kwhReport",
      sender: S,
      lifetimeKWh: 65536,
      volts: [230, 230, 230],
    });
    assert.deepEqual(decodeBody(body("FB EB 77 77 12 34 00 00 00 00 00 00 00 00 00")), {
      kind: "kwhRequest",
      sender: M,
      receiver: S,
      length: 16,
    });
  });

  it("every codec decodes a zero-filled body of every accepted length to its own kind", () => {
    for (const [kind, codec] of Object.entries(CODECS)) {
      for (const t of codec.types) {
        for (const len of codec.lengths) {
          const b = new Uint8Array(len);
          b.set([t >> 8, t & 0xff]);
          b[len - 1] = ((t & 0xff) + 0) & 0xff;
          assert.equal(decodeBody(b).kind, kind, `${kind} ${t.toString(16)} len ${len}`);
        }
      }
    }
  });

  it("never throws on random bodies of known types", () => {
    const types = Object.values(CODECS).flatMap((c) => c.types);
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.uint8Array({ maxLength: 24 }), (t, rest) => {
        const b = new Uint8Array(rest.length + 2);
        b.set([t >> 8, t & 0xff]);
        b.set(rest, 2);
        const f = decodeBody(b);
        assert.ok(f.kind === kindOfType(t) || f.kind === "unknown");
      }),
    );
  });

  it("every codec type maps back to its kind", () => {
    for (const [kind, codec] of Object.entries(CODECS)) {
      for (const t of codec.types) assert.equal(kindOfType(t), kind);
    }
    assert.equal(kindOfType(0xfd1b), undefined);
  });
});

describe("encode", () => {
  const isInvalid = (err: unknown): boolean =>
    err instanceof TwcError && err.code === "PROTOCOL_ENCODE_INVALID";
  const bad: readonly [string, unknown][] = [
    [
      "centiAmps above 65535",
      { kind: "masterHeartbeat", sender: M, receiver: S, command: { code: 9, centiAmps: 65536 } },
    ],
    [
      "negative centiAmps",
      { kind: "masterHeartbeat", sender: M, receiver: S, command: { code: 5, centiAmps: -1 } },
    ],
    [
      "fractional centiAmps",
      { kind: "masterHeartbeat", sender: M, receiver: S, command: { code: 9, centiAmps: 1.5 } },
    ],
    [
      "command data of 7 bytes",
      { kind: "masterHeartbeat", sender: M, receiver: S, command: { code: 6, data: new Uint8Array(7) } },
    ],
    ["unassigned command code", { kind: "masterHeartbeat", sender: M, receiver: S, command: { code: 3 } }],
    ["sender above 16 bits", { kind: "masterLinkReady1", sender: 0x10000, sign: 0x77 }],
    ["sign above 8 bits", { kind: "masterLinkReady2", sender: M, sign: 256 }],
    ["linkready length 15", { kind: "slaveLinkReady", sender: S, sign: 1, ratedCentiAmps: 8000, length: 15 }],
    [
      "status length 8",
      {
        kind: "slaveHeartbeat",
        sender: S,
        receiver: M,
        status: { state: 0, reportedMaxCentiAmps: 0, reportedActualCentiAmps: 0, length: 8 },
      },
    ],
    [
      "state above 255",
      {
        kind: "slaveHeartbeat",
        sender: S,
        receiver: M,
        status: { state: 256, reportedMaxCentiAmps: 0, reportedActualCentiAmps: 0, length: 9 },
      },
    ],
    ["kwhRequest length 14", { kind: "kwhRequest", sender: M, receiver: S, length: 14 }],
    ["lifetime kWh above 32 bits", { kind: "kwhReport", sender: S, lifetimeKWh: 2 ** 32, volts: [0, 0, 0] }],
    ["two volts", { kind: "kwhReport", sender: S, lifetimeKWh: 1, volts: [230, 230] }],
    ["VIN part 3", { kind: "vinRequest", sender: M, receiver: S, part: 3 }],
    ["VIN data of 10 bytes", { kind: "vinReport", sender: S, part: 1, data: new Uint8Array(10) }],
    ["ack length 15", { kind: "startAck", sender: S, length: 15 }],
    ["firmware request length 20", { kind: "firmwareRequest", sender: M, receiver: S, length: 20 }],
    ["unknown without bytes", { kind: "unknown", type: 1, payload: [1, 2] }],
    ["no such kind", { kind: "bogus" }],
  ];
  for (const [name, frame] of bad) {
    it(`refuses ${name}`, () => {
      assert.throws(() => encodeFrame(frame as Frame), isInvalid);
    });
  }

  it("encodes unknown frames as their payload and frames raw payloads", () => {
    const payload = hex("FB 1B 77 77 12 34 00 00 A0 00 00 00 00");
    assert.deepEqual(encodePayload({ kind: "unknown", type: 0xfb1b, payload }), payload);
    assert.equal(
      toHex(encodeRawPayload(hex("FB E0 77 77 12 34 09 12 C0 00 00 00 00 00 00"))),
      "C0 FB E0 77 77 12 34 09 12 DB DC 00 00 00 00 00 00 EF C0",
    );
    assert.equal(toHex(encodeRawPayload(new Uint8Array(0))), "C0 00 C0");
  });

  it("encodes the 14-byte acks, firmware request and a 20-byte linkready with zero padding", () => {
    assert.equal(
      toHex(encodeFrame({ kind: "startAck", sender: S, length: 14 })),
      "C0 FD B1 12 34 00 00 00 00 00 00 00 00 00 F7 C0",
    );
    assert.equal(
      toHex(encodeFrame({ kind: "firmwareRequest", sender: M, receiver: S, length: 14 })),
      "C0 FB 1B 77 77 12 34 00 00 A0 00 00 00 00 EF C0",
    );
    assert.equal(
      encodePayload({ kind: "slaveLinkReady", sender: S, sign: 1, ratedCentiAmps: 8000, length: 20 }).length,
      19,
    );
    assert.equal(encodePayload({ kind: "kwhRequest", sender: M, receiver: S, length: 16 }).length, 15);
  });

  it("toHex renders upper-case pairs with single spaces", () => {
    assert.equal(toHex(hex("fd1b0a")), "FD 1B 0A");
    assert.equal(toHex(new Uint8Array(0)), "");
  });
});
