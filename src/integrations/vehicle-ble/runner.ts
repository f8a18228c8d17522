/**
 * Runs one child program (vehicles.md §4.4): in its own process group; at the timeout SIGTERM to that
 * group only, SIGKILL 0.5 s later; output capped. And the private key file of §4.2: a fresh 0600 file
 * in a private temporary directory per invocation, deleted afterwards.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "../../shared/clock.ts";
import type { RunResult } from "./output.ts";

/** Starts a program and reports how it ended (never rejects). */
export type Runner = (file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number) => Promise<RunResult>;

const MAX_OUTPUT = 64 * 1024;
const KILL_AFTER_MS = 500;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** The real runner on `clock`'s timers. */
export function processRunner(clock: Clock): Runner {
  return (file, args, env, timeoutMs) =>
    new Promise<RunResult>((resolve) => {
      let stdout = "";
      let stderr = "";
      let timedOut = false;
      let settled = false;
      let child;
      try {
        child = spawn(file, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      } catch (err) {
        resolve({ exitCode: null, timedOut: false, stdout: "", stderr: "", spawnError: err instanceof Error ? err.message : String(err) });
        return;
      }
      const pid = child.pid;
      let killTimer: ReturnType<Clock["setTimeout"]> | null = null;
      const timer = clock.setTimeout(() => {
        timedOut = true;
        killGroup(pid, "SIGTERM");
        killTimer = clock.setTimeout(() => killGroup(pid, "SIGKILL"), KILL_AFTER_MS);
      }, timeoutMs);
      const finish = (r: RunResult): void => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        if (killTimer) clock.clearTimeout(killTimer);
        if (timedOut) killGroup(pid, "SIGKILL"); // whatever of the group is still there
        resolve(r);
      };
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        if (stdout.length < MAX_OUTPUT) stdout += d;
      });
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        if (stderr.length < MAX_OUTPUT) stderr += d;
      });
      child.on("error", (err) => finish({ exitCode: null, timedOut, stdout, stderr, spawnError: err.message }));
      child.on("close", (code) => finish({ exitCode: code, timedOut, stdout, stderr, spawnError: null }));
    });
}

/** Runs `fn` with `pem` in a fresh 0600 file of a private directory; both are removed afterwards. */
export async function withKeyFile<T>(pem: string, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "twc-ble-"));
  const path = join(dir, "key.pem");
  try {
    await writeFile(path, pem, { mode: 0o600, flag: "wx" });
    return await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
