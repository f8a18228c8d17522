import { test } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "../shared/clock.ts";
import { isTwcError } from "../shared/errors.ts";
import { SettingsStore, compactTimestamp, type StoreLogger } from "./settings-store.ts";

interface Logged {
  level: string;
  msg: string;
}

function logger(into: Logged[] = []): StoreLogger {
  return {
    info: (_o, msg) => into.push({ level: "info", msg }),
    warn: (_o, msg) => into.push({ level: "warn", msg }),
    error: (_o, msg) => into.push({ level: "error", msg }),
  };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "twc-settings-"));
  try {
    await fn(join(root, "data"));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
}

test("open creates the directory (0750) and starts from normalised defaults without writing", async () => {
  await withDir(async (dir) => {
    const clock = new FakeClock();
    const store = await SettingsStore.open({ dir, clock, logger: logger(), wiringMaxAmpsAllTWCs: 32 });
    assert.equal((await stat(dir)).mode & 0o777, 0o750);
    assert.equal(store.get().nonScheduledAction, 1);
    assert.ok(store.get().VehicleGroups["Allow Charging"]);
    assert.equal(store.recovered, false);
    assert.deepEqual(await readdir(dir), []);
    await store.close();
  });
});

test("debounce: 10 updates within one second produce exactly one write with the last values", async () => {
  await withDir(async (dir) => {
    const clock = new FakeClock();
    const store = await SettingsStore.open({ dir, clock, logger: logger(), wiringMaxAmpsAllTWCs: 32 });
    for (let i = 1; i <= 10; i++) {
      store.update({ chargeNowAmps: i });
      clock.advance(90);
    }
    await store.whenIdle();
    assert.equal(store.writeCount, 0);
    clock.advance(100);
    await store.whenIdle();
    assert.equal(store.writeCount, 1);
    assert.equal((await readJson(store.path)).chargeNowAmps, 10);
    clock.advance(5000);
    await store.whenIdle();
    assert.equal(store.writeCount, 1);
    await store.close();
    assert.equal(store.writeCount, 1);
  });
});

test("saveNow writes immediately: new file 0600, existing mode kept, previous version in .bak, no temp file left", async () => {
  await withDir(async (dir) => {
    const store = await SettingsStore.open({
      dir,
      clock: new FakeClock(),
      logger: logger(),
      wiringMaxAmpsAllTWCs: 32,
    });
    store.update({ chargeNowAmps: 8 });
    await store.saveNow();
    assert.equal((await stat(store.path)).mode & 0o777, 0o600);
    const text = await readFile(store.path, "utf8");
    assert.ok(text.startsWith('{\n  "'), "2-space indented JSON");
    await chmod(store.path, 0o640);
    store.update({ chargeNowAmps: 9 });
    await store.saveNow();
    assert.equal((await stat(store.path)).mode & 0o777, 0o640);
    assert.equal((await readJson(store.path)).chargeNowAmps, 9);
    assert.equal((await readJson(`${store.path}.bak`)).chargeNowAmps, 8);
    assert.deepEqual((await readdir(dir)).sort(), ["settings.json", "settings.json.bak"]);
    await store.close();
  });
});

test("update: undefined deletes a key, unchanged values emit nothing, change lists the keys", async () => {
  await withDir(async (dir) => {
    const store = await SettingsStore.open({
      dir,
      clock: new FakeClock(),
      logger: logger(),
      wiringMaxAmpsAllTWCs: 32,
    });
    const changes: string[][] = [];
    const off = store.on("change", (_s, keys) => changes.push([...keys]));
    store.update({ custom: { a: 1 }, sunrise: 6 });
    store.update({ custom: { a: 1 } });
    store.update({ custom: undefined, missing: undefined });
    off();
    store.update({ sunrise: 7 });
    assert.deepEqual(changes, [["custom"], ["custom"]]);
    assert.ok(!("custom" in store.get()));
    await store.close();
    const saved = await readJson(store.path);
    assert.equal(saved.sunrise, 7);
    assert.ok(!("custom" in saved));
  });
});

test("recovery: a corrupt settings.json is kept aside and .bak is used, then rewritten", async () => {
  await withDir(async (dir) => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "settings.json"), '{"chargeNowAmps": 5,');
    await writeFile(join(dir, "settings.json.bak"), JSON.stringify({ chargeNowAmps: "12", custom: "kept" }));
    await writeFile(join(dir, "settings.json.backup"), JSON.stringify({ chargeNowAmps: 3 }));
    const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    const logs: Logged[] = [];
    const store = await SettingsStore.open({ dir, clock, logger: logger(logs), wiringMaxAmpsAllTWCs: 32 });
    assert.equal(store.recovered, true);
    assert.equal(store.recoveredFrom, join(dir, "settings.json.bak"));
    assert.equal(store.get().chargeNowAmps, 12);
    assert.equal(store.get().custom, "kept");
    assert.equal(
      await readFile(join(dir, "settings.json.corrupt-20260102030405"), "utf8"),
      '{"chargeNowAmps": 5,',
    );
    assert.ok(logs.some((l) => l.level === "warn" && l.msg.includes("recovered from")));
    clock.advance(1000);
    await store.whenIdle();
    assert.equal((await readJson(store.path)).chargeNowAmps, 12);
    assert.equal(
      (await readJson(join(dir, "settings.json.bak"))).chargeNowAmps,
      "12",
      ".bak untouched by the first rewrite",
    );
    await store.close();
  });
});

test("recovery: legacy .backup when .bak is absent or corrupt; defaults when nothing parses", async () => {
  await withDir(async (dir) => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "settings.json"), "[1, 2]");
    await writeFile(join(dir, "settings.json.bak"), "garbage");
    await writeFile(join(dir, "settings.json.backup"), JSON.stringify({ chargeNowAmps: 3 }));
    const clock = new FakeClock();
    const a = await SettingsStore.open({ dir, clock, logger: logger(), wiringMaxAmpsAllTWCs: 32 });
    assert.equal(a.recoveredFrom, join(dir, "settings.json.backup"));
    assert.equal(a.get().chargeNowAmps, 3);
    await a.close();

    await writeFile(join(dir, "settings.json"), "not json");
    await rm(join(dir, "settings.json.backup"));
    clock.advance(2000);
    const b = await SettingsStore.open({ dir, clock, logger: logger(), wiringMaxAmpsAllTWCs: 32 });
    assert.equal(b.recovered, true);
    assert.equal(
      b.recoveredFrom,
      null,
      "the .bak is still garbage: the previous rewrite had no settings.json to back up",
    );
    assert.equal(b.get().chargeNowAmps, 0);
    assert.equal((await readdir(dir)).filter((f) => f.startsWith("settings.json.corrupt-")).length, 2);
    await b.close();
  });
});

test("a failed write rejects with STORE_SETTINGS_WRITE and the errno, removes the temp file, and is retried after 60 s", async () => {
  await withDir(async (dir) => {
    const clock = new FakeClock();
    const store = await SettingsStore.open({ dir, clock, logger: logger(), wiringMaxAmpsAllTWCs: 32 });
    const errors: string[] = [];
    store.on("saveError", (e) => errors.push(String(e.context?.errno)));
    await mkdir(store.path);
    store.update({ chargeNowAmps: 4 });
    await assert.rejects(
      store.saveNow(),
      (e: unknown) => isTwcError(e) && e.code === "STORE_SETTINGS_WRITE" && e.context?.errno === "EISDIR",
    );
    assert.equal(store.saveFailed, true);
    assert.equal(store.failureCount, 1);
    assert.deepEqual(errors, ["EISDIR"]);
    assert.deepEqual((await readdir(dir)).sort(), ["settings.json"]);
    await rmdir(store.path);
    clock.advance(59_000);
    await store.whenIdle();
    assert.equal(store.writeCount, 0);
    clock.advance(1_000);
    await store.whenIdle();
    assert.equal(store.writeCount, 1);
    assert.equal(store.saveFailed, false);
    assert.equal((await readJson(store.path)).chargeNowAmps, 4);
    await store.close();
  });
});

test("after a failure the next change retries after the normal debounce", async () => {
  await withDir(async (dir) => {
    const clock = new FakeClock();
    const store = await SettingsStore.open({ dir, clock, logger: logger(), wiringMaxAmpsAllTWCs: 32 });
    await mkdir(store.path);
    store.update({ chargeNowAmps: 4 });
    clock.advance(1000);
    await store.whenIdle();
    assert.equal(store.failureCount, 1);
    await rmdir(store.path);
    store.update({ chargeNowAmps: 5 });
    clock.advance(1000);
    await store.whenIdle();
    assert.equal(store.writeCount, 1);
    assert.equal((await readJson(store.path)).chargeNowAmps, 5);
    await store.close();
  });
});

test("compactTimestamp is YYYYMMDDHHMMSS in UTC", () => {
  assert.equal(compactTimestamp(Date.UTC(2026, 10, 23, 7, 8, 9)), "20261123070809");
});

test("consumption offsets keep insertion order in settings.json and across a reopen, integer-like names included", async () => {
  await withDir(async (dir) => {
    await mkdir(dir, { recursive: true });
    // A file written by TWCManager (Python keeps dict order): "10" before "2", after "Zeta".
    await writeFile(
      join(dir, "settings.json"),
      '{"consumptionOffset": {"Zeta": {"value": 1, "unit": "W"}, "10": {"value": 2, "unit": "A"}, "2": {"value": 3, "unit": "W"}}}',
    );
    const clock = new FakeClock();
    const a = await SettingsStore.open({ dir, clock, logger: logger(), wiringMaxAmpsAllTWCs: 32 });
    assert.deepEqual(a.offsetEntries().map(([n]) => n), ["Zeta", "10", "2"]);
    // Replacing keeps the place, a new name goes last, a deleted one is gone.
    const { "2": _gone, ...rest } = a.get().consumptionOffset;
    a.update({ consumptionOffset: { ...rest, "10": { value: 5, unit: "A" }, "1": { value: 4, unit: "W" } } });
    assert.deepEqual(a.offsetEntries().map(([n]) => n), ["Zeta", "10", "1"]);
    await a.saveNow();
    const text = await readFile(join(dir, "settings.json"), "utf8");
    assert.ok(
      text.includes(
        '"consumptionOffset": {\n    "Zeta": {\n      "value": 1,\n      "unit": "W"\n    },\n    "10": {\n      "value": 5,\n      "unit": "A"\n    },\n    "1": {',
      ),
      text,
    );
    await a.close();
    const b = await SettingsStore.open({ dir, clock, logger: logger(), wiringMaxAmpsAllTWCs: 32 });
    assert.deepEqual(b.offsetEntries(), [
      ["Zeta", { value: 1, unit: "W" }],
      ["10", { value: 5, unit: "A" }],
      ["1", { value: 4, unit: "W" }],
    ]);
    await b.close();
  });
});

test("persist writes a user's change at once and resolves only when it is on disk; nothing pending → no write", async () => {
  await withDir(async (dir) => {
    const clock = new FakeClock();
    const store = await SettingsStore.open({ dir, clock, logger: logger(), wiringMaxAmpsAllTWCs: 32 });
    store.update({ chargeNowAmps: 7 });
    await store.persist();
    assert.equal(store.writeCount, 1);
    assert.equal((await readJson(store.path)).chargeNowAmps, 7);
    await store.persist();
    assert.equal(store.writeCount, 1, "nothing changed since: no second write");
    clock.advance(5000);
    await store.whenIdle();
    assert.equal(store.writeCount, 1, "the debounce was dropped: the change is already on disk");
    await store.close();
  });
});

test("persist coalesces: callers arriving while a write runs share one follow-up write with all their changes", async () => {
  await withDir(async (dir) => {
    const store = await SettingsStore.open({ dir, clock: new FakeClock(), logger: logger(), wiringMaxAmpsAllTWCs: 32 });
    store.update({ first: 1 });
    const first = store.persist();
    const later: Promise<void>[] = [];
    for (let i = 0; i < 10; i++) {
      store.update({ [`k${i}`]: i });
      later.push(store.persist());
    }
    assert.equal(new Set(later).size, 1, "one shared follow-up");
    await first;
    const afterFirst = await readJson(store.path);
    assert.equal(afterFirst.first, 1);
    await Promise.all(later);
    assert.equal(store.writeCount, 2);
    const saved = await readJson(store.path);
    for (let i = 0; i < 10; i++) assert.equal(saved[`k${i}`], i);
    await store.close();
  });
});

test("a failed persist rejects with STORE_SETTINGS_WRITE, keeps the change in effect and retries it after 60 s", async () => {
  await withDir(async (dir) => {
    const clock = new FakeClock();
    const store = await SettingsStore.open({ dir, clock, logger: logger(), wiringMaxAmpsAllTWCs: 32 });
    await mkdir(store.path, { recursive: true });
    store.update({ chargeNowAmps: 6 });
    await assert.rejects(store.persist(), (e: unknown) => isTwcError(e) && e.code === "STORE_SETTINGS_WRITE" && e.context?.errno === "EISDIR");
    assert.equal(store.get().chargeNowAmps, 6);
    assert.equal(store.saveFailed, true);
    await rmdir(store.path);
    clock.advance(60_000);
    await store.whenIdle();
    assert.equal(store.saveFailed, false);
    assert.equal((await readJson(store.path)).chargeNowAmps, 6);
    await store.close();
  });
});
