/**
 * `twcmanager sim`: the charger simulator as a standalone raw-TCP server (design.md §8).
 *
 *   twcmanager sim --listen 127.0.0.1:5555 [--slaves 3] [--ratings 80,32,48] [--versions 2,1,2]
 *                  [--cars follow,none,full] [--vins VIN1,,VIN3] [--seed N] [--config sim.json]
 *
 * sim.json is `{"slaves": [SimSlaveDef…], "seed"?: N}` (config.md §4.4). Runs until SIGINT/SIGTERM.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { systemClock } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";
import { twcIdHex } from "../protocol/frames.ts";
import { assertDistinctIds, parseSimFile } from "../sim/def-parse.ts";
import { startSimServer } from "../sim/sim-server.ts";
import {
  CAR_BEHAVIOURS,
  defaultTwcIdString,
  parseTwcIdString,
  resolveSlaveDef,
  type CarBehaviour,
  type SimSlaveDef,
  type SimSlaveDefInput,
} from "../sim/types.ts";

/** Usage of `twcmanager sim`. */
export const SIM_USAGE = `Usage: twcmanager sim [--listen HOST:PORT] [--slaves N] [--ratings 80,32,48] [--versions 2,1,2]
                      [--cars follow,none,full] [--vins VIN1,,VIN3] [--seed N] [--config sim.json]
  --listen HOST:PORT  address of the raw-TCP server (default 127.0.0.1:5555; port 0 = any free port)
  --slaves N          number of simulated slaves, 1-13 (IDs 4142 "AB", 4344 "CD", 4546 "EF", ...)
  --ratings LIST      rating per slave in A (default 80)
  --versions LIST     protocol version per slave, 1 or 2 (default 2)
  --cars LIST         car per slave: ${CAR_BEHAVIOURS.join(", ")} (default none)
  --vins LIST         VIN per slave; empty = answers zeros, "-" = no VIN support
  --seed N            seed of the fault knobs' random numbers
  --config FILE       JSON file {"slaves": [...], "seed"?: N}; excludes the per-slave options`;

/** Where runSim writes and what stops it (tests pass their own). */
export interface SimIo {
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
  /** Aborting stops the server like SIGINT. */
  signal?: AbortSignal;
}

/** What the command line asks for, after validation. */
export interface SimPlan {
  host: string;
  port: number;
  slaves: SimSlaveDef[];
  seed: number | undefined;
}

function usageError(message: string): TwcError {
  return new TwcError({ code: "CONFIG_INVALID", message });
}

/** Parses "host:port" or "[v6]:port". */
export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw usageError(`--listen must be HOST:PORT (got '${s}')`);
  return { host: m[1] ?? m[2] ?? "", port };
}

function list(s: string | undefined): string[] | undefined {
  return s === undefined ? undefined : s.split(",").map((x) => x.trim());
}

function intIn(s: string, what: string, min: number, max: number): number {
  const n = Number(s);
  if (!/^-?\d+$/.test(s) || n < min || n > max)
    throw usageError(`${what} must be an integer from ${min} to ${max} (got '${s}')`);
  return n;
}

/** Builds the plan from argv (reads --config); throws TwcError CONFIG_INVALID on bad options. */
export async function planSim(argv: string[]): Promise<SimPlan | "help"> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        listen: { type: "string" },
        slaves: { type: "string" },
        ratings: { type: "string" },
        versions: { type: "string" },
        cars: { type: "string" },
        vins: { type: "string" },
        seed: { type: "string" },
        config: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw usageError(e instanceof Error ? e.message : String(e));
  }
  if (values.help) return "help";
  const { host, port } = parseListen(values.listen ?? "127.0.0.1:5555");
  const seed = values.seed === undefined ? undefined : intIn(values.seed, "--seed", 0, 0xffffffff);
  const ratings = list(values.ratings);
  const versions = list(values.versions);
  const cars = list(values.cars);
  const vins = list(values.vins);
  const perSlave = [ratings, versions, cars, vins];
  if (values.config !== undefined) {
    if (values.slaves !== undefined || perSlave.some((l) => l !== undefined)) {
      throw usageError("--config cannot be combined with --slaves, --ratings, --versions, --cars or --vins");
    }
    const file = await readSimFile(values.config);
    return { host, port, slaves: file.slaves, seed: seed ?? file.seed };
  }
  const longest = Math.max(1, ...perSlave.map((l) => l?.length ?? 0));
  const n = values.slaves === undefined ? longest : intIn(values.slaves, "--slaves", 1, 13);
  if (longest > n) throw usageError(`a per-slave list has more than ${n} entries`);
  const slaves: SimSlaveDef[] = [];
  for (let i = 0; i < n; i++) {
    const def: SimSlaveDefInput = { twcID: defaultTwcIdString(i) };
    const rating = ratings?.[i];
    if (rating) {
      const a = Number(rating);
      if (!Number.isFinite(a) || a <= 0 || a > 655.35)
        throw usageError(`--ratings: '${rating}' is not a rating in A`);
      def.maxAmps = a;
    }
    const version = versions?.[i];
    if (version) def.protocolVersion = intIn(version, "--versions", 1, 2) as 1 | 2;
    const car = cars?.[i];
    if (car) {
      if (!CAR_BEHAVIOURS.includes(car as CarBehaviour))
        throw usageError(`--cars: '${car}' is not one of ${CAR_BEHAVIOURS.join(", ")}`);
      def.car = { behaviour: car as CarBehaviour };
    }
    const vin = vins?.[i];
    if (vin !== undefined) def.vin = vin === "-" ? null : vin;
    slaves.push(resolveSlaveDef(def));
  }
  assertDistinctIds(slaves);
  return { host, port, slaves, seed };
}

async function readSimFile(path: string): Promise<ReturnType<typeof parseSimFile>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new TwcError({
      code: "CONFIG_FILE_NOT_FOUND",
      message: `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TwcError({
      code: "CONFIG_PARSE",
      message: `${path}: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
  return parseSimFile(json);
}

/** "4142 (80 A, v2)". */
function describe(def: SimSlaveDef): string {
  return `${twcIdHex(parseTwcIdString(def.twcID))} (${def.maxAmps} A, v${def.protocolVersion})`;
}

/** Runs `twcmanager sim`; resolves 0 after SIGINT/SIGTERM (or io.signal), 2 on bad options, 1 when it cannot listen. */
export async function runSim(argv: string[], io: SimIo = {}): Promise<number> {
  const out = io.stdout ?? ((l: string) => void process.stdout.write(`${l}\n`));
  const err = io.stderr ?? ((l: string) => void process.stderr.write(`${l}\n`));
  let plan: SimPlan | "help";
  try {
    plan = await planSim(argv);
  } catch (e) {
    err(`twcmanager sim: ${e instanceof Error ? e.message : String(e)}`);
    err(SIM_USAGE);
    return 2;
  }
  if (plan === "help") {
    out(SIM_USAGE);
    return 0;
  }
  let server;
  try {
    server = await startSimServer({
      host: plan.host,
      port: plan.port,
      slaves: plan.slaves,
      clock: systemClock,
      ...(plan.seed === undefined ? {} : { seed: plan.seed }),
    });
  } catch (e) {
    err(`twcmanager sim: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const hostText = plan.host.includes(":") ? `[${plan.host}]` : plan.host;
  const count = `${plan.slaves.length} slave${plan.slaves.length === 1 ? "" : "s"}`;
  out(
    `simulator listening on ${hostText}:${server.port} with ${count}: ${plan.slaves.map(describe).join(", ")}`,
  );
  await waitForStop(io.signal);
  await server.close();
  return 0;
}

/** Resolves on SIGINT, SIGTERM or the abort signal, removing its listeners. */
function waitForStop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
    if (signal?.aborted) done();
    else signal?.addEventListener("abort", done);
  });
}
