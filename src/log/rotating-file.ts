/**
 * The FileLogger's file (config.md §3.8, issue 13 §2): lines appended to `<path>/twcmanager.log`,
 * rotated like TWCManager's TimedRotatingFileHandler (hourly by default, the old file renamed to
 * `twcmanager.log.YYYY-MM-DD_HH` — `twcmanager.log.YYYY-MM-DD` when daily — at most `backupCount`
 * kept) and reopened on SIGHUP after an external rotation (logrotate). The period is taken from the
 * time of each line, so tests rotate on a fake clock. Writes are synchronous, as upstream's are: a line
 * is in the file when the call returns, and nothing is lost at exit. A failing disk never throws into
 * the caller: `onError` hears about it once until a write succeeds again.
 */
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync, existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { toLocalTime } from "../policy/local-time.ts";

/** When the file is rotated: every hour (upstream's `when: "H"`), every day at midnight, or never. */
export type RotateWhen = "H" | "midnight" | "never";

/** Options of a RotatingFile. */
export interface RotatingFileOptions {
  /** The file (`<path>/twcmanager.log`). */
  file: string;
  when: RotateWhen;
  /** Rotated files kept (the oldest beyond are deleted); at least 1. */
  backupCount: number;
  /** Epoch ms now (the period of a new file). */
  nowMs: number;
  /** IANA zone of the periods (default: the process's zone, as upstream's local time). */
  timeZone?: string;
  /** Told once per failure streak (a full disk, a removed folder). */
  onError?: (message: string) => void;
}

const pad = (n: number): string => String(n).padStart(2, "0");

/** The suffix of the period that contains `ms`: `%Y-%m-%d_%H` (hourly) or `%Y-%m-%d` (daily), as upstream. */
export function periodSuffix(ms: number, when: Exclude<RotateWhen, "never">, timeZone?: string): string {
  const t = toLocalTime(ms, timeZone);
  const day = `${String(t.year).padStart(4, "0")}-${pad(t.mon)}-${pad(t.mday)}`;
  return when === "H" ? `${day}_${pad(t.hour)}` : day;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The rotated files of `base` among `names`, oldest first (`base.2026-12-02_18`, `base.2026-12-02_18.1`, …). */
export function rotatedFiles(names: readonly string[], base: string): string[] {
  const re = new RegExp(`^${escape(base)}\\.\\d{4}-\\d{2}-\\d{2}(?:_\\d{2})?(?:\\.(\\d+))?$`);
  const order = (n: string): [string, number] => {
    const m = /^(.*?)(?:\.(\d+))?$/.exec(n.slice(base.length + 1));
    return [m?.[1] ?? "", Number(m?.[2] ?? 0)];
  };
  return names
    .filter((n) => re.test(n))
    .sort((a, b) => {
      const [pa, na] = order(a);
      const [pb, nb] = order(b);
      return pa < pb ? -1 : pa > pb ? 1 : na - nb;
    });
}

/** The rotated files to delete so that `keep` remain (the oldest). */
export function surplusBackups(names: readonly string[], base: string, keep: number): string[] {
  const all = rotatedFiles(names, base);
  return all.slice(0, Math.max(0, all.length - Math.max(1, keep)));
}

/** An appended, rotated, reopenable log file. */
export class RotatingFile {
  private fd: number | null = null;
  private period: string | null = null;
  private failing = false;
  private closed = false;

  constructor(private readonly o: RotatingFileOptions) {
    this.open(o.nowMs, true);
  }

  /** The file's path. */
  get path(): string {
    return this.o.file;
  }

  /** Appends one line (with its newline) written at `atMs`, rotating first when its period began. */
  write(line: string, atMs: number): void {
    if (this.closed) return;
    if (this.o.when !== "never") {
      const p = periodSuffix(atMs, this.o.when, this.o.timeZone);
      if (this.period !== null && p !== this.period) this.rotate(atMs);
    }
    if (this.fd === null) this.open(atMs, false);
    if (this.fd === null) return;
    try {
      writeSync(this.fd, line);
      this.failing = false;
    } catch (err) {
      this.fail(`writing ${this.o.file} failed: ${(err as Error).message}`);
    }
  }

  /** Closes and opens the path again (SIGHUP: after logrotate renamed the file, later lines go to a new one). */
  reopen(nowMs: number): void {
    if (this.closed) return;
    this.closeFd();
    this.open(nowMs, true);
  }

  /** Renames the file to its period's name, opens a new one and deletes the surplus rotated files. */
  rotate(nowMs: number): void {
    const old = this.period;
    this.closeFd();
    if (old !== null && existsSync(this.o.file)) {
      let target = `${this.o.file}.${old}`;
      for (let i = 1; existsSync(target); i++) target = `${this.o.file}.${old}.${i}`;
      try {
        renameSync(this.o.file, target);
      } catch (err) {
        this.fail(`rotating ${this.o.file} failed: ${(err as Error).message}`);
      }
    }
    this.open(nowMs, false);
    this.prune();
  }

  /** Closes the file for good: later lines are dropped. */
  close(): void {
    this.closed = true;
    this.closeFd();
  }

  private open(nowMs: number, useMtime: boolean): void {
    try {
      mkdirSync(dirname(this.o.file), { recursive: true });
      let since = nowMs;
      if (useMtime) {
        // Like upstream: an existing file belongs to the period of its last write.
        const st = existsSync(this.o.file) ? statSync(this.o.file) : null;
        if (st && st.size > 0) since = st.mtimeMs;
      }
      this.fd = openSync(this.o.file, "a", 0o640);
      this.period = this.o.when === "never" ? null : periodSuffix(since, this.o.when, this.o.timeZone);
    } catch (err) {
      this.fd = null;
      this.fail(`opening ${this.o.file} failed: ${(err as Error).message}`);
    }
  }

  private prune(): void {
    const dir = dirname(this.o.file);
    try {
      for (const name of surplusBackups(readdirSync(dir), basename(this.o.file), this.o.backupCount)) unlinkSync(join(dir, name));
    } catch (err) {
      this.fail(`deleting old log files in ${dir} failed: ${(err as Error).message}`);
    }
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // Already gone: nothing to flush (writes are synchronous).
    }
    this.fd = null;
  }

  private fail(message: string): void {
    if (this.failing) return;
    this.failing = true;
    this.o.onError?.(message);
  }
}
