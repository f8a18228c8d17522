/**
 * Crash safety of settings.json (config.md §2.4): a child process saves in a tight loop and is killed
 * with SIGKILL at random moments; every time, settings.json (or else .bak) must parse and equal one of
 * the versions the child wrote.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { normaliseSettings } from "../../src/config/settings-normalise.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { payloadFor } from "./settings-kill-child.ts";

const CHILD = fileURLToPath(new URL("./settings-kill-child.ts", import.meta.url));
const ROUNDS = 20;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => systemClock.setTimeout(resolve, ms));
}

async function readVersion(path: string): Promise<Record<string, unknown> | null> {
  try {
    const v: unknown = JSON.parse(await readFile(path, "utf8"));
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Runs the child until `ready` matches its output, waits `delayMs`, kills it; returns its whole output. */
async function runAndKill(dir: string, ready: RegExp, delayMs: number): Promise<string> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, dir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const deadline = systemClock.now() + 30_000;
    while (!ready.test(out)) {
      if (child.exitCode !== null) assert.fail(`child exited early: ${err}`);
      if (systemClock.now() > deadline) assert.fail(`child not ready: ${out} ${err}`);
      await sleep(5);
    }
    await sleep(delayMs);
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
  return out;
}

test("settings.json survives SIGKILL at random moments during saves", { timeout: 240_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "twc-kill-"));
  const defaults = normaliseSettings(undefined, 32).settings;
  try {
    let previous = -1;
    for (let round = 0; round < ROUNDS; round++) {
      const out = await runAndKill(
        dir,
        round === 0 ? /saved \d+/ : /start \d+/,
        Math.floor(Math.random() * 60),
      );
      const start = /start (\d+) (\w+)/.exec(out);
      assert.ok(start, out);
      assert.equal(start[2], "false", "the previous round left a readable settings.json");
      assert.equal(Number(start[1]), previous + 1, `round ${round} resumes after the version on disk`);
      const saved = [...out.matchAll(/saved (\d+)/g)].map((m) => Number(m[1]));
      const lastReported = saved.length > 0 ? Math.max(...saved) : previous;

      const main = await readVersion(join(dir, "settings.json"));
      const version = main ?? (await readVersion(join(dir, "settings.json.bak")));
      assert.ok(version, `round ${round}: neither settings.json nor .bak parses`);
      const counter = version.counter;
      assert.ok(typeof counter === "number", `round ${round}: counter ${String(counter)}`);
      assert.deepEqual(version, { ...defaults, counter, payload: payloadFor(counter) });
      assert.ok(main, `round ${round}: settings.json itself must always parse`);
      // The last reported save is on disk, or the next one completed just before the kill.
      assert.ok(
        counter === lastReported || counter === lastReported + 1,
        `round ${round}: ${counter} vs reported ${lastReported}`,
      );
      previous = counter;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
