import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mulberry32 } from "../shared/random.ts";
import {
  DO,
  DONT,
  IAC,
  MAX_SUBNEGOTIATION_BYTES,
  NOP,
  OPT_BINARY,
  OPT_COM_PORT,
  OPT_ECHO,
  OPT_SGA,
  SB,
  SE,
  TelnetDecoder,
  TelnetNegotiator,
  WILL,
  WONT,
  escapeIac,
  negotiation,
  subnegotiation,
  type TelnetEvent,
} from "./telnet.ts";

/** Decodes `bytes` cut at the given offsets; consecutive data events are joined for comparison. */
function decode(bytes: number[], cuts: number[] = []): TelnetEvent[] {
  const d = new TelnetDecoder();
  const events: TelnetEvent[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    events.push(...d.push(Uint8Array.from(bytes.slice(from, to))));
    from = to;
  }
  const joined: TelnetEvent[] = [];
  for (const e of events) {
    const last = joined.at(-1);
    if (e.type === "data" && last?.type === "data") {
      joined[joined.length - 1] = { type: "data", bytes: Uint8Array.from([...last.bytes, ...e.bytes]) };
    } else joined.push(e);
  }
  return joined;
}

const data = (...b: number[]): TelnetEvent => ({ type: "data", bytes: Uint8Array.from(b) });

describe("escapeIac", () => {
  it("doubles every 0xFF and returns bytes without one unchanged", () => {
    const plain = Uint8Array.of(0xc0, 0xfd, 0xe2, 0xc0);
    assert.equal(escapeIac(plain), plain);
    assert.deepEqual([...escapeIac(Uint8Array.of(0xff, 1, 0xff, 0xff))], [0xff, 0xff, 1, 0xff, 0xff, 0xff, 0xff]);
    assert.deepEqual([...escapeIac(new Uint8Array())], []);
  });
});

describe("TelnetDecoder", () => {
  it("reads IAC IAC as one 0xFF data byte and strips commands from the data", () => {
    assert.deepEqual(decode([1, IAC, IAC, 2, IAC, NOP, 3]), [data(1, 0xff, 2), { type: "command", code: NOP }, data(3)]);
  });

  it("gives the same events whatever the chunk boundaries (IAC IAC split across chunks)", () => {
    const stream = [0xc0, IAC, IAC, 0xfe, IAC, WILL, OPT_SGA, 7, IAC, SB, OPT_COM_PORT, 101, 0, 0, 0x25, 0x80, IAC, SE, IAC, IAC];
    const whole = decode(stream);
    assert.deepEqual(whole, [
      data(0xc0, 0xff, 0xfe),
      { type: "negotiate", verb: "WILL", option: OPT_SGA },
      data(7),
      { type: "subnegotiation", option: OPT_COM_PORT, payload: Uint8Array.of(101, 0, 0, 0x25, 0x80) },
      data(0xff),
    ]);
    for (let cut = 1; cut < stream.length; cut++) assert.deepEqual(decode(stream, [cut]), whole, `cut at ${cut}`);
    assert.deepEqual(decode(stream, stream.map((_, i) => i).slice(1)), whole, "one byte per chunk");
  });

  it("parses subnegotiations with IAC IAC inside, split anywhere", () => {
    const stream = [IAC, SB, OPT_COM_PORT, 101, IAC, IAC, 0, IAC, IAC, 1, IAC, SE];
    const expected: TelnetEvent[] = [
      { type: "subnegotiation", option: OPT_COM_PORT, payload: Uint8Array.of(101, 0xff, 0, 0xff, 1) },
    ];
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b++) assert.deepEqual(decode(stream, [a, b]), expected, `cuts ${a},${b}`);
    }
  });

  it("ends a subnegotiation that an IAC other than SE interrupts, and reads that command", () => {
    assert.deepEqual(decode([IAC, SB, 44, 7, IAC, WILL, OPT_ECHO, 5]), [
      { type: "subnegotiation", option: 44, payload: Uint8Array.of(7) },
      { type: "negotiate", verb: "WILL", option: OPT_ECHO },
      data(5),
    ]);
  });

  it("bounds the kept subnegotiation payload", () => {
    const long = Array.from({ length: MAX_SUBNEGOTIATION_BYTES + 50 }, (_, i) => i % 200);
    const [e] = decode([IAC, SB, 24, ...long, IAC, SE, 1]);
    assert.ok(e?.type === "subnegotiation");
    assert.equal(e.payload.length, MAX_SUBNEGOTIATION_BYTES);
  });

  it("round-trips random bus bytes escaped with escapeIac, in random chunks", () => {
    const rnd = mulberry32(2217);
    for (let round = 0; round < 50; round++) {
      const bytes = Array.from({ length: 1 + Math.floor(rnd() * 300) }, () => (rnd() < 0.2 ? 0xff : Math.floor(rnd() * 256)));
      const wire = [...escapeIac(Uint8Array.from(bytes))];
      const cuts: number[] = [];
      for (let i = 1; i < wire.length; i++) if (rnd() < 0.1) cuts.push(i);
      assert.deepEqual(decode(wire, cuts), [data(...bytes)]);
    }
  });
});

describe("negotiation and subnegotiation bytes", () => {
  it("encode commands, escaping the payload", () => {
    assert.deepEqual([...negotiation("DO", OPT_BINARY)], [IAC, DO, OPT_BINARY]);
    assert.deepEqual([...subnegotiation(44, Uint8Array.of(1, 0xff))], [IAC, SB, 44, 1, 0xff, 0xff, IAC, SE]);
  });
});

describe("TelnetNegotiator", () => {
  const hex = (chunks: Uint8Array[]): number[][] => chunks.map((c) => [...c]);

  it("requests its options once and does not answer the replies to its own requests", () => {
    const n = new TelnetNegotiator({ local: [OPT_COM_PORT], remote: [OPT_SGA] });
    assert.deepEqual(hex(n.start()), [
      [IAC, WILL, OPT_COM_PORT],
      [IAC, DO, OPT_SGA],
    ]);
    assert.deepEqual(n.start(), [], "not twice");
    assert.deepEqual(n.receive("DO", OPT_COM_PORT), []);
    assert.deepEqual(n.receive("WILL", OPT_SGA), []);
    assert.equal(n.localEnabled(OPT_COM_PORT), true);
    assert.equal(n.remoteEnabled(OPT_SGA), true);
    assert.deepEqual(n.receive("DO", OPT_COM_PORT), [], "already enabled: no reply, no loop");
  });

  it("agrees to wanted options the peer offers first, refuses the others", () => {
    const n = new TelnetNegotiator({ local: [OPT_BINARY], remote: [OPT_BINARY] });
    assert.deepEqual(hex(n.receive("DO", OPT_BINARY)), [[IAC, WILL, OPT_BINARY]]);
    assert.deepEqual(hex(n.receive("WILL", OPT_BINARY)), [[IAC, DO, OPT_BINARY]]);
    assert.deepEqual(hex(n.receive("WILL", OPT_ECHO)), [[IAC, DONT, OPT_ECHO]], "the peer's echo is refused");
    assert.deepEqual(hex(n.receive("DO", 24)), [[IAC, WONT, 24]]);
    assert.deepEqual(n.receive("DONT", 24), [], "nothing to say about an option that is off");
  });

  it("acknowledges an option turned off and reports a refused request", () => {
    const n = new TelnetNegotiator({ local: [OPT_COM_PORT], remote: [OPT_SGA] });
    n.start();
    assert.equal(n.localRefused(OPT_COM_PORT), false);
    assert.deepEqual(n.receive("DONT", OPT_COM_PORT), [], "a refusal of our request is not answered");
    assert.equal(n.localRefused(OPT_COM_PORT), true);
    n.receive("WILL", OPT_SGA);
    assert.deepEqual(hex(n.receive("WONT", OPT_SGA)), [[IAC, DONT, OPT_SGA]]);
    assert.equal(n.remoteEnabled(OPT_SGA), false);
  });

  it("two negotiators wanting different things settle without a loop", () => {
    const a = new TelnetNegotiator({ local: [OPT_BINARY, OPT_SGA, OPT_COM_PORT], remote: [OPT_BINARY, OPT_SGA] });
    const b = new TelnetNegotiator({ local: [OPT_BINARY, OPT_SGA, OPT_ECHO], remote: [OPT_BINARY, OPT_COM_PORT] });
    let toB = a.start();
    let toA = b.start();
    let rounds = 0;
    const feed = (n: TelnetNegotiator, chunks: Uint8Array[]): Uint8Array[] =>
      chunks.flatMap((c) => {
        const verb = ({ [WILL]: "WILL", [WONT]: "WONT", [DO]: "DO", [DONT]: "DONT" } as const)[c[1] as 251];
        return n.receive(verb, c[2]!);
      });
    while (toA.length + toB.length > 0) {
      assert.ok(++rounds < 10, "negotiation loops");
      const nextToA = feed(b, toB);
      toB = feed(a, toA);
      toA = nextToA;
    }
    assert.equal(a.localEnabled(OPT_COM_PORT), true);
    assert.equal(b.remoteEnabled(OPT_COM_PORT), true);
    assert.equal(a.remoteEnabled(OPT_BINARY) && a.localEnabled(OPT_BINARY), true);
    assert.equal(a.remoteEnabled(OPT_ECHO), false, "echo refused");
    assert.equal(a.remoteEnabled(OPT_SGA), true, "b offered SGA");
  });
});
