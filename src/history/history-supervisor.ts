/**
 * The product's history database (docs/decisions.md "History database on a full disk"). It opens
 * `<settingsPath>/twcmanager.db`; when that fails, or a statement fails because of the storage (full
 * disk, file size limit, failing device), the database is closed, what cannot hold history is removed
 * (history-files.ts), the product runs without history (reads empty, writes dropped) and opening is
 * retried every 5 minutes on the injected clock. Status changes feed the HISTORY_UNAVAILABLE alert.
 * I/O shell.
 */
import { join } from "node:path";
import type { Clock, TimerHandle } from "../shared/clock.ts";
import {
  nullHistoryStore,
  openHistoryFile,
  type ChargeSession,
  type FailureHook,
  type HistoryBucket,
  type HistoryLogger,
  type HistoryStore,
  type PartialBucket,
  type SessionEnd,
  type SessionEndReason,
} from "./history-db.ts";
import { errorCode, isStorageFailure, removeAfterClose } from "./history-files.ts";

/** Delay between attempts to open an unavailable database. */
export const HISTORY_RETRY_MS = 300_000;

/** Whether history is being stored. */
export type HistoryDbStatus = { available: true } | { available: false; reason: string; sinceMs: number };

/** Opens the database file or throws (history-db.ts openHistoryFile; tests inject failures). */
export type HistoryOpener = (filename: string, log: HistoryLogger, onFailure: FailureHook) => HistoryStore;

/** Options of SupervisedHistoryStore. */
export interface SupervisedHistoryOptions {
  filename: string;
  clock: Clock;
  log: HistoryLogger;
  /** Retry delay (default HISTORY_RETRY_MS). */
  retryMs?: number;
  open?: HistoryOpener;
}

/** The alert text of an unavailable database. Pure. */
export function historyUnavailableMessage(reason: string, retryMs: number = HISTORY_RETRY_MS): string {
  return `History database unavailable (${reason}): history and charge sessions are not recorded; retrying every ${Math.round(retryMs / 60_000)} min`;
}

const defaultOpener: HistoryOpener = (filename, log, onFailure) =>
  openHistoryFile(filename, log, { onFailure });

/** A HistoryStore that survives an unusable database file and reopens it later. */
export class SupervisedHistoryStore implements HistoryStore {
  private inner: HistoryStore = nullHistoryStore();
  /** Incremented whenever `inner` is replaced: failure reports of an older store are ignored. */
  private generation = 0;
  private current: HistoryDbStatus = { available: true };
  private timer: TimerHandle | null = null;
  private closed = false;
  private readonly listeners = new Set<(s: HistoryDbStatus) => void>();

  /** Opens the database at once (a failure is handled, never thrown). */
  constructor(private readonly o: SupervisedHistoryOptions) {
    this.tryOpen();
  }

  /** The current status. */
  status(): HistoryDbStatus {
    return this.current;
  }

  /** Subscribes to status changes; returns the unsubscribe function. */
  onStatus(cb: (s: HistoryDbStatus) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private get retryMs(): number {
    return this.o.retryMs ?? HISTORY_RETRY_MS;
  }

  private setStatus(s: HistoryDbStatus): void {
    if (s.available && this.current.available) return;
    this.current = s;
    for (const cb of this.listeners) {
      try {
        cb(s);
      } catch (err) {
        this.o.log.error({ code: "STORE_DATABASE", err }, "history status listener failed");
      }
    }
  }

  private tryOpen(): void {
    this.timer = null;
    if (this.closed) return;
    const gen = ++this.generation;
    const open = this.o.open ?? defaultOpener;
    try {
      this.inner = open(this.o.filename, this.o.log, (what, cause) => {
        if (gen === this.generation) this.storageFailed(what, cause);
      });
    } catch (cause) {
      this.unavailable("open", cause, (cause as { context?: { removed?: unknown } }).context?.removed ?? []);
      return;
    }
    if (!this.current.available) {
      this.o.log.info(
        { code: "HISTORY_AVAILABLE" },
        `history database ${this.o.filename} is available again`,
      );
    }
    this.setStatus({ available: true });
  }

  private storageFailed(what: string, cause: unknown): void {
    if (!isStorageFailure(cause)) return;
    const broken = this.inner;
    this.generation++;
    this.inner = nullHistoryStore();
    broken.close();
    this.unavailable(what, cause, removeAfterClose(this.o.filename));
  }

  private unavailable(what: string, cause: unknown, removed: unknown): void {
    this.inner = nullHistoryStore();
    const reason = errorCode(cause) ?? (cause instanceof Error ? cause.message : String(cause));
    const first = this.current.available;
    const msg = `history database ${this.o.filename}: ${what} failed (${reason}); running without history, retrying in ${Math.round(this.retryMs / 60_000)} min`;
    if (first) this.o.log.error({ code: "HISTORY_UNAVAILABLE", err: cause, removed }, msg);
    else this.o.log.warn({ code: "HISTORY_UNAVAILABLE", reason, removed }, msg);
    this.setStatus({
      available: false,
      reason,
      sinceMs: this.current.available ? this.o.clock.now() : this.current.sinceMs,
    });
    if (!this.closed && this.timer === null)
      this.timer = this.o.clock.setTimeout(() => this.tryOpen(), this.retryMs);
  }

  putBucket(b: HistoryBucket): void {
    this.inner.putBucket(b);
  }

  buckets(fromMs: number, toMs: number): HistoryBucket[] {
    return this.inner.buckets(fromMs, toMs);
  }

  openSession(twcId: string, startedAt: number, startKWh: number | null): number | null {
    return this.inner.openSession(twcId, startedAt, startKWh);
  }

  setSessionVin(id: number, vin: string): void {
    this.inner.setSessionVin(id, vin);
  }

  closeSession(id: number, end: SessionEnd): void {
    this.inner.closeSession(id, end);
  }

  setSessionEnergy(id: number, kWh: number): void {
    this.inner.setSessionEnergy(id, kWh);
  }

  putPartial(p: PartialBucket): void {
    this.inner.putPartial(p);
  }

  partial(): PartialBucket | null {
    return this.inner.partial();
  }

  clearPartial(): void {
    this.inner.clearPartial();
  }

  closeDangling(reason: SessionEndReason, endedAt: number | null): number {
    return this.inner.closeDangling(reason, endedAt);
  }

  recentSessions(limit: number): ChargeSession[] {
    return this.inner.recentSessions(limit);
  }

  prune(beforeMs: number): number {
    return this.inner.prune(beforeMs);
  }

  importLegacy(history: unknown): number | null {
    return this.inner.importLegacy(history);
  }

  /** Closes the database and stops retrying. */
  close(): void {
    this.closed = true;
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
    this.generation++;
    this.inner.close();
    this.inner = nullHistoryStore();
  }
}

/** The supervised `<settingsPath>/twcmanager.db` (the directory exists: the settings lock created it). */
export function openSupervisedHistoryDb(
  settingsPath: string,
  log: HistoryLogger,
  clock: Clock,
): SupervisedHistoryStore {
  return new SupervisedHistoryStore({ filename: join(settingsPath, "twcmanager.db"), log, clock });
}
