/**
 * The files of the history database (`twcmanager.db`, `-wal`, `-shm`) around failures
 * (docs/decisions.md "History database on a full disk"): what a failed open or a closed broken
 * database leaves behind is removed when it cannot hold history, so it never eats the room
 * settings.json needs. I/O shell (synchronous, like better-sqlite3).
 */
import { rmSync, statSync } from "node:fs";

/** Sizes of the database files before an open attempt (null: absent). */
export interface DbFiles {
  db: number | null;
  wal: number | null;
}

function size(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

function remove(path: string): boolean {
  try {
    rmSync(path, { force: true });
    return true;
  } catch {
    return false;
  }
}

/** The sizes of `<file>` and `<file>-wal` now. */
export function snapshotDbFiles(filename: string): DbFiles {
  return { db: size(filename), wal: size(`${filename}-wal`) };
}

/**
 * After a failed open (the connection is closed): `-shm` is an index rebuilt from the WAL and always
 * goes; `-wal` goes when it is empty or this attempt created it (it then holds only the schema of this
 * attempt); the database goes when it is empty or this attempt created it, and no WAL is kept beside
 * it. A WAL that existed before may hold committed history of the previous run and is kept. Returns the
 * paths removed.
 */
export function removeFailedOpenLeftovers(filename: string, before: DbFiles): string[] {
  const removed: string[] = [];
  const drop = (path: string): void => {
    if (size(path) !== null && remove(path)) removed.push(path);
  };
  drop(`${filename}-shm`);
  const wal = size(`${filename}-wal`);
  if (wal !== null && (wal === 0 || before.wal === null)) drop(`${filename}-wal`);
  const db = size(filename);
  const walKept = size(`${filename}-wal`) !== null;
  if (db !== null && !walKept && (db === 0 || before.db === null)) drop(filename);
  return removed;
}

/**
 * After closing a database whose writes failed: `-shm` goes; `-wal` only when empty (a WAL that SQLite
 * could not checkpoint holds committed history, and the database is not consistent without it).
 */
export function removeAfterClose(filename: string): string[] {
  const removed: string[] = [];
  if (size(`${filename}-shm`) !== null && remove(`${filename}-shm`)) removed.push(`${filename}-shm`);
  if (size(`${filename}-wal`) === 0 && remove(`${filename}-wal`)) removed.push(`${filename}-wal`);
  return removed;
}

/** The SQLite or errno code of an error (better-sqlite3 errors carry `code`, e.g. "SQLITE_FULL"). */
export function errorCode(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e !== null && typeof e === "object" && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code !== "STORE_DATABASE") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * True for failures of the storage itself (full disk, file size limit, quota, read-only or failing
 * device), after which the database is closed and reopened later. Pure.
 */
export function isStorageFailure(err: unknown): boolean {
  const code = errorCode(err);
  if (code === null) return false;
  return (
    ["ENOSPC", "EDQUOT", "EFBIG", "EROFS", "EIO", "SQLITE_FULL", "SQLITE_CANTOPEN"].includes(code) ||
    code.startsWith("SQLITE_IOERR") ||
    code.startsWith("SQLITE_READONLY")
  );
}
