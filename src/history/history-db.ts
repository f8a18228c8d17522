/**
 * History and charge-session storage (controller.md §13, §22; config.md §1): 5-minute buckets keyed by
 * their epoch start and charge sessions, in `<settingsPath>/twcmanager.db` (better-sqlite3, WAL).
 * Every failure is logged as TwcError STORE_DATABASE and swallowed: the database never stops the
 * controller (reads then return empty results, writes are lost). A failed open removes what it left
 * behind (history-files.ts); the product supervises the file database (history-supervisor.ts).
 */
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { TwcError } from "../shared/errors.ts";
import { errorCode, removeFailedOpenLeftovers, snapshotDbFiles } from "./history-files.ts";
import { isStoppedBy, type StoppedBy } from "./stop-cause.ts";

/** Length of one history bucket (ms). */
export const BUCKET_MS = 300_000;

/** Start of the 5-minute bucket containing `ms` (epoch based, so time zones never misalign buckets). */
export function floorBucket(ms: number): number {
  return Math.floor(ms / BUCKET_MS) * BUCKET_MS;
}

/** One stored 5-minute bucket. */
export interface HistoryBucket {
  /** Epoch ms of the bucket start (a multiple of BUCKET_MS). */
  startMs: number;
  chargerW: number;
  generationW: number | null;
  consumptionW: number | null;
}

/** Why a session ended (null: still open or unknown). */
export type SessionEndReason = "stopped" | "linkLost" | "shutdown";

/** One charge session (times in epoch ms). */
export interface ChargeSession {
  id: number;
  twcId: string;
  vin: string | null;
  startedAt: number;
  endedAt: number | null;
  startKWh: number | null;
  endKWh: number | null;
  energyKWh: number | null;
  endReason: SessionEndReason | null;
  /** Who ended it (absent or null: unknown or still open). */
  stoppedBy?: StoppedBy | null;
}

/** The end of a session. */
export interface SessionEnd {
  endedAt: number;
  endKWh: number | null;
  endReason: SessionEndReason;
  /** The VIN known at the end ("" or null: keep what is stored). */
  vin?: string | null;
  /** The session's energy (energy-integrator.ts); absent or null: endKWh − startKWh. */
  energyKWh?: number | null;
  /** Who ended it. */
  stoppedBy?: StoppedBy | null;
}

/** One point of a history series (a stored bucket, a zero-filled gap or the live current bucket). */
export type HistoryPoint = HistoryBucket & {
  /** False for a bucket with no recorded data (TWCManager was not running): a gap, not 0 W. */
  recorded?: boolean;
};

/** The running sums of the current bucket, kept across a restart inside it. */
export interface PartialBucket {
  startMs: number;
  /** Per-slave sum and count of the reported amps ([twcId, sum, n]). */
  amps: [number, number, number][];
  genSum: number;
  consSum: number;
  energyN: number;
}

/** Parses a stored PartialBucket (null when it is not one). Pure. */
export function parsePartial(text: string): PartialBucket | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  const fin = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
  if (!fin(o.startMs) || !fin(o.genSum) || !fin(o.consSum) || !fin(o.energyN) || !Array.isArray(o.amps))
    return null;
  const amps = o.amps.filter(
    (a): a is [number, number, number] => Array.isArray(a) && a.length === 3 && a.every(fin),
  );
  return { startMs: o.startMs, amps, genSum: o.genSum, consSum: o.consSum, energyN: o.energyN };
}

/** What the HTTP layer reads (implemented by history/history-recorder.ts). */
export interface HistoryReader {
  /** `count` consecutive buckets ending with the live bucket containing `nowMs`, oldest first, gaps zero-filled. */
  series(nowMs: number, count: number): HistoryPoint[];
  /** The most recent charge sessions, newest first. */
  sessions(limit: number): ChargeSession[];
}

/** Zero-fills `count` buckets from `firstStartMs` with the stored ones. Pure. */
export function fillSeries(
  stored: readonly HistoryBucket[],
  firstStartMs: number,
  count: number,
): HistoryPoint[] {
  const byStart = new Map(stored.map((b) => [b.startMs, b]));
  const out: HistoryPoint[] = [];
  for (let i = 0; i < count; i++) {
    const startMs = firstStartMs + i * BUCKET_MS;
    out.push(
      byStart.get(startMs) ?? {
        startMs,
        chargerW: 0,
        generationW: null,
        consumptionW: null,
        recorded: false,
      },
    );
  }
  return out;
}

/** Logger subset (pino-compatible). */
export interface HistoryLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The storage interface (tests use `openHistoryDb(":memory:")`). */
export interface HistoryStore {
  /** Inserts or replaces one bucket. */
  putBucket(b: HistoryBucket): void;
  /** Buckets with `fromMs ≤ startMs < toMs`, oldest first. */
  buckets(fromMs: number, toMs: number): HistoryBucket[];
  /** Opens a session; returns its id (null when the database failed). */
  openSession(twcId: string, startedAt: number, startKWh: number | null): number | null;
  /** Attaches the VIN to a session. */
  setSessionVin(id: number, vin: string): void;
  /** Closes a session; energyKWh as given, else endKWh − startKWh when both are known. */
  closeSession(id: number, end: SessionEnd): void;
  /** The energy of a session still open so far (kWh). */
  setSessionEnergy(id: number, kWh: number): void;
  /** Keeps the running sums of the current bucket (one row; replaced). */
  putPartial(p: PartialBucket): void;
  /** The kept running sums, or null. */
  partial(): PartialBucket | null;
  /** Forgets the kept running sums. */
  clearPartial(): void;
  /** Closes every session still open (after a crash) with the given reason and time (null: unknown). */
  closeDangling(reason: SessionEndReason, endedAt: number | null): number;
  /** The most recent sessions, newest first. */
  recentSessions(limit: number): ChargeSession[];
  /** Deletes buckets and closed sessions that started before `beforeMs`; returns the rows removed. */
  prune(beforeMs: number): number;
  /** Imports a legacy `settings.history` array (buckets already present are kept); returns the count imported, null on failure. */
  importLegacy(history: unknown): number | null;
  /** Closes the database. */
  close(): void;
}

interface Statement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  all(...params: unknown[]): unknown[];
}

/** The better-sqlite3 database methods used here. */
export interface Database {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(source: string): unknown;
  prepare(source: string): Statement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): unknown;
}

/** The better-sqlite3 constructor shape (tests inject a failing one). */
export type DatabaseConstructor = new (filename: string) => Database;

/** Called with every failure a store swallowed (the supervisor closes the database on storage failures). */
export type FailureHook = (what: string, cause: unknown) => void;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS buckets (
  start_ms INTEGER PRIMARY KEY,
  charger_w INTEGER NOT NULL,
  generation_w INTEGER,
  consumption_w INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  twc_id TEXT NOT NULL,
  vin TEXT,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  start_kwh REAL,
  end_kwh REAL,
  energy_kwh REAL,
  end_reason TEXT
);
CREATE INDEX IF NOT EXISTS sessions_started ON sessions (started_at);
CREATE TABLE IF NOT EXISTS partial_bucket (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  data TEXT NOT NULL
);
`;

/** Columns added after version 1, with their definition (added to an older database when it opens). */
const ADDED_COLUMNS: readonly [table: string, column: string, definition: string][] = [
  ["sessions", "stopped_by", "TEXT"],
];

/** Adds the columns a database of an older version lacks. */
function migrate(db: Database): void {
  for (const [table, column, definition] of ADDED_COLUMNS) {
    const cols = db.pragma(`table_info(${table})`) as { name?: unknown }[];
    if (!cols.some((c) => c.name === column))
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }
}

const REASONS: readonly string[] = ["stopped", "linkLost", "shutdown"];

const intOrNull = (v: number | null): number | null =>
  v === null || !Number.isFinite(v) ? null : Math.round(v);
const numOrNull = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function loadDriver(): DatabaseConstructor {
  const require = createRequire(import.meta.url);
  return require("better-sqlite3") as DatabaseConstructor;
}

/** Parses one legacy entry: `[isoTimestamp, watts]` (upstream) or `{timestamp, charger_power}`. */
export function parseLegacyEntry(e: unknown): HistoryBucket | null {
  let ts: unknown;
  let w: unknown;
  if (Array.isArray(e)) [ts, w] = e as unknown[];
  else if (typeof e === "object" && e !== null) {
    ts = (e as Record<string, unknown>).timestamp;
    w = (e as Record<string, unknown>).charger_power;
  }
  if (typeof ts !== "string") return null;
  const ms = Date.parse(ts);
  const watts = typeof w === "string" && w.trim() !== "" ? Number(w) : w;
  if (!Number.isFinite(ms) || typeof watts !== "number" || !Number.isFinite(watts)) return null;
  return {
    startMs: floorBucket(ms),
    chargerW: Math.max(0, Math.round(watts)),
    generationW: null,
    consumptionW: null,
  };
}

class SqliteHistoryStore implements HistoryStore {
  private readonly st: Record<
    | "put"
    | "range"
    | "open"
    | "vin"
    | "close"
    | "energy"
    | "putPartial"
    | "getPartial"
    | "clearPartial"
    | "dangling"
    | "recent"
    | "pruneB"
    | "pruneS"
    | "importOne",
    Statement
  >;

  constructor(
    private readonly db: Database,
    private readonly log: HistoryLogger,
    private readonly onFailure?: FailureHook,
  ) {
    this.st = {
      put: db.prepare(
        "INSERT OR REPLACE INTO buckets (start_ms, charger_w, generation_w, consumption_w) VALUES (?, ?, ?, ?)",
      ),
      range: db.prepare(
        "SELECT start_ms, charger_w, generation_w, consumption_w FROM buckets WHERE start_ms >= ? AND start_ms < ? ORDER BY start_ms",
      ),
      open: db.prepare("INSERT INTO sessions (twc_id, started_at, start_kwh) VALUES (?, ?, ?)"),
      vin: db.prepare("UPDATE sessions SET vin = ? WHERE id = ?"),
      close: db.prepare(
        "UPDATE sessions SET ended_at = ?, end_kwh = ?, end_reason = ?, vin = COALESCE(?, vin), stopped_by = ?, energy_kwh = COALESCE(?, CASE WHEN ? IS NOT NULL AND start_kwh IS NOT NULL THEN ? - start_kwh ELSE NULL END) WHERE id = ?",
      ),
      energy: db.prepare("UPDATE sessions SET energy_kwh = ? WHERE id = ? AND end_reason IS NULL"),
      putPartial: db.prepare("INSERT OR REPLACE INTO partial_bucket (id, data) VALUES (1, ?)"),
      getPartial: db.prepare("SELECT data FROM partial_bucket WHERE id = 1"),
      clearPartial: db.prepare("DELETE FROM partial_bucket"),
      dangling: db.prepare("UPDATE sessions SET ended_at = ?, end_reason = ? WHERE end_reason IS NULL"),
      recent: db.prepare("SELECT * FROM sessions ORDER BY started_at DESC, id DESC LIMIT ?"),
      pruneB: db.prepare("DELETE FROM buckets WHERE start_ms < ?"),
      pruneS: db.prepare("DELETE FROM sessions WHERE started_at < ? AND end_reason IS NOT NULL"),
      importOne: db.prepare(
        "INSERT OR IGNORE INTO buckets (start_ms, charger_w, generation_w, consumption_w) VALUES (?, ?, NULL, NULL)",
      ),
    };
  }

  private guard<T>(what: string, fallback: T, fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      const err = new TwcError({
        code: "STORE_DATABASE",
        message: `history database: ${what} failed`,
        cause,
      });
      this.log.error({ code: "STORE_DATABASE", err }, err.message);
      this.onFailure?.(what, cause);
      return fallback;
    }
  }

  putBucket(b: HistoryBucket): void {
    this.guard("write bucket", undefined, () => {
      this.st.put.run(
        floorBucket(b.startMs),
        Math.round(b.chargerW),
        intOrNull(b.generationW),
        intOrNull(b.consumptionW),
      );
    });
  }

  buckets(fromMs: number, toMs: number): HistoryBucket[] {
    return this.guard("read buckets", [], () =>
      this.st.range.all(fromMs, toMs).map((r) => {
        const row = r as Record<string, unknown>;
        return {
          startMs: Number(row.start_ms),
          chargerW: Number(row.charger_w),
          generationW: numOrNull(row.generation_w),
          consumptionW: numOrNull(row.consumption_w),
        };
      }),
    );
  }

  openSession(twcId: string, startedAt: number, startKWh: number | null): number | null {
    return this.guard("open session", null, () =>
      Number(this.st.open.run(twcId, startedAt, numOrNull(startKWh)).lastInsertRowid),
    );
  }

  setSessionVin(id: number, vin: string): void {
    this.guard("set session VIN", undefined, () => void this.st.vin.run(vin === "" ? null : vin, id));
  }

  closeSession(id: number, end: SessionEnd): void {
    const endKWh = numOrNull(end.endKWh);
    const vin = end.vin === undefined || end.vin === "" ? null : end.vin;
    const energy = numOrNull(end.energyKWh);
    const by = end.stoppedBy ?? null;
    this.guard(
      "close session",
      undefined,
      () => void this.st.close.run(end.endedAt, endKWh, end.endReason, vin, by, energy, endKWh, endKWh, id),
    );
  }

  setSessionEnergy(id: number, kWh: number): void {
    if (!Number.isFinite(kWh)) return;
    this.guard("write session energy", undefined, () => void this.st.energy.run(kWh, id));
  }

  putPartial(p: PartialBucket): void {
    this.guard("write partial bucket", undefined, () => void this.st.putPartial.run(JSON.stringify(p)));
  }

  partial(): PartialBucket | null {
    return this.guard("read partial bucket", null, () => {
      const row = this.st.getPartial.all()[0] as { data?: unknown } | undefined;
      return typeof row?.data === "string" ? parsePartial(row.data) : null;
    });
  }

  clearPartial(): void {
    this.guard("clear partial bucket", undefined, () => void this.st.clearPartial.run());
  }

  closeDangling(reason: SessionEndReason, endedAt: number | null): number {
    return this.guard("close dangling sessions", 0, () => this.st.dangling.run(endedAt, reason).changes);
  }

  recentSessions(limit: number): ChargeSession[] {
    return this.guard("read sessions", [], () =>
      this.st.recent.all(limit).map((r) => {
        const row = r as Record<string, unknown>;
        const reason = row.end_reason;
        return {
          id: Number(row.id),
          twcId: String(row.twc_id),
          vin: typeof row.vin === "string" ? row.vin : null,
          startedAt: Number(row.started_at),
          endedAt: numOrNull(row.ended_at),
          startKWh: numOrNull(row.start_kwh),
          endKWh: numOrNull(row.end_kwh),
          energyKWh: numOrNull(row.energy_kwh),
          endReason:
            typeof reason === "string" && REASONS.includes(reason) ? (reason as SessionEndReason) : null,
          ...(isStoppedBy(row.stopped_by) ? { stoppedBy: row.stopped_by } : {}),
        };
      }),
    );
  }

  prune(beforeMs: number): number {
    return this.guard(
      "prune",
      0,
      () => this.st.pruneB.run(beforeMs).changes + this.st.pruneS.run(beforeMs).changes,
    );
  }

  importLegacy(history: unknown): number | null {
    if (!Array.isArray(history)) return 0;
    return this.guard("import legacy history", null, () => {
      let n = 0;
      this.db.transaction(() => {
        for (const e of history) {
          const b = parseLegacyEntry(e);
          if (b) n += this.st.importOne.run(b.startMs, b.chargerW).changes;
        }
      })();
      return n;
    });
  }

  close(): void {
    this.guard("close", undefined, () => void this.db.close());
  }
}

function openDb(filename: string, Driver: DatabaseConstructor = loadDriver()): Database {
  const db = new Driver(filename);
  try {
    if (filename !== ":memory:") db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 2000");
    db.exec(SCHEMA);
    migrate(db);
    db.pragma("user_version = 2");
  } catch (err) {
    try {
      db.close();
    } catch {
      // The open failure is what matters; a close that fails too changes nothing.
    }
    throw err;
  }
  return db;
}

/** Options of openHistoryFile. */
export interface OpenHistoryOptions {
  /** Called with every failure the open store swallows. */
  onFailure?: FailureHook;
  /** The driver (default better-sqlite3). */
  driver?: DatabaseConstructor;
}

/**
 * Opens (creating when needed) the database file, or throws TwcError STORE_DATABASE (context.code: the
 * SQLite or errno code) after closing it and removing what the attempt left (removeFailedOpenLeftovers).
 */
export function openHistoryFile(
  filename: string,
  log: HistoryLogger,
  o: OpenHistoryOptions = {},
): HistoryStore {
  const before = filename === ":memory:" ? null : snapshotDbFiles(filename);
  let db: Database | null = null;
  try {
    db = openDb(filename, o.driver);
    return new SqliteHistoryStore(db, log, o.onFailure);
  } catch (cause) {
    try {
      db?.close();
    } catch {
      // Already failing; the files are judged below.
    }
    const removed = before ? removeFailedOpenLeftovers(filename, before) : [];
    const code = errorCode(cause);
    throw new TwcError({
      code: "STORE_DATABASE",
      message: `history database ${filename} cannot be opened: ${code ?? String(cause)}`,
      cause,
      context: { code, path: filename, removed },
    });
  }
}

/**
 * Opens (creating when needed) the database at `filename` (":memory:" for tests). When it cannot be
 * opened, logs STORE_DATABASE and falls back to an in-memory database so history still works this run.
 */
export function openHistoryDb(filename: string, log: HistoryLogger): HistoryStore {
  try {
    return openHistoryFile(filename, log);
  } catch (cause) {
    const err = new TwcError({
      code: "STORE_DATABASE",
      message: `history database ${filename} cannot be opened; history is kept in memory only`,
      cause,
    });
    log.error({ code: "STORE_DATABASE", err }, err.message);
    try {
      return new SqliteHistoryStore(openDb(":memory:"), log);
    } catch {
      return nullHistoryStore();
    }
  }
}

/** A store that keeps nothing (used when even an in-memory database cannot be created). */
export function nullHistoryStore(): HistoryStore {
  return {
    putBucket: () => undefined,
    buckets: () => [],
    openSession: () => null,
    setSessionVin: () => undefined,
    closeSession: () => undefined,
    setSessionEnergy: () => undefined,
    putPartial: () => undefined,
    partial: () => null,
    clearPartial: () => undefined,
    closeDangling: () => 0,
    recentSessions: () => [],
    prune: () => 0,
    importLegacy: () => null,
    close: () => undefined,
  };
}

/** Opens `<settingsPath>/twcmanager.db`. */
export function openSettingsHistoryDb(settingsPath: string, log: HistoryLogger): HistoryStore {
  try {
    mkdirSync(settingsPath, { recursive: true });
  } catch {
    // openHistoryDb reports the failure (and falls back to memory) when the directory is unusable.
  }
  return openHistoryDb(join(settingsPath, "twcmanager.db"), log);
}
