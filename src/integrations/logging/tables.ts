/**
 * TWCManager's logging tables (lib/TWCManager/Logging/MySQLLogging.py and its documented schema):
 * `charge_sessions`, `green_energy`, `slave_status`, their columns in upstream's order, and the row
 * of each event. The CSV files use the same columns; MySQL and SQLite create the tables when absent
 * (an existing table of an upstream install is used as it is). Pure.
 */
import { localDateTime, watts, type GreenEnergyEvent, type SessionStopEvent, type SlaveStatusEvent } from "./events.ts";

/** One cell of a row. */
export type Cell = string | number | null;

/** `charge_sessions` columns. */
export const CHARGE_SESSION_COLUMNS = ["chargeid", "startTime", "startkWh", "slaveTWC", "endTime", "endkWh", "vehicleVIN"] as const;
/** `green_energy` columns. */
export const GREEN_ENERGY_COLUMNS = ["time", "genW", "conW", "chgW"] as const;
/** `slave_status` columns. */
export const SLAVE_STATUS_COLUMNS = ["slaveTWC", "time", "kWh", "voltsPhaseA", "voltsPhaseB", "voltsPhaseC"] as const;

/** Upstream's DDL (docs/modules/Logging_MySQL.md), `IF NOT EXISTS`; valid for MySQL/MariaDB and SQLite. */
export const CREATE_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS charge_sessions (
  chargeid int,
  startTime datetime,
  startkWh int,
  slaveTWC varchar(4),
  endTime datetime,
  endkWh int,
  vehicleVIN varchar(17),
  primary key(startTime, slaveTWC)
)`,
  `CREATE TABLE IF NOT EXISTS green_energy (
  time datetime,
  genW DECIMAL(9,3),
  conW DECIMAL(9,3),
  chgW DECIMAL(9,3),
  primary key(time)
)`,
  `CREATE TABLE IF NOT EXISTS slave_status (
  slaveTWC varchar(4),
  time datetime,
  kWh int,
  voltsPhaseA int,
  voltsPhaseB int,
  voltsPhaseC int,
  primary key (slaveTWC, time)
)`,
];

/** A kWh figure as the int columns hold it. */
function kwh(v: number | null): number | null {
  return v === null ? null : Math.round(v);
}

/** The full `charge_sessions` row of a closed session. */
export function chargeSessionRow(ev: SessionStopEvent): Cell[] {
  return [ev.chargeId, localDateTime(ev.startMs), kwh(ev.startKWh), ev.twcId, localDateTime(ev.endMs), kwh(ev.endKWh), ev.vin];
}

/** The `green_energy` row. */
export function greenEnergyRow(ev: GreenEnergyEvent): Cell[] {
  return [localDateTime(ev.atMs), watts(ev.genW), watts(ev.conW), watts(ev.chgW)];
}

/** The `slave_status` row. */
export function slaveStatusRow(ev: SlaveStatusEvent): Cell[] {
  return [ev.twcId, localDateTime(ev.atMs), kwh(ev.kWh), Math.round(ev.volts[0]), Math.round(ev.volts[1]), Math.round(ev.volts[2])];
}
