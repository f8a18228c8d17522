import { test } from "node:test";
import assert from "node:assert/strict";
import { TwcError } from "../shared/errors.ts";
import { explainOpenError, explainOpenFailure, openFailureCode, openFailureDetail, type BusLinkTarget } from "./open-failure.ts";

const serial: BusLinkTarget = { kind: "serial", target: "/dev/ttyUSB0", configKey: "interface.RS485.port" };
const tcp: BusLinkTarget = { kind: "tcp", target: "192.168.1.50:6000", configKey: "interface.TCP.server" };
const rfc: BusLinkTarget = { kind: "rfc2217", target: "pi.local:3000", configKey: "interface.RS485.port" };
const listen: BusLinkTarget = { kind: "tcp-listen", target: "0.0.0.0:6000", configKey: "interface.TCP.port" };

/** An Error with an errno code, as node:net gives it. */
function errno(code: string, message = `connect ${code} 192.168.1.50:6000`): Error {
  return Object.assign(new Error(message), { code });
}

/** The TwcError the serial binding throws for a serialport message. */
function serialFailure(text: string): TwcError {
  const cause = new Error(text);
  return new TwcError({ code: "TRANSPORT_OPEN_FAILED", message: `cannot open serial port /dev/ttyUSB0: ${cause.message}`, cause });
}

test("an absent serial port: the reason and the fix of the issue", () => {
  const e = explainOpenError(serialFailure("Error: No such file or directory, cannot open /dev/ttyUSB0"), serial);
  assert.equal(e.code, "ENOENT");
  assert.equal(e.reason, "cannot open /dev/ttyUSB0: no such file");
  assert.match(e.fix, /^check `interface\.RS485\.port`; `ls \/dev\/serial\/by-id`/);
  assert.equal(e.message, `${e.reason} — ${e.fix}`);
});

test("serialport's texts without an errno code are classified", () => {
  const cases: [string, string][] = [
    ["Error: No such file or directory, cannot open /dev/ttyUSB0", "ENOENT"],
    ["Error: Permission denied, cannot open /dev/ttyUSB0", "EACCES"],
    ["Error: Operation not permitted, cannot open /dev/ttyUSB0", "EACCES"],
    ["Error Resource temporarily unavailable Cannot lock port", "EBUSY"],
    ["Error: Device or resource busy, cannot open /dev/ttyUSB0", "EBUSY"],
    ["Error: No such device or address, cannot open /dev/ttyUSB0", "ENXIO"],
    ["Error: Inappropriate ioctl for device setting custom baud rate of 9600", "ENOTTY"],
    ["Error: something new", "UNKNOWN"],
  ];
  for (const [text, code] of cases) assert.equal(openFailureCode(serialFailure(text)), code, text);
});

test("every serial failure names its fix", () => {
  assert.match(explainOpenFailure("EACCES", serial).fix, /dialout/);
  assert.match(explainOpenFailure("EBUSY", serial).fix, /another program \(the old TWCManager service\?\) has the port/);
  assert.match(explainOpenFailure("EBUSY", serial).fix, /fuser \/dev\/ttyUSB0/);
  assert.match(explainOpenFailure("ENXIO", serial).fix, /unplugged/);
  assert.match(explainOpenFailure("ENOTTY", serial).reason, /not a serial port/);
  const unknown = explainOpenError(serialFailure("Error: something new"), serial);
  assert.equal(unknown.reason, "cannot open /dev/ttyUSB0: something new");
  assert.match(unknown.fix, /interface\.RS485\.port/);
});

test("errno codes win over texts, through causes and AggregateErrors, aliases folded", () => {
  const wrapped = new TwcError({ code: "TRANSPORT_OPEN_FAILED", message: "cannot connect", cause: errno("ECONNREFUSED") });
  assert.equal(openFailureCode(wrapped), "ECONNREFUSED");
  const aggregate = new AggregateError([errno("ECONNREFUSED"), errno("EHOSTUNREACH")], "connect failed");
  assert.equal(openFailureCode(aggregate), "ECONNREFUSED");
  assert.equal(openFailureCode(errno("ENETUNREACH")), "EHOSTUNREACH");
  assert.equal(openFailureCode(errno("EAI_AGAIN", "getaddrinfo EAI_AGAIN bridge")), "ENOTFOUND");
  assert.equal(openFailureCode(errno("EPERM")), "EACCES");
  assert.equal(openFailureCode(new Error("cannot connect to 1.2.3.4:6000: connect timeout after 5000 ms")), "ETIMEDOUT");
  assert.equal(openFailureCode(new Error("cannot connect to h:1: connect ECONNREFUSED 127.0.0.1:1")), "ECONNREFUSED");
  assert.equal(openFailureCode("just text"), "UNKNOWN");
  assert.equal(openFailureCode(null), "UNKNOWN");
  const loop: { cause?: unknown; message: string } = { message: "loop" };
  loop.cause = loop;
  assert.equal(openFailureCode(loop), "UNKNOWN", "a cause cycle ends");
});

test("TCP client failures: refused, unreachable, timed out, unknown host, reset", () => {
  const refused = explainOpenFailure("ECONNREFUSED", tcp);
  assert.equal(refused.reason, "cannot connect to 192.168.1.50:6000: connection refused");
  assert.match(refused.fix, /TCP server port 6000/);
  assert.match(refused.fix, /interface\.TCP\.server/);
  assert.match(explainOpenFailure("EHOSTUNREACH", tcp).fix, /ping 192\.168\.1\.50/);
  assert.match(explainOpenFailure("ETIMEDOUT", tcp).reason, /timed out/);
  assert.match(explainOpenFailure("ENOTFOUND", { ...tcp, target: "bridge.lan:6000" }).reason, /unknown host bridge\.lan$/);
  assert.match(explainOpenFailure("ECONNRESET", tcp).fix, /old TWCManager service/);
  assert.equal(explainOpenFailure("ENOTFOUND", { ...tcp, target: "[fd00::5]:6000" }).reason, "cannot connect to [fd00::5]:6000: unknown host fd00::5");
  assert.match(explainOpenFailure("UNKNOWN", tcp, "boom").reason, /: boom$/);
});

test("rfc2217:// failures speak of ser2net", () => {
  const e = explainOpenFailure("ECONNREFUSED", rfc);
  assert.match(e.fix, /ser2net/);
  assert.match(e.fix, /port 3000/);
  assert.match(e.fix, /interface\.RS485\.port/);
  assert.match(explainOpenFailure("ETIMEDOUT", rfc).fix, /ser2net is powered/);
});

test("TCP listen failures: port in use, privileged port, foreign address", () => {
  const inUse = explainOpenFailure("EADDRINUSE", listen);
  assert.equal(inUse.reason, "cannot listen on 0.0.0.0:6000: the port is in use");
  assert.match(inUse.fix, /old TWCManager service\?\) listens on port 6000/);
  assert.match(explainOpenFailure("EACCES", listen).fix, /1024/);
  assert.match(explainOpenFailure("EADDRNOTAVAIL", { ...listen, target: "10.9.9.9:6000" }).reason, /10\.9\.9\.9 is not an address of this machine/);
  assert.equal(openFailureCode(errno("EADDRINUSE", "listen EADDRINUSE: address already in use 0.0.0.0:6000")), "EADDRINUSE");
});

test("the detail is the innermost text without serialport's 'Error:' prefix", () => {
  assert.equal(openFailureDetail(serialFailure("Error: something new")), "something new");
  assert.equal(openFailureDetail(new Error("plain")), "plain");
  assert.equal(openFailureDetail("text"), "text");
});

test("the transports' context.errno (transport/open-error.ts) is read, and a listener nobody connected to", () => {
  const e = new TwcError({ code: "TRANSPORT_OPEN_FAILED", message: "cannot open serial port /dev/ttyUSB0: permission denied", context: { path: "/dev/ttyUSB0", reason: "permission denied", errno: "EACCES" } });
  assert.equal(openFailureCode(e), "EACCES");
  const waiting = new TwcError({ code: "TRANSPORT_OPEN_FAILED", message: "cannot accept a bridge on 0.0.0.0:6000: no bridge has connected (waited 30 s)", context: { endpoint: "listening on 0.0.0.0:6000", errno: null } });
  const x = explainOpenError(waiting, listen);
  assert.equal(x.code, "NO_BRIDGE");
  assert.equal(x.reason, "no RS-485 bridge has connected to 0.0.0.0:6000 yet");
  assert.match(x.fix, /TCP client to this machine's address, port 6000/);
});
