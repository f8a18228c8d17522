import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ComPort, ComPortSession, comPortCommand, lineCommands, type LineSettings } from "./com-port.ts";
import { FakeRfc2217Server } from "./rfc2217-server.test-helper.ts";
import { IAC, SB, SE } from "./telnet.ts";

const TWC: LineSettings = { baud: 9600, dataBits: 8, parity: "none", stopBits: 1 };

/** Runs client and server against each other until both are quiet; returns the bus data the client got. */
function converse(client: ComPortSession, server: FakeRfc2217Server, first: Uint8Array[]): number[] {
  const got: number[] = [];
  let toServer = first;
  for (let round = 0; toServer.length > 0; round++) {
    assert.ok(round < 10, "the handshake loops");
    const toClient = toServer.flatMap((c) => server.receive(c));
    toServer = toClient.flatMap((c) => {
      const r = client.receive(c);
      for (const d of r.data) got.push(...d);
      return r.reply;
    });
  }
  return got;
}

function handshake(opts: ConstructorParameters<typeof FakeRfc2217Server>[0] = {}): {
  client: ComPortSession;
  server: FakeRfc2217Server;
} {
  const client = new ComPortSession(TWC);
  const server = new FakeRfc2217Server(opts);
  const start = client.start();
  const greet = client.receive(server.greeting());
  converse(client, server, [...start, ...greet.reply]);
  return { client, server };
}

describe("RFC 2217 commands", () => {
  it("encode 9600 8N1 without flow control, notifications masked off", () => {
    const cmds = lineCommands(TWC).map((c) => [...c]);
    assert.deepEqual(cmds[0], [IAC, SB, 44, ComPort.SET_BAUDRATE, 0, 0, 0x25, 0x80, IAC, SE]);
    assert.deepEqual(cmds.slice(1).map((c) => c.slice(3, -2)), [
      [ComPort.SET_DATASIZE, 8],
      [ComPort.SET_PARITY, 1],
      [ComPort.SET_STOPSIZE, 1],
      [ComPort.SET_CONTROL, 1],
      [ComPort.SET_LINESTATE_MASK, 0],
      [ComPort.SET_MODEMSTATE_MASK, 0],
    ]);
  });

  it("escape a 0xFF inside a value", () => {
    assert.deepEqual([...comPortCommand(1, Uint8Array.of(0, 0, 0xff, 0))], [IAC, SB, 44, 1, 0, 0, 0xff, 0xff, 0, IAC, SE]);
  });
});

describe("ComPortSession", () => {
  it("is ready once a ser2net-like server acknowledged the line settings", () => {
    const { client, server } = handshake();
    assert.equal(client.status, "ready");
    assert.equal(client.failure, null);
    assert.deepEqual(
      server.commands.map((c) => c[0]),
      [1, 2, 3, 4, 5, 10, 11],
    );
    assert.ok(server.negotiations.includes("WILL 44"), "we offer COM-PORT-OPTION");
    assert.ok(server.negotiations.includes("DONT 1"), "the server's echo is refused");
    assert.ok(server.negotiations.includes("WILL 0") && server.negotiations.includes("DO 0"), "binary both ways");
  });

  it("sends the settings only after COM-PORT-OPTION is agreed", () => {
    const client = new ComPortSession(TWC);
    const start = client.start();
    assert.ok(start.every((c) => c[1] !== SB), "no subnegotiation before the server's DO 44");
    const r = client.receive(Uint8Array.of(IAC, 0xfd, 44)); // DO COM-PORT-OPTION (answer to our WILL)
    assert.equal(r.reply.length, 7, "the seven line commands");
    assert.equal(client.status, "negotiating");
  });

  it("fails when the server refuses COM-PORT-OPTION", () => {
    const client = new ComPortSession(TWC);
    client.start();
    client.receive(Uint8Array.of(IAC, 0xfe, 44)); // DONT COM-PORT-OPTION
    assert.equal(client.status, "failed");
    assert.match(client.failure ?? "", /refused COM-PORT-OPTION.*telnet\(rfc2217\)/);
  });

  it("fails when the server sets another baud rate or parity than asked", () => {
    const baud = handshake({ answer: { 1: [0, 0, 0x12, 0xc0] } }).client;
    assert.equal(baud.status, "failed");
    assert.equal(baud.failure, "the server set the baud rate to 4800 instead of 9600");
    const parity = handshake({ answer: { 3: [3] } }).client;
    assert.equal(parity.failure, "the server set the parity to 3 instead of 1");
  });

  it("stays negotiating while the server does not answer", () => {
    assert.equal(handshake({ silentComPort: true }).client.status, "negotiating");
  });

  it("passes bus bytes through both ways, 0xFF included, commands and notifications stripped", () => {
    const { client, server } = handshake();
    const bus = Uint8Array.of(0xc0, 0xfd, 0xe2, 0xff, 0x34, 0xff, 0xff, 0xc0);
    const wire = [
      ...server.send(bus.subarray(0, 4)),
      ...[IAC, 0xf1], // NOP
      ...[IAC, SB, 44, 107, 0x30, IAC, SE], // NOTIFY-MODEMSTATE
      ...server.send(bus.subarray(4)),
    ];
    const got: number[] = [];
    for (const b of wire) {
      const r = client.receive(Uint8Array.of(b));
      for (const d of r.data) got.push(...d);
      assert.deepEqual(r.reply, []);
    }
    assert.deepEqual(got, [...bus]);
    server.receive(client.encode(bus));
    assert.deepEqual(server.received, [...bus]);
  });

  it("answers a late option request after the handshake and stays ready", () => {
    const { client } = handshake();
    const r = client.receive(Uint8Array.of(IAC, 0xfd, 24, 7)); // DO TERMINAL-TYPE, then a data byte
    assert.deepEqual(r.reply.map((c) => [...c]), [[IAC, 0xfc, 24]]);
    assert.deepEqual(r.data.map((d) => [...d]), [[7]]);
    assert.equal(client.status, "ready");
  });

  it("tracks FLOWCONTROL-SUSPEND/RESUME from the server", () => {
    const { client } = handshake();
    client.receive(Uint8Array.of(IAC, SB, 44, 108, IAC, SE));
    assert.equal(client.suspended, true);
    client.receive(Uint8Array.of(IAC, SB, 44, 109, IAC, SE));
    assert.equal(client.suspended, false);
  });
});
