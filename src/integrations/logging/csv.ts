/**
 * logging.CSV (issue 13 §3): TWCManager's CSV files in the configured directory —
 * `chargesessions.csv`, `greenenergy.csv`, `slavestatus.csv` — with the columns of TWCManager's
 * tables (tables.ts), a header line when a file is new or empty, times in local time. A charge session
 * is one row, written when it ends (a CSV row cannot be updated). Each row is appended with its own
 * open (so a file moved away by logrotate is simply created again).
 */
import { appendFile, mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { CsvLogConfig } from "../../config/app-config.ts";
import type { ModuleContext } from "../module.ts";
import type { LogEvent } from "./events.ts";
import { LoggingModule, type LogSink } from "./logging-module.ts";
import { CHARGE_SESSION_COLUMNS, GREEN_ENERGY_COLUMNS, SLAVE_STATUS_COLUMNS, chargeSessionRow, greenEnergyRow, slaveStatusRow, type Cell } from "./tables.ts";

/** The file of each table. */
export const CSV_FILES = {
  chargeSessions: "chargesessions.csv",
  greenEnergy: "greenenergy.csv",
  slaveStatus: "slavestatus.csv",
} as const;

/** One CSV field (RFC 4180 quoting when needed; null is empty). */
export function csvField(v: Cell): string {
  if (v === null) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line with its newline. */
export function csvLine(cells: readonly Cell[]): string {
  return `${cells.map(csvField).join(",")}\n`;
}

/** The file, header and row an event goes to, or null when CSV writes nothing for it. */
export function csvRecord(ev: LogEvent): { file: string; header: readonly string[]; row: readonly Cell[] } | null {
  switch (ev.kind) {
    case "sessionStop":
      return { file: CSV_FILES.chargeSessions, header: CHARGE_SESSION_COLUMNS, row: chargeSessionRow(ev) };
    case "greenEnergy":
      return { file: CSV_FILES.greenEnergy, header: GREEN_ENERGY_COLUMNS, row: greenEnergyRow(ev) };
    case "slaveStatus":
      return { file: CSV_FILES.slaveStatus, header: SLAVE_STATUS_COLUMNS, row: slaveStatusRow(ev) };
    case "sessionStart":
    case "sessionVin":
      return null;
  }
}

async function isEmpty(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw err;
  }
}

/** The CSV sink on directory `dir`. */
export function csvSink(dir: string): LogSink {
  return {
    async open() {
      try {
        await mkdir(dir, { recursive: true });
        if (!(await stat(dir)).isDirectory()) throw new Error("not a directory");
      } catch (err) {
        throw new Error(`logging.CSV.path ${dir} is not a usable directory: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    async write(ev) {
      const r = csvRecord(ev);
      if (r === null) return;
      const file = join(dir, r.file);
      const text = (await isEmpty(file)) ? csvLine(r.header) + csvLine(r.row) : csvLine(r.row);
      await appendFile(file, text, { encoding: "utf8", mode: 0o644 });
    },
    close: () => Promise.resolve(),
  };
}

/** Creates the logging.CSV module. */
export function createCsvLogger(cfg: CsvLogConfig, ctx: ModuleContext): LoggingModule {
  return new LoggingModule({ name: "logging.CSV", mute: cfg.mute, sink: csvSink(cfg.path) }, ctx);
}
