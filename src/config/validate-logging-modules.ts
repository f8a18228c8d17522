/**
 * The builders of TWCManager's logging modules `logging.CSV`, `logging.MySQL` and `logging.SQLite`
 * (issue 13 §3): upstream's keys, `mute` normalised. Absent or disabled sections are left out of the
 * result (so a config without them normalises as before). Pure.
 */
import type { Static, TSchema } from "typebox";
import type { CsvLogConfig, LogMute, MySqlLogConfig, SqliteLogConfig } from "./app-config.ts";
import { CsvLogSchema, MySqlLogSchema, SqliteLogSchema, type LogMuteSchema } from "./schema.ts";
import { checkSchema, isRecord, type Issue } from "./schema-walk.ts";
import { readEnabled } from "./validate-bus.ts";

/** The `logging` keys these builders handle. */
export const LOGGING_MODULE_KEYS = ["CSV", "MySQL", "SQLite"] as const;

/** The enabled logging modules of a `logging` section. */
export interface LoggingModules {
  csv?: CsvLogConfig;
  mysql?: MySqlLogConfig;
  sqlite?: SqliteLogConfig;
}

/** A module section: null when absent or disabled, "error" on an error (validate-modules' optionalModule, without its import). */
function section<S extends TSchema>(schema: S, raw: unknown, path: string, issues: Issue[]): Static<S> | null | "error" {
  const before = issues.length;
  if (!readEnabled(raw, path, false, issues)) return issues.slice(before).some((i) => i.severity === "error") ? "error" : null;
  return checkSchema(schema, { ...(isRecord(raw) ? raw : {}), enabled: true }, path, issues) ?? "error";
}

function mute(m: Static<typeof LogMuteSchema> | undefined): LogMute {
  return {
    chargeSessions: m?.ChargeSessions ?? false,
    greenEnergy: m?.GreenEnergy ?? false,
    slavePower: m?.SlavePower ?? false,
    slaveStatus: m?.SlaveStatus ?? false,
  };
}

/** Validates `logging.CSV`, `logging.MySQL` and `logging.SQLite` of the (object) `logging` section. */
export function buildLoggingModules(l: Record<string, unknown>, issues: Issue[]): LoggingModules | "error" {
  const csv = section(CsvLogSchema, l.CSV, "logging.CSV", issues);
  const mysql = section(MySqlLogSchema, l.MySQL, "logging.MySQL", issues);
  const sqlite = section(SqliteLogSchema, l.SQLite, "logging.SQLite", issues);
  if (csv === "error" || mysql === "error" || sqlite === "error") return "error";
  const out: LoggingModules = {};
  if (csv) out.csv = { path: csv.path, mute: mute(csv.mute) };
  if (mysql)
    out.mysql = {
      host: mysql.host,
      port: mysql.port,
      database: mysql.database,
      username: mysql.username,
      password: mysql.password,
      mute: mute(mysql.mute),
    };
  if (sqlite) out.sqlite = { path: sqlite.path ?? null, mute: mute(sqlite.mute) };
  return out;
}
