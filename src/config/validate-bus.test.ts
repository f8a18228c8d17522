import { test } from "node:test";
import assert from "node:assert/strict";
import { validate } from "./validate.ts";
import { NO_BUS_MESSAGE, parseHostPort, twcIdKey } from "./validate-bus.ts";

const CORE = { settingsPath: "/tmp/x", wiringMaxAmpsAllTWCs: 32, minAmpsPerTWC: 6 };

function bus(
  iface: unknown,
  core: Record<string, unknown> = {},
): { errors: string[]; warnings: string[]; bus: unknown; timeout: unknown } {
  const r = validate({ config: { ...CORE, ...core }, ...(iface === undefined ? {} : { interface: iface }) });
  return {
    errors: r.issues.filter((i) => i.severity === "error").map((i) => i.message),
    warnings: r.issues.filter((i) => i.severity === "warning").map((i) => i.message),
    bus: r.config?.bus,
    timeout: r.config?.slaveTimeoutS,
  };
}

test("selection order Dummy → RS485 → TCP", () => {
  const all = {
    Dummy: { enabled: true },
    RS485: { port: "/dev/ttyUSB0" },
    TCP: { enabled: true, server: "h" },
  };
  assert.equal((bus(all).bus as { kind: string }).kind, "Dummy");
  assert.equal((bus({ ...all, Dummy: { enabled: false } }).bus as { kind: string }).kind, "RS485");
  assert.deepEqual(bus({ ...all, Dummy: {}, RS485: { enabled: false, port: "/dev/ttyUSB0" } }).bus, {
    kind: "TCP",
    host: "h",
    port: 6000,
    viaRs485Port: false,
  });
  assert.deepEqual(bus({ RS485: {}, TCP: { enabled: true, server: "bridge:7000" } }).bus, {
    kind: "TCP",
    host: "bridge",
    port: 7000,
    viaRs485Port: false,
  });
});

test("no usable interface is an error with the exact text", () => {
  for (const iface of [
    undefined,
    {},
    { RS485: {} },
    { RS485: { enabled: false } },
    { TCP: { enabled: false, server: "x" } },
  ]) {
    assert.deepEqual(bus(iface).errors, [NO_BUS_MESSAGE], JSON.stringify(iface));
  }
  assert.equal(
    NO_BUS_MESSAGE,
    "no bus interface: set interface.RS485.port, or enable interface.TCP or interface.Dummy",
  );
});

test("RS485 port and baud: interface keys win over the legacy config keys, else 9600", () => {
  assert.deepEqual(bus(undefined, { rs485adapter: "/dev/serial0" }).bus, {
    kind: "RS485",
    path: "/dev/serial0",
    baud: 9600,
  });
  assert.deepEqual(bus({ RS485: {} }, { rs485adapter: "/dev/serial0", baud: 19200 }).bus, {
    kind: "RS485",
    path: "/dev/serial0",
    baud: 19200,
  });
  assert.deepEqual(
    bus({ RS485: { port: "/dev/ttyUSB1", baud: 115200 } }, { rs485adapter: "/dev/serial0", baud: 19200 }).bus,
    {
      kind: "RS485",
      path: "/dev/ttyUSB1",
      baud: 115200,
    },
  );
});

test("socket://host:port becomes a TCP endpoint; other URLs than socket:// and rfc2217:// are errors", () => {
  assert.deepEqual(bus({ RS485: { port: "socket://192.168.1.50:4001" } }).bus, {
    kind: "TCP",
    host: "192.168.1.50",
    port: 4001,
    viaRs485Port: true,
  });
  assert.deepEqual(bus({ RS485: { port: "socket://[::1]:4001" } }).bus, {
    kind: "TCP",
    host: "::1",
    port: 4001,
    viaRs485Port: true,
  });
  assert.deepEqual(bus(undefined, { rs485adapter: "socket://h" }).errors, [
    'config.rs485adapter: must be socket://host:port (found "socket://h")',
  ]);
  assert.match(
    bus({ RS485: { port: "loop://" } }).errors[0]!,
    /^interface\.RS485\.port: loop:\/\/ is not supported/,
  );
});

test("TCP: server required (except in listen mode)", () => {
  assert.deepEqual(bus({ RS485: { enabled: false }, TCP: { enabled: true } }).errors, [
    "interface.TCP.server: is required when interface.TCP is enabled",
  ]);
  assert.deepEqual(bus({ RS485: { enabled: false }, TCP: { enabled: true, server: "h:99999" } }).errors, [
    'interface.TCP.server: must be "host" or "host:port" (found "h:99999")',
  ]);
  assert.deepEqual(bus({ TCP: { enabled: true, server: "h", port: 5000 } }).bus, {
    kind: "TCP",
    host: "h",
    port: 5000,
    viaRs485Port: false,
  });
});

test("rfc2217://host:port is an RFC 2217 link at the configured baud (issue 13 §4)", () => {
  assert.deepEqual(bus({ RS485: { port: "rfc2217://ser2net.local:4001" } }).bus, {
    kind: "RFC2217",
    host: "ser2net.local",
    port: 4001,
    baud: 9600,
  });
  assert.deepEqual(bus({ RS485: { port: "RFC2217://[::1]:4001/", baud: 19200 } }).bus, {
    kind: "RFC2217",
    host: "::1",
    port: 4001,
    baud: 19200,
  });
  assert.deepEqual(bus(undefined, { rs485adapter: "rfc2217://10.0.0.2:3000", baud: 4800 }).bus, {
    kind: "RFC2217",
    host: "10.0.0.2",
    port: 3000,
    baud: 4800,
  });
  const withOptions = bus({ RS485: { port: "rfc2217://h:4001?ign_set_control&timeout=3" } });
  assert.deepEqual(withOptions.bus, { kind: "RFC2217", host: "h", port: 4001, baud: 9600 });
  assert.deepEqual(withOptions.warnings, [
    'interface.RS485.port: URL options "ign_set_control&timeout=3" are ignored',
  ]);
  for (const port of ["rfc2217://h", "rfc2217://", "rfc2217://h:0", "rfc2217://h:70000", "rfc2217://a/b:1"]) {
    assert.deepEqual(
      bus({ RS485: { port } }).errors,
      [`interface.RS485.port: must be rfc2217://host:port (found ${JSON.stringify(port)})`],
      port,
    );
  }
  assert.deepEqual(bus({ RS485: { port: "rfc2217://h:4001", slaveTimeout: 40 } }).timeout, 40);
});

test("TCP listen mode: server is the address to listen on, every IPv4 address by default", () => {
  const off = { RS485: { enabled: false } };
  assert.deepEqual(bus({ ...off, TCP: { enabled: true, listen: true } }).bus, {
    kind: "TCPListen",
    host: "0.0.0.0",
    port: 6000,
  });
  assert.deepEqual(bus({ ...off, TCP: { enabled: true, listen: true, server: "h" } }).bus, {
    kind: "TCPListen",
    host: "h",
    port: 6000,
  });
  assert.deepEqual(bus({ ...off, TCP: { enabled: true, listen: true, server: "127.0.0.1:7001", port: 5 } }).bus, {
    kind: "TCPListen",
    host: "127.0.0.1",
    port: 7001,
  });
  assert.deepEqual(bus({ ...off, TCP: { enabled: true, listen: true, port: 4002 } }).bus, {
    kind: "TCPListen",
    host: "0.0.0.0",
    port: 4002,
  });
  assert.deepEqual(bus({ ...off, TCP: { enabled: true, listen: true, server: "h:0" } }).errors, [
    'interface.TCP.server: must be the "host" or "host:port" to listen on (found "h:0")',
  ]);
  assert.deepEqual(bus({ ...off, TCP: { enabled: true, listen: false, server: "h" } }).bus, {
    kind: "TCP",
    host: "h",
    port: 6000,
    viaRs485Port: false,
  });
  const coerced = bus({ ...off, TCP: { enabled: true, listen: "yes" } });
  assert.equal((coerced.bus as { kind: string }).kind, "TCPListen");
  assert.deepEqual(coerced.warnings, ['interface.TCP.listen: "yes" is not a boolean, using true']);
});

test("slaveTimeout comes from the active interface (5–300, default 26)", () => {
  assert.equal(
    bus({ Dummy: { enabled: true, slaveTimeout: 10 }, RS485: { port: "/dev/x", slaveTimeout: 99 } }).timeout,
    10,
  );
  assert.equal(bus({ RS485: { port: "/dev/x", slaveTimeout: "60" } }).timeout, 60);
  assert.equal(bus({ RS485: { port: "/dev/x" } }).timeout, 26);
  assert.deepEqual(bus({ RS485: { port: "/dev/x", slaveTimeout: 3 } }).errors, [
    "interface.RS485.slaveTimeout: must be a number between 5 and 300 (found 3)",
  ]);
});

test("Dummy: default slave 1234, twcID formats, slave definitions validated and passed through", () => {
  assert.deepEqual(bus({ Dummy: { enabled: true } }).bus, {
    kind: "Dummy",
    slaves: [{ twcID: "1234" }],
    seed: null,
    realisticTiming: false,
  });
  assert.deepEqual(
    (bus({ Dummy: { enabled: true, twcID: "4142", seed: 7 } }).bus as { slaves: unknown; seed: unknown })
      .seed,
    7,
  );
  for (const bad of ["ABC", "A", "41G2", "ÄB"]) {
    assert.deepEqual(bus({ Dummy: { enabled: true, twcID: bad } }).errors, [
      `interface.Dummy.twcID: must be 2 ASCII characters or 4 hex digits (found ${JSON.stringify(bad)})`,
    ]);
  }
  const slaves = [
    { twcID: "AB", maxAmps: "32", car: { behaviour: "follow" } },
    { twcID: "0102", vin: null, faults: { silentAfterS: null, dropRate: 0.1 } },
  ];
  const r = bus({ Dummy: { enabled: true, twcID: "ZZ", slaves } });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, ['interface.Dummy.slaves[0].maxAmps: "32" is a string, using 32']);
  assert.deepEqual((r.bus as { slaves: unknown }).slaves, [
    { twcID: "AB", maxAmps: 32, car: { behaviour: "follow" } },
    { twcID: "0102", vin: null, faults: { silentAfterS: null, dropRate: 0.1 } },
  ]);
  const bad = bus({
    Dummy: {
      enabled: true,
      slaves: [{ twcID: "AB", car: { behaviour: "fly" }, colour: "red" }, { maxAmps: 1000 }],
    },
  });
  assert.deepEqual(bad.errors.sort(), [
    'interface.Dummy.slaves[0].car.behaviour: must be one of "none", "follow", "full", "waiting", "error" (found "fly")',
    "interface.Dummy.slaves[1].maxAmps: must be a number between 0 and 655.35 (found 1000)",
    "interface.Dummy.slaves[1].twcID: is required",
  ]);
  assert.deepEqual(bad.warnings, ["interface.Dummy.slaves[0].colour: unknown key, ignored"]);
  assert.deepEqual(bus({ Dummy: { enabled: true, slaves: [{ twcID: "AB" }, { twcID: "4142" }] } }).errors, [
    "interface.Dummy.slaves[1].twcID: duplicate slave ID 4142 (also used by slaves[0])",
  ]);
});

test("helpers: host:port parsing and TWCID keys", () => {
  assert.deepEqual(parseHostPort("h", 6000), { host: "h", port: 6000 });
  assert.deepEqual(parseHostPort("h:1", 6000), { host: "h", port: 1 });
  assert.deepEqual(parseHostPort("fe80::1", 6000), { host: "fe80::1", port: 6000 });
  assert.deepEqual(parseHostPort("[fe80::1]:7", 6000), { host: "fe80::1", port: 7 });
  assert.equal(parseHostPort("h:0", 6000), null);
  assert.equal(parseHostPort(":80", 6000), null);
  assert.equal(twcIdKey("AB"), "4142");
  assert.equal(twcIdKey("beef"), "BEEF");
});
