/**
 * logging.SQLite (issue 13 §3): TWCManager's tables (tables.ts) in an SQLite file through
 * better-sqlite3 — a file of its own, never our history database (`twcmanager.db`). A session is
 * inserted when it starts (endTime NULL), its VIN and end are updates, as upstream. WAL mode, so a
 * dashboard reading the file does not hold the writer up; a short busy timeout, so a locked file
 * fails the module (host back-off) instead of blocking the event loop.
 */
import { mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import type { SqliteLogConfig } from "../../config/app-config.ts";
import type { ModuleContext } from "../module.ts";
import { localDateTime } from "./events.ts";
import { LoggingModule, RowRejectedError, type LogSink } from "./logging-module.ts";
import { CREATE_TABLES, chargeSessionRow, greenEnergyRow, slaveStatusRow } from "./tables.ts";

/** The file name used when `path` is absent or a directory. */
export const SQLITE_LOG_FILE = "twcmanager.sqlite";
/** Our own history database's file name (history-db.ts), which this module never writes. */
const HISTORY_FILE = "twcmanager.db";
/** How long a write waits for a lock (ms). */
export const SQLITE_BUSY_TIMEOUT_MS = 200;

/** The database file of `cfg` for the settings directory `settingsPath`. */
export function sqliteLogFile(cfg: SqliteLogConfig, settingsPath: string): string {
  if (cfg.path === null) return resolve(settingsPath, SQLITE_LOG_FILE);
  const p = resolve(cfg.path);
  try {
    if (statSync(p).isDirectory()) return join(p, SQLITE_LOG_FILE);
  } catch {
    // absent: a file to create
  }
  return p;
}

/** The better-sqlite3 statement methods used here. */
interface Statement {
  run(...params: unknown[]): { changes: number };
}

/** The better-sqlite3 database methods used here. */
interface Db {
  pragma(source: string): unknown;
  exec(source: string): unknown;
  prepare(source: string): Statement;
  close(): unknown;
}

type DbConstructor = new (filename: string, options: { timeout: number }) => Db;

type Statements = Record<"start" | "vin" | "stop" | "stopInsert" | "green" | "status", Statement>;

/** The SQLite sink on `file`; `historyFile` is refused. */
export function sqliteSink(file: string, historyFile: string): LogSink {
  let db: Db | null = null;
  let st: Statements | null = null;
  const run = (s: Statement, params: unknown[]): { changes: number } => {
    try {
      return s.run(...params);
    } catch (err) {
      if ((err as { code?: unknown }).code?.toString().startsWith("SQLITE_CONSTRAINT")) throw new RowRejectedError((err as Error).message);
      throw err;
    }
  };
  return {
    open() {
      if (resolve(file) === resolve(historyFile))
        return Promise.reject(new Error(`logging.SQLite.path ${file} is the history database; choose another file`));
      const Sqlite = createRequire(import.meta.url)("better-sqlite3") as DbConstructor;
      mkdirSync(dirname(file), { recursive: true });
      const d = new Sqlite(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
      try {
        d.pragma("journal_mode = WAL");
        for (const ddl of CREATE_TABLES) d.exec(ddl);
        st = {
          start: d.prepare("INSERT OR IGNORE INTO charge_sessions (chargeid, startTime, startkWh, slaveTWC) VALUES (?, ?, ?, ?)"),
          vin: d.prepare("UPDATE charge_sessions SET vehicleVIN = ? WHERE chargeid = ? AND slaveTWC = ?"),
          stop: d.prepare("UPDATE charge_sessions SET endTime = ?, endkWh = ?, vehicleVIN = COALESCE(?, vehicleVIN) WHERE chargeid = ? AND slaveTWC = ?"),
          stopInsert: d.prepare(
            "INSERT OR IGNORE INTO charge_sessions (chargeid, startTime, startkWh, slaveTWC, endTime, endkWh, vehicleVIN) VALUES (?, ?, ?, ?, ?, ?, ?)",
          ),
          green: d.prepare("INSERT OR IGNORE INTO green_energy (time, genW, conW, chgW) VALUES (?, ?, ?, ?)"),
          status: d.prepare("INSERT OR IGNORE INTO slave_status (slaveTWC, time, kWh, voltsPhaseA, voltsPhaseB, voltsPhaseC) VALUES (?, ?, ?, ?, ?, ?)"),
        };
      } catch (err) {
        d.close();
        throw err;
      }
      db = d;
      return Promise.resolve();
    },
    write(ev) {
      if (!st) return Promise.reject(new Error("logging.SQLite is not open"));
      switch (ev.kind) {
        case "sessionStart":
          run(st.start, [ev.chargeId, localDateTime(ev.startMs), ev.startKWh === null ? null : Math.round(ev.startKWh), ev.twcId]);
          break;
        case "sessionVin":
          run(st.vin, [ev.vin, ev.chargeId, ev.twcId]);
          break;
        case "sessionStop": {
          const row = chargeSessionRow(ev);
          const r = run(st.stop, [row[4], row[5], row[6], ev.chargeId, ev.twcId]);
          if (r.changes === 0) run(st.stopInsert, row);
          break;
        }
        case "greenEnergy":
          run(st.green, greenEnergyRow(ev));
          break;
        case "slaveStatus":
          run(st.status, slaveStatusRow(ev));
          break;
      }
      return Promise.resolve();
    },
    close() {
      st = null;
      try {
        db?.close();
      } catch {
        // closing a broken database: nothing left to do
      }
      db = null;
      return Promise.resolve();
    },
  };
}

/** Creates the logging.SQLite module for the settings directory `settingsPath`. */
export function createSqliteLogger(cfg: SqliteLogConfig, settingsPath: string, ctx: ModuleContext): LoggingModule {
  const file = sqliteLogFile(cfg, settingsPath);
  return new LoggingModule({ name: "logging.SQLite", mute: cfg.mute, sink: sqliteSink(file, resolve(settingsPath, HISTORY_FILE)) }, ctx);
}
