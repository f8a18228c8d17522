import { test } from "node:test";
import assert from "node:assert/strict";
import { AlertSet } from "../bus/alerts.ts";
import { captureLogger } from "../shared/capture-logger.test-helper.ts";
import { FakeClock } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";
import { ReconnectingPort } from "../transport/reconnecting.ts";
import type { BusBinding, BusPort } from "../transport/port.ts";
import { busLinkTarget, watchBusOpen } from "./bus-open-watch.ts";

function fakePort(): BusPort {
  return { write: () => Promise.resolve(), close: () => Promise.resolve(), on: () => undefined };
}

/** A serial binding that fails like an absent device until `plugIn()`. */
function flakyBinding(): BusBinding & { plugIn(): void; opens: number } {
  let present = false;
  const b = {
    interfaceName: "RS485" as const,
    endpoint: "/dev/ttyUSB0",
    buffered: false,
    opens: 0,
    plugIn: () => (present = true),
    open(): Promise<BusPort> {
      b.opens++;
      if (present) return Promise.resolve(fakePort());
      const cause = new Error("Error: No such file or directory, cannot open /dev/ttyUSB0");
      return Promise.reject(new TwcError({ code: "TRANSPORT_OPEN_FAILED", message: `cannot open serial port /dev/ttyUSB0: ${cause.message}`, cause }));
    },
  };
  return b;
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

test("an absent serial port raises BUS_OPEN_FAILED with the fix, logged once, cleared when the port opens", async () => {
  const clock = new FakeClock();
  const logger = captureLogger();
  const alerts = new AlertSet();
  let refreshes = 0;
  const inner = flakyBinding();
  const target = busLinkTarget({ kind: "RS485", path: "/dev/ttyUSB0", baud: 9600 });
  assert.ok(target);
  const binding = watchBusOpen(inner, target, { sink: () => ({ alerts, refresh: () => refreshes++ }), clock, logger });
  assert.equal(binding.interfaceName, "RS485", "the other members are the binding's");
  assert.equal(binding.endpoint, "/dev/ttyUSB0");
  assert.equal(binding.buffered, false);
  const port = new ReconnectingPort({ binding, clock, logger });
  port.start();
  await settle();
  const alert = alerts.list().find((a) => a.code === "BUS_OPEN_FAILED");
  assert.ok(alert, "raised at the first failure");
  assert.equal(alert.severity, "error");
  assert.match(alert.message, /^cannot open \/dev\/ttyUSB0: no such file — check `interface\.RS485\.port`; `ls \/dev\/serial\/by-id`/);
  assert.equal(refreshes, 1);
  for (let i = 0; i < 5; i++) {
    clock.advance(5000);
    await settle();
  }
  assert.ok(inner.opens > 3, "retried");
  assert.equal(refreshes, 1, "the same reason again changes nothing");
  assert.equal(logger.records.filter((r) => r.obj.code === "BUS_OPEN_FAILED").length, 1, "logged once per reason");
  inner.plugIn();
  clock.advance(5000);
  await settle();
  assert.equal(port.connected, true);
  assert.equal(alerts.has("BUS_OPEN_FAILED"), false, "cleared when the link opens");
  assert.equal(refreshes, 2);
  await port.stop();
});

test("busLinkTarget: serial, TCP bridge, socket://, rfc2217://, listen, simulator", () => {
  assert.equal(busLinkTarget({ kind: "Dummy", slaves: [], seed: null, realisticTiming: false }), null);
  assert.deepEqual(busLinkTarget({ kind: "RS485", path: "/dev/ttyUSB0", baud: 9600 }), { kind: "serial", target: "/dev/ttyUSB0", configKey: "interface.RS485.port" });
  assert.deepEqual(busLinkTarget({ kind: "TCP", host: "10.0.0.5", port: 6000, viaRs485Port: false }), { kind: "tcp", target: "10.0.0.5:6000", configKey: "interface.TCP.server" });
  assert.equal(busLinkTarget({ kind: "TCP", host: "10.0.0.5", port: 6000, viaRs485Port: true })?.configKey, "interface.RS485.port");
  assert.deepEqual(busLinkTarget({ kind: "RFC2217", host: "pi.local", port: 3000, baud: 9600 }), { kind: "rfc2217", target: "pi.local:3000", configKey: "interface.RS485.port" });
  assert.deepEqual(busLinkTarget({ kind: "TCPListen", host: "::", port: 6000 }), { kind: "tcp-listen", target: "[::]:6000", configKey: "interface.TCP" });
});

test("nothing is raised before the sink exists, and a synchronous throw is an open failure too", async () => {
  const clock = new FakeClock();
  const logger = captureLogger();
  const inner: BusBinding = {
    interfaceName: "TCP",
    endpoint: "127.0.0.1:1",
    open(): Promise<BusPort> {
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    },
  };
  const binding = watchBusOpen(inner, { kind: "tcp", target: "127.0.0.1:1", configKey: "interface.TCP.server" }, { sink: () => null, clock, logger });
  await assert.rejects(binding.open(), /ECONNREFUSED/);
  assert.match(String(logger.records[0]?.msg), /^cannot connect to 127\.0\.0\.1:1: connection refused — /);
});
