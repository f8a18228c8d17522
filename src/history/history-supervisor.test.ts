import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FakeClock } from "../shared/clock.ts";
import { isTwcError } from "../shared/errors.ts";
import {
  BUCKET_MS,
  openHistoryFile,
  type Database,
  type DatabaseConstructor,
  type FailureHook,
  type HistoryLogger,
  type HistoryStore,
} from "./history-db.ts";
import { isStorageFailure, removeAfterClose, removeFailedOpenLeftovers, snapshotDbFiles } from "./history-files.ts";
import { historyUnavailableMessage, SupervisedHistoryStore, type HistoryDbStatus } from "./history-supervisor.ts";

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const quiet: HistoryLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const Real = createRequire(import.meta.url)("better-sqlite3") as DatabaseConstructor;

function sqliteError(code: string): Error {
  return Object.assign(new Error(code === "SQLITE_FULL" ? "database or disk is full" : code), { code });
}

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "twcm-hsup-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const files = (dir: string): string[] => readdirSync(dir).sort();

/**
 * better-sqlite3 with injected storage failures. A failed open keeps its connection (and so its real
 * -wal/-shm files) until `release`, as SQLite does when it cannot checkpoint on a full disk.
 */
function flakyDriver(f: { exec?: string; run?: string }): { Driver: DatabaseConstructor; release(): void } {
  const leaked: Database[] = [];
  class Flaky implements Database {
    private readonly db: Database;
    private failed = false;
    constructor(filename: string) {
      this.db = new Real(filename);
    }
    pragma(source: string, options?: { simple?: boolean }): unknown {
      return this.db.pragma(source, options);
    }
    exec(source: string): unknown {
      if (f.exec) {
        this.db.exec("CREATE TABLE IF NOT EXISTS filler (x)"); // puts real frames into the WAL
        this.failed = true;
        throw sqliteError(f.exec);
      }
      return this.db.exec(source);
    }
    prepare(source: string): ReturnType<Database["prepare"]> {
      const st = this.db.prepare(source);
      return {
        run: (...p: unknown[]) => {
          if (f.run && /INSERT OR REPLACE INTO buckets/.test(source)) throw sqliteError(f.run);
          return st.run(...p);
        },
        all: (...p: unknown[]) => st.all(...p),
      };
    }
    transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
      return this.db.transaction(fn);
    }
    close(): unknown {
      if (this.failed) {
        leaked.push(this.db);
        return undefined;
      }
      return this.db.close();
    }
  }
  return { Driver: Flaky, release: () => leaked.splice(0).forEach((db) => db.close()) };
}

describe("history files after failures", () => {
  it("a failed first open removes the database, -wal and -shm it created", () => {
    withDir((dir) => {
      const file = join(dir, "twcmanager.db");
      const flaky = flakyDriver({ exec: "SQLITE_FULL" });
      try {
        assert.throws(
          () => openHistoryFile(file, quiet, { driver: flaky.Driver }),
          (e: unknown) => isTwcError(e) && e.code === "STORE_DATABASE" && e.context?.code === "SQLITE_FULL",
        );
        assert.deepEqual(files(dir), []);
      } finally {
        flaky.release();
      }
    });
  });

  it("a failed open of an existing database keeps it and its data, and removes the -wal/-shm of the attempt", () => {
    withDir((dir) => {
      const file = join(dir, "twcmanager.db");
      const good = openHistoryFile(file, quiet);
      good.putBucket({ startMs: T0, chargerW: 42, generationW: null, consumptionW: null });
      good.close();
      assert.deepEqual(files(dir), ["twcmanager.db"]);
      const flaky = flakyDriver({ exec: "SQLITE_IOERR_SHMSIZE" });
      try {
        assert.throws(() => openHistoryFile(file, quiet, { driver: flaky.Driver }));
        assert.deepEqual(files(dir), ["twcmanager.db"]);
      } finally {
        flaky.release();
      }
      const again = openHistoryFile(file, quiet);
      assert.deepEqual(again.buckets(T0, T0 + 1).map((b) => b.chargerW), [42]);
      again.close();
    });
  });

  it("leftover rules: a WAL that existed before is kept with its database; empty files always go", () => {
    withDir((dir) => {
      const file = join(dir, "twcmanager.db");
      const put = (name: string, bytes: number): void => writeFileSync(join(dir, name), Buffer.alloc(bytes, 1));
      put("twcmanager.db", 8192);
      put("twcmanager.db-wal", 5000);
      const before = snapshotDbFiles(file);
      put("twcmanager.db-shm", 32768);
      removeFailedOpenLeftovers(file, before);
      assert.deepEqual(files(dir), ["twcmanager.db", "twcmanager.db-wal"]);

      rmSync(join(dir, "twcmanager.db-wal"));
      put("twcmanager.db", 0);
      const emptyBefore = snapshotDbFiles(file);
      put("twcmanager.db-wal", 0);
      removeFailedOpenLeftovers(file, emptyBefore);
      assert.deepEqual(files(dir), [], "an empty database holds nothing");

      put("twcmanager.db", 8192);
      put("twcmanager.db-wal", 5000);
      put("twcmanager.db-shm", 32768);
      removeAfterClose(file);
      assert.deepEqual(files(dir), ["twcmanager.db", "twcmanager.db-wal"], "an uncheckpointed WAL holds history");
      put("twcmanager.db-wal", 0);
      put("twcmanager.db-shm", 32768);
      removeAfterClose(file);
      assert.deepEqual(files(dir), ["twcmanager.db"]);
    });
  });

  it("isStorageFailure: full disk, size limit, I/O and read-only errors; not constraint or corruption", () => {
    for (const c of ["SQLITE_FULL", "SQLITE_IOERR_WRITE", "SQLITE_IOERR_SHMSIZE", "SQLITE_CANTOPEN", "ENOSPC", "EFBIG", "EDQUOT"])
      assert.equal(isStorageFailure(sqliteError(c)), true, c);
    assert.equal(isStorageFailure(new Error("x", { cause: sqliteError("SQLITE_FULL") })), true, "through the cause");
    for (const c of ["SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CORRUPT", "SQLITE_BUSY"]) assert.equal(isStorageFailure(sqliteError(c)), false, c);
    assert.equal(isStorageFailure(new Error("no code")), false);
  });
});

/** An opener that fails `failures` times with SQLITE_FULL, then opens an in-memory database. */
function scriptedOpener(failures: number): { open: (f: string, l: HistoryLogger, h: FailureHook) => HistoryStore; calls: number } {
  const o = {
    calls: 0,
    open: (_f: string, log: HistoryLogger, onFailure: FailureHook): HistoryStore => {
      o.calls++;
      if (o.calls <= failures) throw Object.assign(new Error("cannot be opened"), { code: "STORE_DATABASE", cause: sqliteError("SQLITE_FULL") });
      return openHistoryFile(":memory:", log, { onFailure });
    },
  };
  return o;
}

const bucket = (i: number): { startMs: number; chargerW: number; generationW: null; consumptionW: null } => ({
  startMs: T0 + i * BUCKET_MS,
  chargerW: 100 + i,
  generationW: null,
  consumptionW: null,
});

describe("SupervisedHistoryStore", () => {
  it("an open failing with a full disk: unavailable (reads empty, writes dropped), retried every 5 minutes until it works", () => {
    const clock = new FakeClock(T0);
    const opener = scriptedOpener(2);
    const store = new SupervisedHistoryStore({ filename: "/x/twcmanager.db", clock, log: quiet, open: opener.open });
    const seen: HistoryDbStatus[] = [];
    store.onStatus((s) => seen.push(s));
    assert.deepEqual(store.status(), { available: false, reason: "SQLITE_FULL", sinceMs: T0 });
    store.putBucket(bucket(0));
    assert.deepEqual(store.buckets(0, T0 * 2), []);
    assert.equal(store.openSession("4142", T0, null), null);
    clock.advance(299_999);
    assert.equal(opener.calls, 1);
    clock.advance(1);
    assert.equal(opener.calls, 2);
    assert.equal(store.status().available, false);
    assert.equal((store.status() as { sinceMs: number }).sinceMs, T0, "since the first failure");
    clock.advance(300_000);
    assert.equal(opener.calls, 3);
    assert.deepEqual(store.status(), { available: true });
    assert.equal(seen.at(-1)?.available, true);
    store.putBucket(bucket(1));
    assert.deepEqual(store.buckets(0, T0 * 2).map((b) => b.chargerW), [101]);
    clock.advance(3_600_000);
    assert.equal(opener.calls, 3, "no retries while available");
    store.close();
  });

  it("a write failing with a full disk closes the database, removes its -shm, and reopens later; other failures do not", () => {
    withDir((dir) => {
      const file = join(dir, "twcmanager.db");
      const clock = new FakeClock(T0);
      const fail: { run?: string } = {};
      const flaky = flakyDriver(fail);
      let opens = 0;
      const store = new SupervisedHistoryStore({
        filename: file,
        clock,
        log: quiet,
        open: (f, log, onFailure) => {
          opens++;
          return openHistoryFile(f, log, { onFailure, driver: flaky.Driver });
        },
      });
      try {
        store.putBucket(bucket(0));
        assert.ok(existsSync(`${file}-shm`));
        fail.run = "SQLITE_CONSTRAINT";
        store.putBucket(bucket(1));
        assert.deepEqual(store.status(), { available: true }, "not a storage failure");
        fail.run = "SQLITE_FULL";
        store.putBucket(bucket(2));
        assert.equal(store.status().available, false);
        assert.deepEqual(files(dir), ["twcmanager.db"], "closed cleanly: WAL checkpointed, -shm gone");
        assert.deepEqual(store.buckets(0, T0 * 2), []);
        delete fail.run;
        clock.advance(300_000);
        assert.equal(opens, 2);
        assert.deepEqual(store.status(), { available: true });
        assert.deepEqual(store.buckets(0, T0 * 2).map((b) => b.chargerW), [100], "the data before the failure is kept");
        assert.ok(statSync(file).size > 0);
      } finally {
        store.close();
        flaky.release();
      }
      assert.equal(clock.pending, 0, "close stops the retries");
    });
  });

  it("the alert text names the reason and the retry interval", () => {
    assert.match(historyUnavailableMessage("SQLITE_FULL"), /SQLITE_FULL.*every 5 min/);
  });
});
