/**
 * Idle cost (issue 9 §7: a Raspberry Pi runs this all year): the product as shipped (compiled, started
 * like bin/twcmanager) with one linked simulated charger, HTTP on loopback, no client, for BENCH_IDLE_S
 * seconds (default 60). CPU time is read from /proc/<pid>/stat over the window (after IDLE_WARMUP_S),
 * RSS (and its anonymous and file-backed parts) from /proc/<pid>/status every second. When
 * BENCH_IDLE_COMPARE holds a shell command that starts another controller (for instance the original
 * Python TWCManager with an equivalent configuration) it is measured the same way in the same run;
 * otherwise the reference figures the issue measured are printed beside ours. The runtime floors
 * (Node alone, with node:http, with fastify 5) follow for BENCH_IDLE_FLOOR_S seconds each, in parallel.
 *
 * Run on its own: `BENCH_IDLE_S=30 npx tsx test/bench/idle.ts` compiles the sources with tsc (as
 * shipped) and measures them with the node flags of bin/twcmanager's shebang (BENCH_NODE_FLAGS
 * replaces them, e.g. to add `--cpu-prof`). `npm run bench` (run.ts) calls measureIdle first.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { freePort, ROOT } from "../integration/helpers.ts";
import { fmt } from "./stats.ts";

/** The idle figures of one process. */
export interface IdleFigures {
  label: string;
  /** CPU time (user + system) over the window, in ms. */
  cpuMs: number;
  windowS: number;
  rssMeanMiB: number;
  rssMaxMiB: number;
  /** Mean of RssAnon (heap, stacks: memory the process allocated). */
  rssAnonMeanMiB: number;
  /** Mean of RssFile (pages of the executable, shared libraries and mapped files). */
  rssFileMeanMiB: number;
  /** A runtime floor (Node alone, with node:http, with fastify), not a controller. */
  floor?: boolean;
}

/**
 * What the runtime costs before any product code: each script idles (one timer a minute) on this
 * node. The RSS target is read against these rows: the stack design.md mandates (Node 20 + fastify 5)
 * is resident before the controller starts.
 */
const RUNTIME_FLOORS: readonly { label: string; script: string }[] = [
  { label: "floor: bare node", script: "setInterval(() => {}, 60000)" },
  {
    label: "floor: node + node:http listening",
    script: "require('node:http').createServer().listen(0, '127.0.0.1'); setInterval(() => {}, 60000)",
  },
  {
    label: "floor: node + fastify 5 listening",
    script: "require('fastify')().listen({ port: 0, host: '127.0.0.1' }); setInterval(() => {}, 60000)",
  },
];

/** Seconds of warm-up and of window for the runtime floors (they only have start-up work to settle). */
const FLOOR_S = Number(process.env.BENCH_IDLE_FLOOR_S ?? 10);

/** The side-by-side reading of the original Python TWCManager (60 s, one simulated charger). */
export const PYTHON_REFERENCE = { cpuMs: 450, rssMiB: 49 } as const;

const TICKS_PER_S = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[11] = utime, fields[12] = stime (fields 14 and 15 of proc(5), counted from "state")
  return Number(fields[11]) + Number(fields[12]);
}

/** One reading of a process's resident memory, in KiB. */
interface RssSample {
  total: number;
  anon: number;
  file: number;
}

function statusKiB(status: string, field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  return m ? Number(m[1]) : Number.NaN;
}

function rssKiB(pid: number): RssSample {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return {
    total: statusKiB(status, "VmRSS"),
    anon: statusKiB(status, "RssAnon"),
    file: statusKiB(status, "RssFile"),
  };
}

function meanMiB(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length / 1024;
}

/** Measures a started process: warm-up, then CPU over the window and RSS each second. */
/**
 * Seconds between the start and the window: long enough for the start-up's one-off work to end (the
 * JIT warming up, and V8's memory reducer, which runs a few full collections ~50 s after start), so the
 * window shows the steady state a controller that runs all year is in. BENCH_IDLE_WARMUP_S changes it.
 */
export const IDLE_WARMUP_S = Number(process.env.BENCH_IDLE_WARMUP_S ?? 90);

async function measure(
  label: string,
  proc: ChildProcess,
  windowS: number,
  warmupS = IDLE_WARMUP_S,
): Promise<IdleFigures> {
  const pid = proc.pid;
  if (pid === undefined) throw new Error(`${label}: no pid`);
  await sleep(warmupS * 1000);
  const before = cpuTicks(pid);
  const rss: RssSample[] = [];
  for (let i = 0; i < windowS; i++) {
    await sleep(1000);
    rss.push(rssKiB(pid));
  }
  const cpuMs = ((cpuTicks(pid) - before) * 1000) / TICKS_PER_S;
  return {
    label,
    cpuMs,
    windowS,
    rssMeanMiB: meanMiB(rss.map((r) => r.total)),
    rssMaxMiB: Math.max(...rss.map((r) => r.total)) / 1024,
    rssAnonMeanMiB: meanMiB(rss.map((r) => r.anon)),
    rssFileMeanMiB: meanMiB(rss.map((r) => r.file)),
  };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  proc.kill("SIGTERM");
  await Promise.race([exited, sleep(10_000)]);
  if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
}

/**
 * Runs the idle measurement of our product (`mainScript`: the compiled src/cli/main.js, or the
 * TypeScript entry run through tsx) and of BENCH_IDLE_COMPARE if set; prints a table and returns the
 * figures.
 */
export async function measureIdle(
  mainScript: string,
  nodeFlags: readonly string[],
  windowS: number,
): Promise<IdleFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), "twcm-idle-"));
  const port = await freePort();
  const config = {
    config: {
      settingsPath: join(dir, "settings"),
      wiringMaxAmpsAllTWCs: 32,
      wiringMaxAmpsPerTWC: 32,
      minAmpsPerTWC: 6,
    },
    interface: { Dummy: { enabled: true, twcID: "AB" } },
    control: { HTTP: { enabled: true, listenPort: port, listenAddress: "127.0.0.1" } },
    logging: { Console: { enabled: false } },
  };
  const configPath = join(dir, "config.json");
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const results: IdleFigures[] = [];
  const ts = mainScript.endsWith(".ts");
  const ours = spawn(
    process.execPath,
    [...nodeFlags, ...(ts ? ["--import", "tsx"] : []), mainScript, "--config", configPath],
    {
      stdio: "ignore",
    },
  );
  try {
    results.push(await measure("TWCManager for TypeScript (this build)", ours, windowS));
  } finally {
    await stop(ours);
  }
  const compare = process.env.BENCH_IDLE_COMPARE;
  if (compare) {
    const other = spawn("sh", ["-c", `exec ${compare}`], { stdio: "ignore" });
    try {
      results.push(await measure(`comparison: ${compare}`, other, windowS));
    } finally {
      await stop(other);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  if (process.env.BENCH_IDLE_FLOOR !== "0") results.push(...(await measureFloors(nodeFlags)));

  console.log(
    `| Idle for ${windowS} s after ${IDLE_WARMUP_S} s, one linked simulated charger | CPU ms | CPU ms/min | CPU % of one core | RSS mean MiB | RSS max MiB | RssAnon mean MiB | RssFile mean MiB |`,
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of results)
    console.log(
      `| ${r.label} | ${fmt(r.cpuMs, 0)} | ${fmt((r.cpuMs * 60) / r.windowS, 0)} | ${fmt((100 * r.cpuMs) / (r.windowS * 1000), 2)} | ${fmt(r.rssMeanMiB)} | ${fmt(r.rssMaxMiB)} | ${fmt(r.rssAnonMeanMiB)} | ${fmt(r.rssFileMeanMiB)} |`,
    );
  if (!compare)
    console.log(
      `| original Python TWCManager (the issue's reading on this machine, 60 s; set BENCH_IDLE_COMPARE to measure one here) | ${PYTHON_REFERENCE.cpuMs} | ${PYTHON_REFERENCE.cpuMs} | ${fmt((100 * PYTHON_REFERENCE.cpuMs) / 60_000, 2)} | ${PYTHON_REFERENCE.rssMiB} | – | – | – |`,
    );
  console.log("");
  return results;
}

/** Measures the runtime floors side by side (BENCH_IDLE_FLOOR=0 skips them). */
async function measureFloors(nodeFlags: readonly string[]): Promise<IdleFigures[]> {
  const procs = RUNTIME_FLOORS.map((f) => ({
    label: f.label,
    proc: spawn(process.execPath, [...nodeFlags, "-e", f.script], { cwd: ROOT, stdio: "ignore" }),
  }));
  try {
    const figures = await Promise.all(
      procs.map((p) => measure(`${p.label} (${FLOOR_S} s after ${FLOOR_S} s)`, p.proc, FLOOR_S, FLOOR_S)),
    );
    return figures.map((f) => ({ ...f, floor: true }));
  } finally {
    await Promise.all(procs.map((p) => stop(p.proc)));
  }
}

/** The idle targets (issue 9 §7) against the comparison figures: CPU ≤ a third, RSS below. */
export function idleChecks(results: readonly IdleFigures[]): [string, boolean][] {
  const ours = results[0];
  if (!ours) return [];
  const other = results.slice(1).find((r) => r.floor !== true);
  const refCpuPerMin = other ? (other.cpuMs * 60) / other.windowS : PYTHON_REFERENCE.cpuMs;
  const refRss = other ? other.rssMeanMiB : PYTHON_REFERENCE.rssMiB;
  const oursPerMin = (ours.cpuMs * 60) / ours.windowS;
  return [
    [
      `idle CPU ≤ a third of the original's (${fmt(oursPerMin, 0)} ms/min vs ${fmt(refCpuPerMin / 3, 0)} ms/min)`,
      oursPerMin <= refCpuPerMin / 3,
    ],
    [
      `idle RSS below the original's (${fmt(ours.rssMeanMiB)} MiB vs ${fmt(refRss)} MiB)`,
      ours.rssMeanMiB < refRss,
    ],
  ];
}

/** The node flags bin/twcmanager starts the product with (the arguments of its `env -S node …` shebang). */
export function shippedNodeFlags(): string[] {
  const shebang = readFileSync(join(ROOT, "bin/twcmanager"), "utf8").split("\n", 1)[0] ?? "";
  const words = shebang
    .replace(/^#!\S*\s*/, "")
    .split(/\s+/)
    .filter((w) => w !== "");
  const node = words.indexOf("node");
  return node >= 0 ? words.slice(node + 1) : [];
}

/** The node flags the benchmarks start the product with: BENCH_NODE_FLAGS, else bin/twcmanager's. */
export function productNodeFlags(): string[] {
  const env = process.env.BENCH_NODE_FLAGS;
  return env === undefined ? shippedNodeFlags() : env.split(" ").filter((f) => f !== "");
}

/** Where the stand-alone idle measurement compiles the product. */
const IDLE_BUILD_DIR = join(ROOT, "node_modules/.cache/twcm-idle");

/** Compiles src/ with tsc (as `npm run build` ships it) into IDLE_BUILD_DIR; returns main.js or null. */
function compileMain(): string | null {
  mkdirSync(IDLE_BUILD_DIR, { recursive: true });
  const config = {
    extends: join(ROOT, "tsconfig.build.json"),
    compilerOptions: {
      rootDir: join(ROOT, "src"),
      outDir: join(IDLE_BUILD_DIR, "out"),
      sourceMap: false,
      noEmitOnError: false,
    },
    include: [join(ROOT, "src/**/*.ts")],
    // Paths in a tsconfig are relative to its own folder: the patterns are anchored at src/.
    exclude: [join(ROOT, "src/**/*.test.ts"), join(ROOT, "src/**/*.test-helper.ts"), join(ROOT, "src/web/**")],
  };
  writeFileSync(join(IDLE_BUILD_DIR, "tsconfig.json"), JSON.stringify(config, null, 2));
  rmSync(join(IDLE_BUILD_DIR, "out"), { recursive: true, force: true });
  spawnSync(
    process.execPath,
    [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(IDLE_BUILD_DIR, "tsconfig.json")],
    {
      stdio: "ignore",
    },
  );
  const main = join(IDLE_BUILD_DIR, "out/cli/main.js");
  return existsSync(main) ? main : null;
}

async function standAlone(): Promise<void> {
  const windowS = Number(process.env.BENCH_IDLE_S ?? 60);
  const flags = productNodeFlags();
  const compiled = compileMain();
  console.log(
    compiled
      ? "product: compiled with tsc (plain JavaScript, as shipped)"
      : "product: tsc build failed, running the sources through tsx",
  );
  console.log(`product node flags: ${flags.join(" ") || "(none)"}\n`);
  const results = await measureIdle(compiled ?? join(ROOT, "src/cli/main.ts"), flags, windowS);
  for (const [text, ok] of idleChecks(results)) console.log(`${ok ? "PASS" : "FAIL"} ${text}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  await standAlone();
