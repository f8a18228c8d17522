/**
 * The first real start (issue 12 §1–§3, issue 13 §5), with the real CLI: `init` with flags and without
 * a terminal, the shipped examples/config.json through check-config and its summary lines, the README's
 * "whole chain without hardware" with `--port`, the demo on loopback, and a serial port that does not
 * exist raising BUS_OPEN_FAILED with the fix.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, getJson, ROOT, spawnCli, tempDir, waitFor, writeConfig } from "./helpers.ts";

test("init with flags writes a config that check-config accepts and summarises", { timeout: 60_000 }, async () => {
  const t = tempDir();
  try {
    const path = join(t.dir, "config.json");
    const init = spawnCli(["init", path, "--port", "/dev/ttyUSB0", "--wiring-max-amps", "40", "--wiring-max-amps-per-charger", "32", "--http-port", "8085", "--listen", "127.0.0.1"]);
    assert.equal(await init.exited, 0, init.output());
    assert.match(init.output(), /wrote .*config\.json/);
    assert.match(readFileSync(path, "utf8"), /^\s*# The breaker of the circuit feeding all chargers × 0\.8/m, "commented");
    const check = spawnCli(["check-config", path]);
    assert.equal(await check.exited, 0, check.output());
    const out = check.output();
    assert.match(out, /^bus: RS-485 serial port \/dev\/ttyUSB0 at 9600 baud \(interface\.RS485\.port\)/m);
    assert.match(out, /^web interface on http:\/\/127\.0\.0\.1:8085\/ \(this machine only/m);
    assert.match(out, /^modules: will run: logging\.Console$/m);
    assert.match(out, /config\.json: OK$/m);
    const again = spawnCli(["init", path, "--port", "/dev/ttyUSB1", "--wiring-max-amps", "40"]);
    assert.equal(await again.exited, 1);
    assert.match(again.output(), /exists; it is left as it is \(--force overwrites it\)/);
  } finally {
    t.cleanup();
  }
});

test("init without a terminal and without flags stops at once with the flags it needs", { timeout: 30_000 }, async () => {
  const t = tempDir();
  try {
    const init = spawnCli(["init", join(t.dir, "config.json")]);
    assert.equal(await init.exited, 1);
    assert.match(init.output(), /no terminal to ask on: give --port and --wiring-max-amps/);
  } finally {
    t.cleanup();
  }
});

test("examples/config.json passes check-config, which says what will run", { timeout: 30_000 }, async () => {
  const check = spawnCli(["check-config", join(ROOT, "examples", "config.json")]);
  assert.equal(await check.exited, 0, check.output());
  const out = check.output();
  assert.doesNotMatch(out, /^warning:/m, "no warning");
  assert.match(out, /^bus: RS-485 serial port \/dev\/serial\/by-id\/usb-FTDI_\S+ at 9600 baud/m);
  assert.match(out, /^web interface on http:\/\/0\.0\.0\.0:8080\/ \(every network interface; no sign-in: .*control\.HTTP\.auth\)$/m);
  assert.match(out, /^energy sources: none$/m);
  assert.match(out, /^modules: will run: logging\.Console$/m);
  assert.match(out, /examples\/config\.json: OK$/m);
});

test("check-config without control.HTTP says so, and names the modules that will not run", { timeout: 30_000 }, async () => {
  const t = tempDir();
  try {
    const path = writeConfig(t.dir, {
      config: { settingsPath: join(t.dir, "s"), wiringMaxAmpsAllTWCs: 400, wiringMaxAmpsPerTWC: 32, minAmpsPerTWC: 6 },
      interface: { RS485: { port: "/dev/ttyUSB0" } },
      sources: { Fronius: { enabled: true }, Growatt: { enabled: true } },
    });
    const check = spawnCli(["check-config", path]);
    assert.equal(await check.exited, 0, check.output());
    const out = check.output();
    assert.match(out, /^no web interface: control\.HTTP is not enabled$/m);
    assert.match(out, /^warning: config\.wiringMaxAmpsAllTWCs: 400 A is more than 4 chargers at 80 A can draw/m);
    assert.match(out, /^modules: will run: logging\.Console; will not run: sources\.Fronius \(.*serverIP.*\); sources\.Growatt \(/m);
  } finally {
    t.cleanup();
  }
});

test("the README's whole chain without hardware: the simulator, its config, --port, the URL in the log", { timeout: 90_000 }, async () => {
  const t = tempDir();
  const simPort = await freePort();
  const httpPort = await freePort();
  const sim = spawnCli(["sim", "--listen", `127.0.0.1:${simPort}`, "--slaves", "3"]);
  let cli: ReturnType<typeof spawnCli> | null = null;
  try {
    await waitFor(() => sim.output().includes("simulator listening"), 20_000, "simulator start");
    // The README's config, word for word apart from the simulator's port and the settings folder.
    const text = readmeChainConfig().replace("127.0.0.1:5555", `127.0.0.1:${simPort}`).replace("./data-sim", join(t.dir, "data-sim"));
    const path = writeConfig(t.dir, text);
    const check = spawnCli(["check-config", path]);
    assert.equal(await check.exited, 0, check.output());
    assert.match(check.output(), new RegExp(`^bus: RS-485 bridge over TCP at 127\\.0\\.0\\.1:${simPort}`, "m"));
    cli = spawnCli(["--config", path, "--port", String(httpPort)]);
    const slaves = await waitFor(async () => {
      const s = (await getJson(httpPort, "/api/getSlaveTWCs")) as Record<string, unknown>;
      return Object.keys(s).length === 4 ? s : null;
    }, 30_000, "three simulated chargers");
    assert.deepEqual(Object.keys(slaves).sort(), ["4142", "4344", "4546", "total"]);
    assert.match(cli.output(), new RegExp(`web interface on http://127\\.0\\.0\\.1:${httpPort}/`));
    assert.doesNotMatch(cli.output(), /reachable from the network without authentication/, "loopback: no security warning");
  } finally {
    if (cli) assert.equal(await cli.kill("SIGTERM"), 0);
    await sim.kill("SIGTERM");
    t.cleanup();
  }
});

test("the demo listens on 127.0.0.1 unless told, and says where", { timeout: 60_000 }, async () => {
  const t = tempDir();
  // tsx by its full URL: the working directory is the temporary one (the demo keeps its settings in ./data).
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), join(ROOT, "src/cli/main.ts"), "--demo", "--port", "0"], {
    cwd: t.dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  try {
    const url = await waitFor(() => /TWCManager demo running: open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1], 40_000, `the demo's URL: ${out}`);
    const r = await fetch(`${url}api/getStatus`);
    assert.equal(r.status, 200);
    assert.doesNotMatch(out, /reachable from the network without authentication/);
    const state = (await (await fetch(`${url}api/v2/state`)).json()) as { alerts: { code: string }[] };
    assert.equal(state.alerts.some((a) => a.code === "HTTP_PUBLIC_WITHOUT_AUTH"), false);
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
    assert.equal(await exited, 0, out);
    t.cleanup();
  }
});

test("a serial port that does not exist: BUS_OPEN_FAILED with the reason and the fix, the bus shown down", { timeout: 60_000 }, async () => {
  const t = tempDir();
  const port = await freePort();
  const path = writeConfig(t.dir, {
    config: { settingsPath: join(t.dir, "s"), wiringMaxAmpsAllTWCs: 32, wiringMaxAmpsPerTWC: 32, minAmpsPerTWC: 6 },
    interface: { RS485: { port: "/dev/ttyUSB-twcm-absent" } },
    control: { HTTP: { enabled: true, listenPort: port, listenAddress: "127.0.0.1" } },
  });
  const cli = spawnCli(["--config", path]);
  try {
    const alert = await waitFor(async () => {
      const s = (await getJson(port, "/api/v2/state")) as { bus: { connected: boolean }; alerts: { code: string; message: string; severity: string }[] };
      return s.alerts.find((a) => a.code === "BUS_OPEN_FAILED") && !s.bus.connected ? s.alerts.find((a) => a.code === "BUS_OPEN_FAILED") : null;
    }, 20_000, "BUS_OPEN_FAILED");
    assert.equal(alert.severity, "error");
    assert.equal(alert.message, "cannot open /dev/ttyUSB-twcm-absent: no such file — check `interface.RS485.port`; `ls /dev/serial/by-id` lists the adapters plugged in (use that path, it survives a reboot)");
    assert.match(cli.output(), /cannot open \/dev\/ttyUSB-twcm-absent: no such file — check/, "the log says the fix too");
  } finally {
    assert.equal(await cli.kill("SIGTERM"), 0);
    t.cleanup();
  }
});

/** The config of the README's "Try the whole chain without hardware" (the text the lead adds to the README). */
function readmeChainConfig(): string {
  return `{
  "config": { "settingsPath": "./data-sim", "wiringMaxAmpsAllTWCs": 48, "wiringMaxAmpsPerTWC": 32, "minAmpsPerTWC": 6 },
  "interface": { "RS485": { "port": "socket://127.0.0.1:5555" } },
  "control": { "HTTP": { "enabled": true, "listenPort": 8080, "listenAddress": "127.0.0.1" } }
}
`;
}
