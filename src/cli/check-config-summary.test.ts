import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfigText } from "../config/load.ts";
import { busLine, checkConfigSummary, moduleVerdicts, modulesLine, notRunningReason } from "./check-config-summary.ts";

const base = {
  config: { settingsPath: "/tmp/twcm-summary", wiringMaxAmpsAllTWCs: 32, wiringMaxAmpsPerTWC: 32, minAmpsPerTWC: 6 },
  interface: { RS485: { port: "/dev/ttyUSB0" } },
};

function load(extra: Record<string, unknown>) {
  return loadConfigText(JSON.stringify({ ...base, ...extra }), "config.json", "/");
}

test("no control.HTTP: the summary says there is no web interface", () => {
  const l = load({});
  const s = checkConfigSummary(l.raw, l.config, l.warnings);
  assert.equal(s.web, "no web interface: control.HTTP is not enabled");
  assert.match(s.bus, /^bus: RS-485 serial port \/dev\/ttyUSB0 at 9600 baud \(interface\.RS485\.port\); a \/dev\/serial\/by-id\/… path stays the same/);
  assert.equal(s.modules, "modules: will run: logging.Console");
});

test("the web interface line: every interface, loopback only, sign-in", () => {
  const every = load({ control: { HTTP: { enabled: true, listenPort: 8080 } } });
  assert.match(checkConfigSummary(every.raw, every.config, every.warnings).web, /^web interface on http:\/\/0\.0\.0\.0:8080\/ \(every network interface; no sign-in: anyone on the network/);
  const local = load({ control: { HTTP: { enabled: true, listenPort: 9000, listenAddress: "127.0.0.1" } } });
  assert.match(checkConfigSummary(local.raw, local.config, local.warnings).web, /^web interface on http:\/\/127\.0\.0\.1:9000\/ \(this machine only; .*; no sign-in\)$/);
  const auth = load({ control: { HTTP: { enabled: true, listenPort: 8080, auth: { tokens: ["0123456789abcdef0123"] } } } });
  assert.match(checkConfigSummary(auth.raw, auth.config, auth.warnings).web, /sign-in required\)$/);
  const v6 = load({ control: { HTTP: { enabled: true, listenPort: 8080, listenAddress: "::1" } } });
  assert.match(checkConfigSummary(v6.raw, v6.config, v6.warnings).web, /^web interface on http:\/\/\[::1\]:8080\//);
});

test("each configured module: will run, or will not and why (issue 13 §5)", () => {
  const l = load({
    control: { HTTP: { enabled: false }, MQTT: { enabled: true, brokerIP: "127.0.0.1", topicPrefix: "TWC" }, OCPP: { enabled: true } },
    sources: {
      Fronius: { enabled: true },
      SolarLog: { enabled: true, serverIP: "127.0.0.1" },
      Growatt: { enabled: true },
      URL: { enabled: false, url: "http://127.0.0.1/x" },
    },
    vehicle: { TeslaAPI: { enabled: true } },
    logging: { Console: { enabled: true }, FileLogger: { enabled: true, path: "/tmp/twcm-log" } },
  });
  const v = moduleVerdicts(l.raw, l.config, l.warnings);
  const by = Object.fromEntries(v.map((x) => [x.path, x]));
  assert.deepEqual(Object.keys(by), ["logging.Console", "control.MQTT", "control.OCPP", "sources.Fronius", "sources.SolarLog", "sources.Growatt", "logging.FileLogger", "vehicle.TeslaAPI"]);
  assert.equal(by["control.MQTT"]!.runs, true);
  assert.equal(by["sources.SolarLog"]!.runs, true);
  assert.equal(by["logging.FileLogger"]!.runs, true);
  assert.equal(by["sources.Fronius"]!.runs, false);
  assert.match(by["sources.Fronius"]!.why!, /serverIP/);
  assert.equal(by["sources.Growatt"]!.runs, false);
  assert.equal(by["control.OCPP"]!.runs, false);
  assert.equal(by["vehicle.TeslaAPI"]!.runs, true, "TWCManager's class-name spelling of vehicle.teslaAPI runs the Fleet API module");
  const line = modulesLine(v);
  assert.match(line, /^modules: will run: logging\.Console, control\.MQTT, sources\.SolarLog, logging\.FileLogger, vehicle\.TeslaAPI; will not run: /);
  assert.match(line, /sources\.Fronius \(sources\.Fronius\.serverIP: is required; sources\.Fronius is not started\)/);
  assert.equal(v.some((x) => x.path === "sources.URL"), false, "a disabled module is not configured");
});

test("a module named by a warning about one of its keys still runs", () => {
  assert.equal(notRunningReason("control.HTTP", ["control.HTTP.listenPot: unknown key, ignored"]), null);
  assert.equal(notRunningReason("sources.X", ["sources.X is not supported by this version and is ignored"]), "is not supported by this version and is ignored");
  assert.equal(modulesLine([]), "modules: none configured");
});

test("bus lines: simulator, TCP bridge, socket://, monitor mode", () => {
  const dummy = loadConfigText(JSON.stringify({ ...base, interface: { Dummy: { enabled: true, slaves: [{ twcID: "AB" }, { twcID: "CD" }] } } }), "c.json", "/");
  assert.equal(busLine(dummy.config), "bus: the built-in simulator (interface.Dummy, 2 simulated chargers, no hardware)");
  const tcp = loadConfigText(JSON.stringify({ ...base, config: { ...base.config, fakeMaster: 2 }, interface: { RS485: { enabled: false }, TCP: { enabled: true, server: "10.0.0.5:6000" } } }), "c.json", "/");
  assert.match(busLine(tcp.config), /^bus: RS-485 bridge over TCP at 10\.0\.0\.5:6000 \(interface\.TCP\.server\).*; monitor mode: listens only, never offers$/);
  const socket = loadConfigText(JSON.stringify({ ...base, interface: { RS485: { port: "socket://10.0.0.5:6000" } } }), "c.json", "/");
  assert.match(busLine(socket.config), /\(interface\.RS485\.port socket:\/\/\)/);
});
