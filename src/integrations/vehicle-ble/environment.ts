/**
 * Where `tesla-control` is and what it runs in (vehicles.md §4.1, §4.3): the configured path (`~`
 * expanded), else `tesla-control` on PATH, executable; the container test (`/.dockerenv`, "docker"
 * in /proc/self/cgroup); one D-Bus session from `dbus-launch --sh-syntax` for every child.
 */
import { constants } from "node:fs";
import { access, readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import type { Runner } from "./runner.ts";

/** The binary, or why there is none. */
export type BinaryLookup = { ok: true; path: string } | { ok: false; reason: "not_found" | "not_executable"; path: string };

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

async function executable(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `~` and `~/…` against the home directory. */
export function expandHome(p: string, home: string = homedir()): string {
  return p === "~" ? home : p.startsWith("~/") ? join(home, p.slice(2)) : p;
}

/** §4.1: the configured file when it is one, else `tesla-control` on `pathEnv`. Never downloads anything. */
export async function findTeslaControl(configured: string, pathEnv: string = process.env.PATH ?? "", home?: string): Promise<BinaryLookup> {
  const p = expandHome(configured, home);
  if (await isFile(p)) return (await executable(p)) ? { ok: true, path: p } : { ok: false, reason: "not_executable", path: p };
  let nonExec: string | null = null;
  for (const dir of pathEnv.split(delimiter)) {
    if (dir === "") continue;
    const c = join(dir, "tesla-control");
    if (!(await isFile(c))) continue;
    if (await executable(c)) return { ok: true, path: c };
    nonExec ??= c;
  }
  return nonExec !== null ? { ok: false, reason: "not_executable", path: nonExec } : { ok: false, reason: "not_found", path: p };
}

/**
 * True inside a Docker-like container whose host network namespace is mounted at /rootns/net (upstream's
 * docker setup): only then is `nsenter --net=/rootns/net` prefixed. A container without that mount (host
 * networking, or a plain container) runs tesla-control directly: nsenter would only fail there.
 */
export async function inContainer(rootns = "/rootns/net"): Promise<boolean> {
  let container = await isFile("/.dockerenv");
  if (!container) {
    try {
      container = (await readFile("/proc/self/cgroup", "utf8")).includes("docker");
    } catch {
      container = false;
    }
  }
  if (!container) return false;
  try {
    await stat(rootns);
    return true;
  } catch {
    return false;
  }
}

/** A D-Bus session for the children, and how to end its daemon. */
export interface DbusSession {
  env: Record<string, string>;
  stop(): void;
}

/** Parses `dbus-launch --sh-syntax` output. */
export function parseDbusLaunch(out: string): { address: string; pid: number | null } | null {
  const a = /DBUS_SESSION_BUS_ADDRESS='([^']+)'/.exec(out) ?? /DBUS_SESSION_BUS_ADDRESS=([^;\s]+)/.exec(out);
  if (!a?.[1]) return null;
  const p = /DBUS_SESSION_BUS_PID=(\d+)/.exec(out);
  return { address: a[1], pid: p?.[1] ? Number(p[1]) : null };
}

/** §4.3: one session from dbus-launch (5 s), null when dbus-launch is absent or fails. */
export async function launchDbus(run: Runner, pathEnv: string = process.env.PATH ?? ""): Promise<DbusSession | null> {
  let bin: string | null = null;
  for (const dir of pathEnv.split(delimiter)) {
    if (dir !== "" && (await isFile(join(dir, "dbus-launch"))) && (await executable(join(dir, "dbus-launch")))) {
      bin = join(dir, "dbus-launch");
      break;
    }
  }
  if (bin === null) return null;
  const r = await run(bin, ["--sh-syntax"], process.env, 5000);
  const parsed = r.exitCode === 0 ? parseDbusLaunch(r.stdout) : null;
  if (!parsed) return null;
  return {
    env: { DBUS_SESSION_BUS_ADDRESS: parsed.address },
    stop: () => {
      if (parsed.pid === null) return;
      try {
        process.kill(parsed.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
    },
  };
}
