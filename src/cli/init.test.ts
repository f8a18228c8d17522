import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigText } from "../config/load.ts";
import { checkBusPort, checkHttpPort, defaultSettingsPath, initConfigText, serialCandidates } from "./init-config.ts";
import { runInit, type InitIo } from "./init.ts";

function tmp(): { dir: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), "twcm-init-"));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An io that records lines and answers questions from a list (null: end of input). */
function scripted(answers?: (string | null)[], byId: string[] = []): InitIo & { lines: string[]; errors: string[]; questions: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  const questions: string[] = [];
  const io: InitIo & { lines: string[]; errors: string[]; questions: string[] } = {
    lines,
    errors,
    questions,
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
    devices: () => Promise.resolve({ byId, dev: ["ttyUSB0", "tty1"] }),
    now: () => Date.UTC(2026, 11, 2, 12, 0, 0),
  };
  if (answers) {
    const queue = [...answers];
    io.ask = (q) => {
      questions.push(q);
      return Promise.resolve(queue.length > 0 ? (queue.shift() ?? null) : null);
    };
  }
  return io;
}

test("the written config validates and carries every answer", () => {
  const text = initConfigText(
    { port: "/dev/serial/by-id/usb-FTDI-x", wiringMaxAmpsAllTWCs: 40, wiringMaxAmpsPerTWC: 32, minAmpsPerTWC: 6, defaultVoltage: 230, numberOfPhases: 3, httpPort: 8081, listenAddress: "127.0.0.1", settingsPath: "/var/lib/twcmanager" },
    "2026-12-02T12:00:00.000+00:00",
  );
  const l = loadConfigText(text, "config.json", "/");
  assert.deepEqual(l.warnings, []);
  assert.equal(l.config.core.wiringMaxAmpsAllTWCs, 40);
  assert.equal(l.config.core.wiringMaxAmpsPerTWC, 32);
  assert.equal(l.config.core.numberOfPhases, 3);
  assert.equal(l.config.core.defaultVoltage, 230);
  assert.deepEqual(l.config.bus, { kind: "RS485", path: "/dev/serial/by-id/usb-FTDI-x", baud: 9600 });
  assert.equal(l.config.http?.listenPort, 8081);
  assert.equal(l.config.http?.listenAddress, "127.0.0.1");
  const off = loadConfigText(initConfigText({ port: "socket://10.0.0.5:6000", wiringMaxAmpsAllTWCs: 32, wiringMaxAmpsPerTWC: 32, minAmpsPerTWC: 6, defaultVoltage: 240, numberOfPhases: 1, httpPort: null, listenAddress: null, settingsPath: "/x" }, "now"), "c.json", "/");
  assert.equal(off.config.http, null);
  assert.equal(off.config.bus.kind, "TCP");
});

test("answers are checked with a message naming the question", () => {
  assert.equal(checkBusPort("/dev/ttyUSB0").ok, true);
  assert.equal(checkBusPort("socket://10.0.0.5:6000").ok, true);
  assert.equal(checkBusPort("rfc2217://pi.local:3000").ok, true);
  const bad = checkBusPort("http://x:1");
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? "" : bad.message, /^port: http:\/\//);
  assert.equal(checkBusPort("ttyUSB0").ok, false);
  assert.equal(checkBusPort("socket://host").ok, false);
  assert.deepEqual(checkHttpPort("off"), { ok: true, value: null });
  assert.equal(checkHttpPort("70000").ok, false);
  assert.deepEqual(serialCandidates(["usb-b", "usb-a"], ["ttyUSB0"]), ["/dev/serial/by-id/usb-a", "/dev/serial/by-id/usb-b"]);
  assert.deepEqual(serialCandidates([], ["ttyS0", "ttyACM0", "ttyUSB1"]), ["/dev/ttyACM0", "/dev/ttyUSB1"]);
  assert.equal(defaultSettingsPath("/etc/twcmanager/config.json"), "/var/lib/twcmanager");
  assert.equal(defaultSettingsPath("/home/pi/twc/config.json"), "/home/pi/twc/data");
});

test("with flags and no terminal: writes, warns on a 400 A limit, refuses to overwrite without --force", async () => {
  const t = tmp();
  try {
    const path = join(t.dir, "etc", "config.json");
    const io = scripted();
    assert.equal(await runInit([path, "--port", "/dev/ttyUSB0", "--wiring-max-amps", "400", "--voltage", "230", "--http-port", "9090"], io), 0, io.errors.join("\n"));
    assert.match(io.lines.join("\n"), /wrote .*config\.json/);
    assert.match(io.lines.join("\n"), /warning: config\.wiringMaxAmpsAllTWCs: 400 A/);
    const l = loadConfigText(readFileSync(path, "utf8"), "config.json", "/");
    assert.equal(l.config.core.wiringMaxAmpsPerTWC, 400, "per charger defaults to the shared limit");
    assert.equal(l.config.http?.listenPort, 9090);
    assert.equal(l.config.core.settingsPath, join(t.dir, "etc", "data"));
    const again = scripted();
    assert.equal(await runInit([path, "--port", "/dev/ttyUSB1", "--wiring-max-amps", "32"], again), 1);
    assert.match(again.errors.join("\n"), /exists; it is left as it is \(--force overwrites it\)/);
    assert.match(readFileSync(path, "utf8"), /ttyUSB0/, "unchanged");
    assert.equal(await runInit([path, "--port", "/dev/ttyUSB1", "--wiring-max-amps", "32", "--force"], scripted()), 0);
    assert.match(readFileSync(path, "utf8"), /ttyUSB1/);
  } finally {
    t.done();
  }
});

test("no terminal and no flags: a clear error naming the flags, nothing written", async () => {
  const t = tmp();
  try {
    const io = scripted();
    assert.equal(await runInit([join(t.dir, "c.json")], io), 1);
    assert.match(io.errors.join("\n"), /no terminal to ask on: give --port and --wiring-max-amps/);
    const bad = scripted();
    assert.equal(await runInit([join(t.dir, "c.json"), "--port", "/dev/ttyUSB0", "--wiring-max-amps", "lots"], bad), 1);
    assert.match(bad.errors.join("\n"), /wiring limit of all chargers: "lots" is not a number/);
    assert.equal(await runInit(["--bogus"], scripted()), 1);
  } finally {
    t.done();
  }
});

test("asked on a terminal: the by-id candidates listed, Enter takes the default, a wrong answer is asked again", async () => {
  const t = tmp();
  try {
    const path = join(t.dir, "config.json");
    const io = scripted(["", "abc", "32", "", "230", ""], ["usb-FTDI_FT232R-if00-port0"]);
    assert.equal(await runInit([path], io), 0, io.errors.join("\n"));
    assert.match(io.lines.join("\n"), /Serial adapters found:\n {2}\/dev\/serial\/by-id\/usb-FTDI_FT232R-if00-port0/);
    assert.match(io.questions[0]!, /\[\/dev\/serial\/by-id\/usb-FTDI_FT232R-if00-port0\]: $/);
    assert.match(io.errors.join("\n"), /"abc" is not a number/);
    assert.equal(io.questions.length, 6, "port, all (twice), per charger, voltage, web port");
    const l = loadConfigText(readFileSync(path, "utf8"), "config.json", "/");
    assert.deepEqual(l.config.bus, { kind: "RS485", path: "/dev/serial/by-id/usb-FTDI_FT232R-if00-port0", baud: 9600 });
    assert.equal(l.config.core.wiringMaxAmpsAllTWCs, 32);
    assert.equal(l.config.core.defaultVoltage, 230);
    assert.equal(l.config.http?.listenPort, 8080);
  } finally {
    t.done();
  }
});

test("the end of the input stops the questions: nothing written", async () => {
  const t = tmp();
  try {
    const path = join(t.dir, "config.json");
    const io = scripted(["/dev/ttyUSB0", null]);
    assert.equal(await runInit([path], io), 1);
    assert.match(io.errors.join("\n"), /end of input/);
    assert.throws(() => readFileSync(path));
    writeFileSync(path, "{}");
  } finally {
    t.done();
  }
});
