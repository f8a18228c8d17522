/**
 * `twcmanager init [PATH]` (issue 12 §2): writes a commented config.json after asking the few things that
 * matter — the bus port (the /dev/serial/by-id candidates listed), the wiring limits, the voltage and
 * the web interface port. Every question has a flag, so it runs without a terminal; without one and
 * without the required flags it stops with an error naming them (it never waits for input). An existing
 * file is overwritten only with --force.
 */
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { loadConfigText } from "../config/load.ts";
import { isoLocal } from "../policy/local-time.ts";
import { isTwcError } from "../shared/errors.ts";
import { implausibleValues } from "./config-plausibility.ts";
import {
  checkAmps,
  checkBusPort,
  checkHttpPort,
  checkPhases,
  checkVoltage,
  defaultSettingsPath,
  INIT_DEFAULTS,
  initConfigText,
  serialCandidates,
  type Checked,
  type InitAnswers,
} from "./init-config.ts";

/** Usage of `twcmanager init`. */
export const INIT_USAGE = `Usage: twcmanager init [PATH] [options]     (PATH default ./config.json)
  --port DEVICE                     the RS-485 adapter (/dev/serial/by-id/…), or socket://host:port,
                                    rfc2217://host:port                                   (asked)
  --wiring-max-amps N               the limit of the circuit feeding all chargers: breaker × 0.8 (asked)
  --wiring-max-amps-per-charger N   the limit of one charger (default: the same)          (asked)
  --min-amps N                      the least a car is offered (default 6)
  --voltage V                       the voltage of one phase (default 240)                 (asked)
  --phases N                        1, 2 or 3 (default 1)
  --http-port N|off                 the web interface's port (default 8080)                (asked)
  --listen ADDR                     the web interface's address (default: every interface)
  --settings-path DIR               settings and history (default /var/lib/twcmanager for /etc/…,
                                    else <PATH's folder>/data)
  --force                           overwrite an existing file
Without a terminal, --port and --wiring-max-amps are required; the other questions take their defaults.`;

/** What init reads and writes (tests pass their own). */
export interface InitIo {
  out(line: string): void;
  err(line: string): void;
  /** Asks one question; null at the end of the input. Absent: no terminal, nothing is asked. */
  ask?: (question: string) => Promise<string | null>;
  /** The names in /dev/serial/by-id and in /dev (tests pass fixed lists). */
  devices?: () => Promise<{ byId: string[]; dev: string[] }>;
  now?: () => number;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The terminal's io (questions only when stdin and stdout are terminals). */
function terminalIo(): InitIo {
  const io: InitIo = { out: (l) => console.log(l), err: (l) => console.error(l) };
  if (process.stdin.isTTY && process.stdout.isTTY) {
    io.ask = async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        const closed = new Promise<null>((r) => rl.once("close", () => r(null)));
        return await Promise.race([rl.question(question), closed]);
      } finally {
        rl.close();
      }
    };
  }
  return io;
}

const OPTIONS = {
  port: { type: "string" },
  "wiring-max-amps": { type: "string" },
  "wiring-max-amps-per-charger": { type: "string" },
  "min-amps": { type: "string" },
  voltage: { type: "string" },
  phases: { type: "string" },
  "http-port": { type: "string" },
  listen: { type: "string" },
  "settings-path": { type: "string" },
  config: { type: "string", short: "c" },
  force: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

class InitAbort extends Error {}

/** Runs `twcmanager init`; resolves to the exit code (0 written, 1 refused or bad input). */
export async function runInit(argv: readonly string[], io: InitIo = terminalIo()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`twcmanager init: ${(err as Error).message}\n${INIT_USAGE}`);
    return 1;
  }
  const v = parsed.values;
  if (v.help === true) {
    io.out(INIT_USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1 || (parsed.positionals.length === 1 && v.config !== undefined)) {
    io.err(`twcmanager init: one config path only\n${INIT_USAGE}`);
    return 1;
  }
  const path = resolve(parsed.positionals[0] ?? v.config ?? "config.json");
  if ((await exists(path)) && v.force !== true) {
    io.err(`twcmanager init: ${path} exists; it is left as it is (--force overwrites it)`);
    return 1;
  }
  const interactive = io.ask !== undefined;
  if (!interactive) {
    const missing = [v.port === undefined ? "--port" : null, v["wiring-max-amps"] === undefined ? "--wiring-max-amps" : null].filter((m) => m !== null);
    if (missing.length > 0) {
      io.err(`twcmanager init: no terminal to ask on: give ${missing.join(" and ")} (twcmanager init --help lists every flag)`);
      return 1;
    }
  }

  /**
   * A flag's value checked, else the question asked until the answer is valid (Enter takes the
   * default); a null question is never asked (flag or default).
   */
  const answer = async <T>(flag: string | undefined, question: string | null, dflt: string | null, check: (t: string) => Checked<T>): Promise<T> => {
    const ask = io.ask;
    if (flag !== undefined || ask === undefined || question === null) {
      const r = check(flag ?? dflt ?? "");
      if (!r.ok) throw new InitAbort(r.message);
      return r.value;
    }
    for (;;) {
      const text = await ask(`${question}${dflt !== null && dflt !== "" ? ` [${dflt}]` : ""}: `);
      if (text === null) throw new InitAbort("no answer (end of input): nothing written");
      const r = check(text.trim() === "" && dflt !== null ? dflt : text);
      if (r.ok) return r.value;
      io.err(r.message);
    }
  };

  try {
    let portDefault: string | null = null;
    if (v.port === undefined && interactive) {
      const found = await (io.devices ?? (async () => ({ byId: await listDir("/dev/serial/by-id"), dev: await listDir("/dev") })))();
      const candidates = serialCandidates(found.byId, found.dev);
      if (candidates.length === 0) io.out("No USB serial adapter found (ls /dev/serial/by-id is empty); plug the RS-485 adapter in, or give a bridge as socket://host:port.");
      else {
        io.out("Serial adapters found:");
        for (const c of candidates) io.out(`  ${c}`);
      }
      portDefault = candidates[0] ?? null;
    }
    const port = await answer(v.port, "RS-485 adapter (device path, socket://host:port or rfc2217://host:port)", portDefault, checkBusPort);
    const all = await answer(v["wiring-max-amps"], "Wiring limit of all chargers together, A (breaker × 0.8, e.g. 32 for a 40 A breaker)", null, (t) => checkAmps(t, "wiring limit of all chargers"));
    const per = await answer(v["wiring-max-amps-per-charger"], "Wiring limit of one charger, A", String(all), (t) => checkAmps(t, "wiring limit per charger"));
    const min = await answer(v["min-amps"], null, String(INIT_DEFAULTS.minAmpsPerTWC), (t) => checkAmps(t, "minimum amps"));
    const voltage = await answer(v.voltage, "Mains voltage of one phase, V", String(INIT_DEFAULTS.defaultVoltage), checkVoltage);
    const phases = await answer(v.phases, null, String(INIT_DEFAULTS.numberOfPhases), checkPhases);
    const httpPort = await answer(v["http-port"], "Web interface port (off for none)", String(INIT_DEFAULTS.httpPort), checkHttpPort);
    const answers: InitAnswers = {
      port,
      wiringMaxAmpsAllTWCs: all,
      wiringMaxAmpsPerTWC: per,
      minAmpsPerTWC: min,
      defaultVoltage: voltage,
      numberOfPhases: phases,
      httpPort,
      listenAddress: v.listen !== undefined && v.listen.trim() !== "" ? v.listen.trim() : null,
      settingsPath: v["settings-path"] !== undefined && v["settings-path"].trim() !== "" ? resolve(v["settings-path"]) : defaultSettingsPath(path),
    };
    const text = initConfigText(answers, isoLocal((io.now ?? Date.now)()));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text, { mode: 0o640, flag: v.force === true ? "w" : "wx" });
    io.out(`wrote ${path}`);
    const written = loadConfigText(text, basename(path), dirname(path));
    for (const w of [...written.warnings, ...implausibleValues(written.config)]) io.out(`warning: ${w}`);
    io.out(`check it: twcmanager check-config ${path}`);
    io.out(`run it:   twcmanager --config ${path}`);
    return 0;
  } catch (err) {
    if (err instanceof InitAbort) {
      io.err(`twcmanager init: ${err.message}`);
      return 1;
    }
    if (isTwcError(err)) {
      io.err(`twcmanager init: the written ${path} does not validate (please report this):\n${err.message}`);
      return 1;
    }
    const code = (err as NodeJS.ErrnoException).code;
    io.err(code === "EEXIST" ? `twcmanager init: ${path} exists; it is left as it is (--force overwrites it)` : `twcmanager init: cannot write ${path}: ${code ?? (err as Error).message}`);
    return 1;
  }
}
