/**
 * logging.MySQL (issue 13 §3): TWCManager's tables (tables.ts) in a MySQL or MariaDB database through
 * mysql2 (loaded only when this module is configured). Existing upstream tables are used as they are
 * (so dashboards keep working); missing ones are created. Statements as upstream's MySQLLogging.py: a
 * session row is inserted at its start, its VIN and end are updates (`WHERE chargeid AND slaveTWC`).
 * One connection, one statement at a time with a timeout; a lost connection fails the module, which
 * the host restarts with back-off (it reconnects then). The password is never logged.
 */
import type { Connection, ConnectionOptions, ResultSetHeader } from "mysql2/promise";
import type { MySqlLogConfig } from "../../config/app-config.ts";
import { redactText } from "../../shared/redact.ts";
import type { ModuleContext, ModuleLogger } from "../module.ts";
import { localDateTime } from "./events.ts";
import { LoggingModule, RowRejectedError, type LogSink } from "./logging-module.ts";
import { CREATE_TABLES, chargeSessionRow, greenEnergyRow, slaveStatusRow } from "./tables.ts";

/** Connect timeout (ms); below the host's start timeout. */
export const MYSQL_CONNECT_TIMEOUT_MS = 5000;
/** Timeout of one statement (ms); below the host's stop timeout. */
export const MYSQL_QUERY_TIMEOUT_MS = 4000;

/** mysql2's error fields we read. */
interface SqlError {
  code?: string;
  fatal?: boolean;
  message?: string;
}

/** True when the error is about the row (a constraint, bad data), not the connection: the row is dropped. */
export function isRowError(err: unknown): boolean {
  const e = err as SqlError;
  if (e.fatal === true) return false;
  return typeof e.code === "string" && /^(ER_DUP_|ER_DATA_|ER_TRUNCATED_|ER_BAD_NULL_|ER_WARN_DATA_|ER_NO_REFERENCED_ROW|ER_ROW_IS_REFERENCED|ER_CHECK_CONSTRAINT)/.test(e.code);
}

/** The mysql2 options of `cfg` (`multipleStatements` off, dates as strings, no local files). */
export function mysqlOptions(cfg: MySqlLogConfig): ConnectionOptions {
  return {
    host: cfg.host,
    port: cfg.port,
    user: cfg.username,
    password: cfg.password,
    database: cfg.database,
    connectTimeout: MYSQL_CONNECT_TIMEOUT_MS,
    dateStrings: true,
    multipleStatements: false,
    charset: "utf8mb4",
  };
}

/** A failure message without the password (mysql2 never puts it there; redacted anyway). */
function reason(err: unknown, password: string): string {
  let m = err instanceof Error ? err.message : String(err);
  if (password !== "") m = m.split(password).join("(hidden)");
  return redactText(m);
}

/** The MySQL sink of `cfg`. */
export function mysqlSink(cfg: MySqlLogConfig, logger: ModuleLogger): LogSink {
  let conn: Connection | null = null;
  /** The connection saw a fatal error: it is destroyed, not ended politely. */
  let broken = false;
  const where = `${cfg.username}@${cfg.host}:${cfg.port}/${cfg.database}`;
  const exec = async (sql: string, params: unknown[]): Promise<ResultSetHeader> => {
    if (!conn) throw new Error("logging.MySQL is not connected");
    try {
      const [r] = await conn.query<ResultSetHeader>({ sql, timeout: MYSQL_QUERY_TIMEOUT_MS }, params);
      return r;
    } catch (err) {
      if (isRowError(err)) throw new RowRejectedError(reason(err, cfg.password));
      if ((err as SqlError).fatal === true) broken = true;
      throw new Error(`${where}: ${reason(err, cfg.password)}`);
    }
  };
  return {
    async open(lost) {
      const mysql = await import("mysql2/promise");
      let c: Connection;
      try {
        c = await mysql.createConnection(mysqlOptions(cfg));
      } catch (err) {
        throw new Error(`cannot connect to ${where}: ${reason(err, cfg.password)}`);
      }
      c.on("error", (err: unknown) => {
        broken = true;
        lost(new Error(`${where}: ${reason(err, cfg.password)}`));
      });
      broken = false;
      conn = c;
      for (const ddl of CREATE_TABLES) {
        try {
          await exec(ddl, []);
        } catch (err) {
          // A user without CREATE rights on an upstream install whose tables exist: carry on.
          if ((err as SqlError).fatal === true || !conn) throw err;
          logger.warn({ reason: reason(err, cfg.password) }, `logging.MySQL: could not create a table (${reason(err, cfg.password)}); using the existing ones`);
        }
      }
      logger.info({ server: `${cfg.host}:${cfg.port}`, database: cfg.database }, `logging.MySQL: writing to ${where}`);
    },
    async write(ev) {
      switch (ev.kind) {
        case "sessionStart":
          await exec("INSERT IGNORE INTO charge_sessions (chargeid, startTime, startkWh, slaveTWC) VALUES (?, ?, ?, ?)", [
            ev.chargeId,
            localDateTime(ev.startMs),
            ev.startKWh === null ? null : Math.round(ev.startKWh),
            ev.twcId,
          ]);
          return;
        case "sessionVin":
          await exec("UPDATE charge_sessions SET vehicleVIN = ? WHERE chargeid = ? AND slaveTWC = ?", [ev.vin, ev.chargeId, ev.twcId]);
          return;
        case "sessionStop": {
          const row = chargeSessionRow(ev);
          const r = await exec("UPDATE charge_sessions SET endTime = ?, endkWh = ?, vehicleVIN = COALESCE(?, vehicleVIN) WHERE chargeid = ? AND slaveTWC = ?", [
            row[4],
            row[5],
            row[6],
            ev.chargeId,
            ev.twcId,
          ]);
          if (r.affectedRows === 0)
            await exec("INSERT IGNORE INTO charge_sessions (chargeid, startTime, startkWh, slaveTWC, endTime, endkWh, vehicleVIN) VALUES (?, ?, ?, ?, ?, ?, ?)", row);
          return;
        }
        case "greenEnergy":
          await exec("INSERT IGNORE INTO green_energy (time, genW, conW, chgW) VALUES (?, ?, ?, ?)", greenEnergyRow(ev));
          return;
        case "slaveStatus":
          await exec("INSERT IGNORE INTO slave_status (slaveTWC, time, kWh, voltsPhaseA, voltsPhaseB, voltsPhaseC) VALUES (?, ?, ?, ?, ?, ?)", slaveStatusRow(ev));
          return;
      }
    },
    async close() {
      const c = conn;
      conn = null;
      if (!c) return;
      c.removeAllListeners("error");
      c.on("error", () => undefined);
      if (broken) {
        c.destroy();
        return;
      }
      try {
        await c.end();
      } catch {
        c.destroy();
      }
    },
  };
}

/** Creates the logging.MySQL module. */
export function createMySqlLogger(cfg: MySqlLogConfig, ctx: ModuleContext): LoggingModule {
  return new LoggingModule({ name: "logging.MySQL", mute: cfg.mute, sink: mysqlSink(cfg, ctx.logger) }, ctx);
}
