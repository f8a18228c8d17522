/**
 * The single-instance lock of a settings directory (docs/decisions.md "Settings directory lock"):
 * `<settingsPath>/twcmanager.lock` holds the PID of the instance using the directory. It is created
 * atomically (the PID is written to a private temp file that is then hard-linked into place, which
 * fails when a lock exists); a lock whose PID no longer runs is stale and is removed under a short-lived
 * `twcmanager.lock.takeover` mutex, then taken. Node has no flock(2), so liveness is judged by the PID.
 * I/O shell.
 */
import { access, link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { systemClock, type Clock } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";

/** Name of the lock file inside the settings directory. */
export const LOCK_FILE = "twcmanager.lock";

/** A held lock. */
export interface SettingsLock {
  /** Absolute path of the lock file. */
  readonly path: string;
  /** The PID written into it. */
  readonly pid: number;
  /** PID of the stale lock that was taken over (null: there was none, or it was unreadable). */
  readonly tookOverFrom: number | null;
  /** Removes the lock file if it still names this holder (idempotent). */
  release(): Promise<void>;
}

/** Options of acquireSettingsLock (tests inject the PID and the liveness check). */
export interface SettingsLockOptions {
  /** PID to write (default process.pid). */
  pid?: number;
  /** True when a process with this PID runs (default pidAlive). */
  isAlive?: (pid: number) => boolean;
  /** Clock bounding the wait while another instance takes a stale lock over (5 s; default systemClock). */
  clock?: Clock;
}

/** What a lock file's holder means for us. */
export type HolderVerdict = "held" | "stale";

/** Lock paths held by this process (a PID equal to ours is only "alive" if we really hold it). */
const heldHere = new Set<string>();
let seq = 0;

/** Waits (polling the file system, which keeps the event loop alive) until `path` is gone or the deadline passed. */
async function waitGone(path: string, clock: Clock, deadline: number): Promise<void> {
  while (clock.now() < deadline) {
    try {
      await access(path);
    } catch {
      return;
    }
    await new Promise<void>((r) => setImmediate(r));
  }
}

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/** True when a process with this PID exists (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoOf(e) === "EPERM";
  }
}

/** The PID on the first line of a lock file, or null when there is none. Pure. */
export function parseLockPid(text: string): number | null {
  const first = text.split("\n", 1)[0]?.trim() ?? "";
  if (!/^\d{1,10}$/.test(first)) return null;
  const pid = Number(first);
  return pid > 0 && Number.isSafeInteger(pid) ? pid : null;
}

/**
 * Whether a lock naming `holder` is in force. Our own PID counts only when this process holds the lock
 * (after a container restart the previous instance often had the same PID). Pure given `isAlive`.
 */
export function judgeHolder(
  holder: number | null,
  self: { pid: number; holdsIt: boolean },
  isAlive: (pid: number) => boolean,
): HolderVerdict {
  if (holder === null) return "stale";
  if (holder === self.pid) return self.holdsIt ? "held" : "stale";
  return isAlive(holder) ? "held" : "stale";
}

async function readHolder(path: string): Promise<{ gone: true } | { gone: false; pid: number | null }> {
  try {
    return { gone: false, pid: parseLockPid(await readFile(path, "utf8")) };
  } catch (e) {
    if (errnoOf(e) === "ENOENT") return { gone: true };
    throw e;
  }
}

/** Creates the lock file with our PID; false when a lock file already exists. */
async function tryCreate(path: string, pid: number): Promise<boolean> {
  const tmp = `${path}.${pid}-${++seq}.tmp`;
  await writeFile(tmp, `${pid}\n`, { mode: 0o644, flag: "wx" });
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    const code = errnoOf(e);
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS" && code !== "EOPNOTSUPP") throw e;
    // A file system without hard links: exclusive create (a reader may briefly see it empty).
    try {
      await writeFile(path, `${pid}\n`, { mode: 0o644, flag: "wx" });
      return true;
    } catch (e2) {
      if (errnoOf(e2) === "EEXIST") return false;
      throw e2;
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Removes the lock file if it still names `stale`, under the takeover mutex `<lock>.takeover` (so a
 * racing instance can never remove a fresh lock it mistook for the stale one). Returns false when
 * another instance is taking over right now (a takeover mutex whose PID is gone is removed).
 */
async function removeStale(path: string, stale: number | null, pid: number, isAlive: (pid: number) => boolean): Promise<"removed" | "changed" | "busy"> {
  const mutex = `${path}.takeover`;
  if (!(await tryCreate(mutex, pid))) {
    const m = await readHolder(mutex);
    if (!m.gone && judgeHolder(m.pid, { pid, holdsIt: heldHere.has(mutex) }, isAlive) === "stale") await rm(mutex, { force: true });
    return "busy";
  }
  heldHere.add(mutex);
  try {
    const now = await readHolder(path);
    if (now.gone || now.pid !== stale) return "changed";
    await rm(path, { force: true });
    return "removed";
  } finally {
    heldHere.delete(mutex);
    await rm(mutex, { force: true });
  }
}

function lockedError(dir: string, path: string, holder: number): TwcError {
  return new TwcError({
    code: "STORE_SETTINGS_LOCKED",
    message:
      `settings directory ${dir} is in use by another TWCManager (PID ${holder}, lock file ${path}); ` +
      `stop that instance first, or delete the lock file if PID ${holder} is not TWCManager`,
    context: { pid: holder, path },
  });
}

function ioError(what: string, path: string, e: unknown): TwcError {
  return new TwcError({
    code: "STORE_SETTINGS_WRITE",
    message: `${what} ${path}: ${errnoOf(e) ?? String(e)}`,
    cause: e,
    context: { errno: errnoOf(e), path },
  });
}

/**
 * Takes the lock of `dir` (created 0750 when missing). Rejects with TwcError STORE_SETTINGS_LOCKED
 * (context.pid, context.path) while another live instance holds it, STORE_SETTINGS_WRITE on I/O errors.
 */
export async function acquireSettingsLock(dir: string, o: SettingsLockOptions = {}): Promise<SettingsLock> {
  const pid = o.pid ?? process.pid;
  const isAlive = o.isAlive ?? pidAlive;
  const clock = o.clock ?? systemClock;
  const path = resolve(dir, LOCK_FILE);
  try {
    await mkdir(dir, { recursive: true, mode: 0o750 });
  } catch (e) {
    throw ioError("cannot create the settings directory", dir, e);
  }
  let tookOverFrom: number | null = null;
  const deadline = clock.now() + 5000;
  for (let attempt = 0; attempt < 8 || clock.now() < deadline; attempt++) {
    try {
      if (await tryCreate(path, pid)) {
        heldHere.add(path);
        return handle(path, pid, tookOverFrom);
      }
      const holder = await readHolder(path);
      if (holder.gone) continue;
      if (judgeHolder(holder.pid, { pid, holdsIt: heldHere.has(path) }, isAlive) === "held")
        throw lockedError(dir, path, holder.pid ?? pid);
      const r = await removeStale(path, holder.pid, pid, isAlive);
      if (r === "removed") tookOverFrom = holder.pid;
      else if (r === "busy") await waitGone(`${path}.takeover`, clock, deadline);
    } catch (e) {
      if (e instanceof TwcError) throw e;
      throw ioError("cannot take the lock", path, e);
    }
  }
  throw ioError("cannot take the lock", path, new Error("it keeps changing"));
}

function handle(path: string, pid: number, tookOverFrom: number | null): SettingsLock {
  let released = false;
  return {
    path,
    pid,
    tookOverFrom,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      heldHere.delete(path);
      const now = await readHolder(path).catch(() => ({ gone: true }) as const);
      if (!now.gone && now.pid === pid) await rm(path, { force: true });
    },
  };
}
