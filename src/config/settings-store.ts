/**
 * settings.json persistence (config.md §2): load with recovery (corrupt file kept aside, .bak then the
 * legacy .backup tried), normalisation, debounced saves (at most one write per second) of the changes the
 * controller makes itself, immediate coalesced saves (`persist`) of the changes a user asked for
 * (docs/decisions.md "Save before answering"), and crash-safe atomic writes (tmp + fsync, old file to
 * .bak, rename, fsync of the directory). I/O shell.
 */
import { access, constants, copyFile, link, mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Clock, TimerHandle } from "../shared/clock.ts";
import { TwcError } from "../shared/errors.ts";
import { OrderedObject, orderedStringify } from "../shared/ordered-json.ts";
import { memberKeyOrder, orderedEntries } from "./json-key-order.ts";
import { normaliseSettings } from "./settings-normalise.ts";
import type { ConsumptionOffset, Settings } from "./settings-schema.ts";

/** The logging a store needs (a pino logger fits). */
export interface StoreLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** Options of SettingsStore.open. */
export interface SettingsStoreOptions {
  dir: string;
  clock: Clock;
  logger: StoreLogger;
  wiringMaxAmpsAllTWCs: number;
  /** Debounce window (default 1000 ms). */
  debounceMs?: number;
  /** Retry delay after a failed write (default 60000 ms). */
  retryMs?: number;
}

/** Store events: `change` after every effective update, `saved` after each write, `saveError` on failure. */
export interface SettingsStoreEvents {
  change: (settings: Readonly<Settings>, changedKeys: readonly string[]) => void;
  saved: () => void;
  saveError: (error: TwcError) => void;
}

type ReadResult =
    | { kind: "missing" }
  | { kind: "ok"; value: Record<string, unknown>; offsetOrder: string[] }
  | { kind: "corrupt"; reason: string };

/** The settings key whose member order is kept (http-api.md §6.6: insertion order). */
const OFFSETS = "consumptionOffset";

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

async function readJsonObject(path: string): Promise<ReadResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if (errnoOf(e) === "ENOENT") return { kind: "missing" };
    throw new TwcError({
      code: "STORE_SETTINGS_WRITE",
      message: `cannot read ${path}: ${errnoOf(e) ?? String(e)}`,
      cause: e,
      context: { errno: errnoOf(e), path },
    });
  }
  try {
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const v: unknown = JSON.parse(body);
    if (typeof v !== "object" || v === null || Array.isArray(v))
      return { kind: "corrupt", reason: "not a JSON object" };
    return { kind: "ok", value: v as Record<string, unknown>, offsetOrder: memberKeyOrder(body, OFFSETS) };
  } catch (e) {
    return { kind: "corrupt", reason: e instanceof Error ? e.message : String(e) };
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** YYYYMMDDHHMMSS (UTC) of an epoch-milliseconds time. */
export function compactTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

function sameJson(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Persistent, debounced, crash-safe settings.json. */
export class SettingsStore {
  /** Path of settings.json. */
  readonly path: string;
  /** True when settings.json was corrupt at start-up (recovered from a backup, or reset to defaults). */
  readonly recovered: boolean;
  /** The backup file used for recovery, if any. */
  readonly recoveredFrom: string | null;
  /** Warnings of loading and normalisation. */
  readonly loadWarnings: readonly string[];
  /** True while the last write failed. */
  saveFailed = false;
  /** Number of failed writes since start. */
  failureCount = 0;
  /** Number of successful writes since start. */
  writeCount = 0;

  private current: Settings;
  /** Names of settings.consumptionOffset in insertion order (JavaScript objects reorder integer-like keys). */
  private offsetOrder: string[];
  private dirty = false;
  private timer: TimerHandle | null = null;
  /** True when the pending timer is the 60 s retry (a change replaces it with the 1 s debounce). */
  private retryPending = false;
  /** The write running now (its content was taken when it started). */
  private inFlight: Promise<void> | null = null;
  /** The one write queued behind `inFlight`; every caller arriving meanwhile shares it. */
  private followUp: Promise<void> | null = null;
  private closed = false;
  private readonly listeners: { [K in keyof SettingsStoreEvents]: Set<SettingsStoreEvents[K]> } = {
    change: new Set(),
    saved: new Set(),
    saveError: new Set(),
  };

  private constructor(
    private readonly dir: string,
    private readonly opts: SettingsStoreOptions,
    initial: Settings,
    recovery: { recovered: boolean; from: string | null; warnings: string[] },
    offsetOrder: readonly string[],
  ) {
    this.path = join(dir, "settings.json");
    this.current = initial;
    this.offsetOrder = [...offsetOrder];
    this.recovered = recovery.recovered;
    this.recoveredFrom = recovery.from;
    this.loadWarnings = recovery.warnings;
  }

  /** Creates the directory (0750) when missing, loads settings.json with recovery, normalises. */
  static async open(opts: SettingsStoreOptions): Promise<SettingsStore> {
    const { dir, logger, clock } = opts;
    try {
      await mkdir(dir, { recursive: true, mode: 0o750 });
      await access(dir, constants.W_OK);
    } catch (e) {
      throw new TwcError({
        code: "STORE_SETTINGS_WRITE",
        message: `settings directory ${dir} is not writable: ${errnoOf(e) ?? String(e)}`,
        cause: e,
        context: { errno: errnoOf(e), path: dir },
      });
    }
    const path = join(dir, "settings.json");
    const warnings: string[] = [];
    let raw: Record<string, unknown> | undefined;
    let offsetOrder: string[] = [];
    let recovered = false;
    let from: string | null = null;
    const main = await readJsonObject(path);
    if (main.kind === "ok") {
      raw = main.value;
      offsetOrder = main.offsetOrder;
    } else if (main.kind === "corrupt") {
      recovered = true;
      const stamp = `${path}.corrupt-${compactTimestamp(clock.now())}`;
      let kept = stamp;
      for (let n = 1; await exists(kept); n++) kept = `${stamp}-${n}`;
      try {
        await rename(path, kept);
      } catch (e) {
        throw new TwcError({
          code: "STORE_SETTINGS_WRITE",
          message: `cannot keep the corrupt ${path} as ${kept}: ${errnoOf(e) ?? String(e)}`,
          cause: e,
          context: { errno: errnoOf(e), path },
        });
      }
      warnings.push(`settings.json is corrupt (${main.reason}); kept as ${kept}`);
      for (const candidate of [`${path}.bak`, `${path}.backup`]) {
        const r = await readJsonObject(candidate);
        if (r.kind === "ok") {
          raw = r.value;
          offsetOrder = r.offsetOrder;
          from = candidate;
          warnings.push(`settings recovered from ${candidate}`);
          break;
        }
      }
      if (from === null) warnings.push("no usable settings backup; starting from defaults");
    }
    const norm = normaliseSettings(raw, opts.wiringMaxAmpsAllTWCs);
    warnings.push(...norm.warnings);
    for (const w of warnings)
      logger.warn({ module: "settings", code: recovered ? "SETTINGS_RECOVERED" : undefined }, w);
    const store = new SettingsStore(dir, opts, norm.settings, { recovered, from, warnings }, offsetOrder);
    if (recovered) store.markDirty();
    return store;
  }

  /** The current settings (do not mutate; use update). */
  get(): Readonly<Settings> {
    return this.current;
  }

  /** The named consumption offsets in insertion order (a replaced offset keeps its place). */
  offsetEntries(): [string, ConsumptionOffset][] {
    return orderedEntries(this.current.consumptionOffset, this.offsetOrder);
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof SettingsStoreEvents>(event: K, cb: SettingsStoreEvents[K]): () => void {
    this.listeners[event].add(cb);
    return () => this.listeners[event].delete(cb);
  }

  /** Applies a patch (undefined deletes a key), emits `change` and schedules a debounced save. */
  update(patch: Readonly<Record<string, unknown>>): void {
    const next: Record<string, unknown> = { ...this.current };
    const changed: string[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) {
        if (Object.hasOwn(next, k)) {
          delete next[k];
          changed.push(k);
        }
      } else if (!Object.hasOwn(next, k) || !sameJson(next[k], v)) {
        Object.defineProperty(next, k, {
          value: structuredClone(v),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        changed.push(k);
      }
    }
    if (changed.length === 0) return;
    this.current = next as Settings;
    // Kept names stay in place, new ones go last (in the order the patch lists them).
    if (changed.includes(OFFSETS)) this.offsetOrder = this.offsetEntries().map(([name]) => name);
    this.markDirty();
    this.emit("change", (cb) => cb(this.current, changed));
  }

  /** Writes immediately and waits; rejects with TwcError STORE_SETTINGS_WRITE (context.errno) on failure. */
  saveNow(): Promise<void> {
    this.cancelTimer();
    return this.requestWrite();
  }

  /**
   * Resolves once every change made so far is on disk, writing at once when needed (no debounce);
   * callers arriving while a write runs share one follow-up write. Rejects with TwcError
   * STORE_SETTINGS_WRITE on failure (the change stays in effect and is retried like any failed save).
   */
  persist(): Promise<void> {
    if (this.followUp) return this.followUp;
    if (!this.dirty) return this.inFlight ?? Promise.resolve();
    this.cancelTimer();
    return this.requestWrite();
  }

  /** Resolves when no write is in progress. */
  async whenIdle(): Promise<void> {
    while (this.inFlight ?? this.followUp) await (this.followUp ?? this.inFlight)?.catch(() => undefined);
  }

  /** Flushes pending changes and stops scheduling writes. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelTimer();
    if (this.dirty) await this.requestWrite();
    await this.whenIdle();
  }

  private emit<K extends keyof SettingsStoreEvents>(
    event: K,
    call: (cb: SettingsStoreEvents[K]) => void,
  ): void {
    for (const cb of this.listeners[event]) {
      try {
        call(cb);
      } catch (e) {
        this.opts.logger.error({ module: "settings", err: e }, `settings ${event} listener failed`);
      }
    }
  }

  private markDirty(): void {
    this.dirty = true;
    if (this.closed) return;
    this.schedule(this.opts.debounceMs ?? 1000, true);
  }

  private schedule(ms: number, replaceRetry: boolean): void {
    if (this.timer !== null) {
      if (!replaceRetry || !this.retryPending) return;
      this.cancelTimer();
    }
    this.retryPending = !replaceRetry;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = null;
      this.retryPending = false;
      if (this.dirty) this.requestWrite().catch(() => undefined);
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.opts.clock.clearTimeout(this.timer);
    this.timer = null;
    this.retryPending = false;
  }

  /** Starts a write now, or shares the one write queued behind the write in progress. */
  private requestWrite(): Promise<void> {
    if (this.followUp) return this.followUp;
    if (!this.inFlight) return this.startWrite();
    const next = this.inFlight
      .catch(() => undefined)
      .then(() => {
        this.followUp = null;
        return this.startWrite();
      });
    this.followUp = next;
    return next;
  }

  private startWrite(): Promise<void> {
    const run: Promise<void> = this.writeOnce().finally(() => {
      if (this.inFlight === run) this.inFlight = null;
    });
    this.inFlight = run;
    return run;
  }

  private async writeOnce(): Promise<void> {
    const doc = { ...this.current, [OFFSETS]: new OrderedObject(this.offsetEntries()) };
    const content = `${orderedStringify(doc, 2)}\n`;
    this.dirty = false;
    try {
      await this.atomicWrite(content);
    } catch (e) {
      this.dirty = true;
      this.saveFailed = true;
      this.failureCount++;
      const err = new TwcError({
        code: "STORE_SETTINGS_WRITE",
        message: `cannot save ${this.path}: ${errnoOf(e) ?? String(e)}`,
        cause: e,
        context: { errno: errnoOf(e), path: this.path },
      });
      this.opts.logger.error(
        { module: "settings", code: "SETTINGS_SAVE_FAILED", errno: errnoOf(e), failures: this.failureCount },
        err.message,
      );
      if (!this.closed) this.schedule(this.opts.retryMs ?? 60_000, false);
      this.emit("saveError", (cb) => cb(err));
      throw err;
    }
    this.writeCount++;
    this.saveFailed = false;
    this.emit("saved", (cb) => cb());
  }

  private async atomicWrite(content: string): Promise<void> {
    const tmp = `${this.path}.tmp`;
    let mode = 0o600;
    let existed = false;
    try {
      mode = (await stat(this.path)).mode & 0o7777;
      existed = true;
    } catch (e) {
      if (errnoOf(e) !== "ENOENT") throw e;
    }
    try {
      await rm(tmp, { force: true });
      const fh = await open(tmp, "wx", mode);
      try {
        await fh.chmod(mode);
        await fh.writeFile(content, "utf8");
        await fh.sync();
      } finally {
        await fh.close();
      }
      if (existed) await this.replaceBackup();
      await rename(tmp, this.path);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    }
    await fsyncPath(this.dir).catch(() => undefined);
  }

  private async replaceBackup(): Promise<void> {
    const bak = `${this.path}.bak`;
    await rm(bak, { force: true });
    try {
      await link(this.path, bak);
    } catch {
      await copyFile(this.path, bak);
    }
    await fsyncPath(bak);
  }
}
