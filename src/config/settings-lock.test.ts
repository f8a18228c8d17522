import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTwcError } from "../shared/errors.ts";
import { acquireSettingsLock, judgeHolder, LOCK_FILE, parseLockPid, pidAlive } from "./settings-lock.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "twc-lock-"));
  try {
    await fn(join(root, "data"));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const locked = (pid: number) => (e: unknown) =>
  isTwcError(e) && e.code === "STORE_SETTINGS_LOCKED" && e.context?.pid === pid && e.message.includes(String(pid));

test("parseLockPid reads the PID of the first line only", () => {
  assert.equal(parseLockPid("1234\n"), 1234);
  assert.equal(parseLockPid(" 42 \nmore"), 42);
  for (const bad of ["", "\n", "abc", "0", "-5", "12 34", "99999999999"]) assert.equal(parseLockPid(bad), null, bad);
});

test("judgeHolder: live other PID holds; dead, unreadable or our own PID not held here are stale", () => {
  const alive = (p: number): boolean => p === 7;
  assert.equal(judgeHolder(7, { pid: 1, holdsIt: false }, alive), "held");
  assert.equal(judgeHolder(8, { pid: 1, holdsIt: false }, alive), "stale");
  assert.equal(judgeHolder(null, { pid: 1, holdsIt: false }, alive), "stale");
  assert.equal(judgeHolder(1, { pid: 1, holdsIt: false }, () => true), "stale");
  assert.equal(judgeHolder(1, { pid: 1, holdsIt: true }, () => true), "held");
});

test("pidAlive: this process is alive, an exited child is not, nonsense PIDs are not", () => {
  assert.equal(pidAlive(process.pid), true);
  const child = spawnSync(process.execPath, ["-e", ""]);
  assert.equal(child.status, 0);
  assert.equal(pidAlive(child.pid ?? 0), false);
  assert.equal(pidAlive(0), false);
  assert.equal(pidAlive(-1), false);
});

test("acquire creates the directory and a lock naming the PID; a second holder is refused; release removes it", async () => {
  await withDir(async (dir) => {
    const a = await acquireSettingsLock(dir, { pid: 1001, isAlive: () => true });
    assert.equal(a.path, join(dir, LOCK_FILE));
    assert.equal(a.tookOverFrom, null);
    assert.equal(await readFile(a.path, "utf8"), "1001\n");
    await assert.rejects(acquireSettingsLock(dir, { pid: 1002, isAlive: () => true }), locked(1001));
    assert.deepEqual(await readdir(dir), [LOCK_FILE], "no temp file left behind");
    await a.release();
    await a.release();
    assert.deepEqual(await readdir(dir), []);
    const b = await acquireSettingsLock(dir, { pid: 1002, isAlive: () => true });
    assert.equal(await readFile(b.path, "utf8"), "1002\n");
    await b.release();
  });
});

test("the same process cannot take a lock it already holds", async () => {
  await withDir(async (dir) => {
    const a = await acquireSettingsLock(dir);
    await assert.rejects(acquireSettingsLock(dir), locked(process.pid));
    await a.release();
  });
});

test("a stale lock (dead PID, our own PID from an earlier run, or garbage) is taken over", async () => {
  await withDir(async (dir) => {
    await mkdir(dir, { recursive: true });
    const path = join(dir, LOCK_FILE);
    for (const [content, from] of [["555\n", 555], [`${process.pid}\n`, process.pid], ["garbage", null]] as const) {
      await writeFile(path, content);
      const l = await acquireSettingsLock(dir, { isAlive: (p) => p !== 555 });
      assert.equal(l.tookOverFrom, from);
      assert.equal(await readFile(path, "utf8"), `${process.pid}\n`);
      await l.release();
      assert.deepEqual(await readdir(dir), []);
    }
  });
});

test("release leaves a lock that names another holder alone", async () => {
  await withDir(async (dir) => {
    const a = await acquireSettingsLock(dir, { pid: 2001 });
    await writeFile(a.path, "2002\n");
    await a.release();
    assert.equal(await readFile(a.path, "utf8"), "2002\n");
  });
});

test("instances racing for one stale lock: exactly one wins, the others are refused naming it", async () => {
  await withDir(async (dir) => {
    await mkdir(dir, { recursive: true });
    for (let round = 0; round < 10; round++) {
      await writeFile(join(dir, LOCK_FILE), "3000\n");
      const pids = Array.from({ length: 6 }, (_, i) => 3001 + i);
      const results = await Promise.allSettled(pids.map((pid) => acquireSettingsLock(dir, { pid, isAlive: (p) => p !== 3000 })));
      const won = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
      assert.equal(won.length, 1, `round ${round}`);
      const winner = won[0]!;
      assert.equal(await readFile(winner.path, "utf8"), `${winner.pid}\n`);
      for (const r of results) if (r.status === "rejected") assert.ok(locked(winner.pid)(r.reason), String(r.reason));
      await winner.release();
      assert.deepEqual(await readdir(dir), []);
    }
  });
});
