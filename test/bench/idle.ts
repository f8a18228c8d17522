/**
 * Idle cost (issue 9 §7: a Raspberry Pi runs this all year): the product as shipped (compiled, started
 * like bin/twcmanager) with one linked simulated charger, HTTP on loopback, no client, for BENCH_IDLE_S
 * seconds (default 60). CPU time is read from /proc/<pid>/stat over the window (after a 5 s warm-up),
 * RSS from /proc/<pid>/status every second. When BENCH_IDLE_COMPARE holds a shell command that starts
 * another controller (for instance the original Python TWCManager with an equivalent configuration) it
 * is measured the same way in the same run; otherwise the reference figures the issue measured are
 * printed beside ours.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../integration/helpers.ts";
import { fmt } from "./stats.ts";

/** The idle figures of one process. */
export interface IdleFigures {
  label: string;
  /** CPU time (user + system) over the window, in ms. */
  cpuMs: number;
  windowS: number;
  rssMeanMiB: number;
  rssMaxMiB: number;
}

/** The side-by-side reading of the original Python TWCManager (60 s, one simulated charger). */
export const PYTHON_REFERENCE = { cpuMs: 450, rssMiB: 49 } as const;

const TICKS_PER_S = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[11] = utime, fields[12] = stime (fields 14 and 15 of proc(5), counted from "state")
  return Number(fields[11]) + Number(fields[12]);
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : Number.NaN;
}

/** Measures a started process: warm-up, then CPU over the window and RSS each second. */
async function measure(label: string, proc: ChildProcess, windowS: number): Promise<IdleFigures> {
  const pid = proc.pid;
  if (pid === undefined) throw new Error(`${label}: no pid`);
  await sleep(5000);
  const before = cpuTicks(pid);
  const rss: number[] = [];
  for (let i = 0; i < windowS; i++) {
    await sleep(1000);
    rss.push(rssKiB(pid));
  }
  const cpuMs = ((cpuTicks(pid) - before) * 1000) / TICKS_PER_S;
  return {
    label,
    cpuMs,
    windowS,
    rssMeanMiB: rss.reduce((a, b) => a + b, 0) / rss.length / 1024,
    rssMaxMiB: Math.max(...rss) / 1024,
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
export async function measureIdle(mainScript: string, nodeFlags: readonly string[], windowS: number): Promise<IdleFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), "twcm-idle-"));
  const port = await freePort();
  const config = {
    config: { settingsPath: join(dir, "settings"), wiringMaxAmpsAllTWCs: 32, wiringMaxAmpsPerTWC: 32, minAmpsPerTWC: 6 },
    interface: { Dummy: { enabled: true, twcID: "AB" } },
    control: { HTTP: { enabled: true, listenPort: port, listenAddress: "127.0.0.1" } },
    logging: { Console: { enabled: false } },
  };
  const configPath = join(dir, "config.json");
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const results: IdleFigures[] = [];
  const ts = mainScript.endsWith(".ts");
  const ours = spawn(process.execPath, [...nodeFlags, ...(ts ? ["--import", "tsx"] : []), mainScript, "--config", configPath], {
    stdio: "ignore",
  });
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

  console.log(`| Idle for ${windowS} s, one linked simulated charger | CPU ms | CPU % of one core | RSS mean MiB | RSS max MiB |`);
  console.log("|---|---:|---:|---:|---:|");
  for (const r of results)
    console.log(`| ${r.label} | ${fmt(r.cpuMs, 0)} | ${fmt((100 * r.cpuMs) / (r.windowS * 1000), 2)} | ${fmt(r.rssMeanMiB)} | ${fmt(r.rssMaxMiB)} |`);
  if (!compare)
    console.log(
      `| original Python TWCManager (the issue's reading on this machine, 60 s; set BENCH_IDLE_COMPARE to measure one here) | ${PYTHON_REFERENCE.cpuMs} | ${fmt((100 * PYTHON_REFERENCE.cpuMs) / 60_000, 2)} | ${PYTHON_REFERENCE.rssMiB} | – |`,
    );
  console.log("");
  return results;
}

/** The idle targets (issue 9 §7) against the comparison figures: CPU ≤ a third, RSS below. */
export function idleChecks(results: readonly IdleFigures[]): [string, boolean][] {
  const ours = results[0];
  if (!ours) return [];
  const other = results[1];
  const refCpuPerMin = other ? (other.cpuMs * 60) / other.windowS : PYTHON_REFERENCE.cpuMs;
  const refRss = other ? other.rssMeanMiB : PYTHON_REFERENCE.rssMiB;
  const oursPerMin = (ours.cpuMs * 60) / ours.windowS;
  return [
    [`idle CPU ≤ a third of the original's (${fmt(oursPerMin, 0)} ms/min vs ${fmt(refCpuPerMin / 3, 0)} ms/min)`, oursPerMin <= refCpuPerMin / 3],
    [`idle RSS below the original's (${fmt(ours.rssMeanMiB)} MiB vs ${fmt(refRss)} MiB)`, ours.rssMeanMiB < refRss],
  ];
}
