/**
 * The module host (issue 9 §5): starts the modules the composition root created, in order, and stops
 * them in reverse order. A module whose `start()` throws, rejects or does not settle within the start
 * timeout, or that reports `ctx.fail(err)` later, is isolated: logged once per failure with the reason,
 * stopped (its `stop()` is timed out too), the MODULE_FAILED alert raised, and started again after a
 * back-off on the injected clock (backoff.ts). The alert is cleared once every module runs again.
 * Nothing a module does reaches the bus or the HTTP server: its calls run inside try/catch, and the
 * clock and state stream of its context are guarded (context.ts).
 *
 *   start ──▶ starting ──ok──▶ running ──fail()──┐
 *                 │ throw / reject / timeout      ▼
 *                 └──────────────────────────▶ failed ──stop(), back-off──▶ starting …
 */
import type { Clock, TimerHandle } from "../shared/clock.ts";
import { DEFAULT_BACKOFF, nextFailureCount, restartDelayMs, type BackoffOptions } from "./backoff.ts";
import { failureReason } from "./guard.ts";
import type { Module, ModuleLogger } from "./module.ts";

/** How long `start()` may take before the module counts as failed. */
export const START_TIMEOUT_MS = 10_000;
/** How long `stop()` may take before the host gives up waiting for it. */
export const STOP_TIMEOUT_MS = 5_000;

/** Where a module is in its life. */
export type ModuleRunState = "starting" | "running" | "failed" | "stopping" | "stopped";

/** One module as the host sees it (for display; not part of the state document). */
export interface ModuleStatus {
  name: string;
  state: ModuleRunState;
  /** The reason of the latest failure, null when it never failed. */
  lastError: string | null;
  /** Restarts after failures so far. */
  restarts: number;
  /** Epoch ms of the next restart while failed, else null. */
  retryAtMs: number | null;
}

/** Options of the host. */
export interface ModuleHostOptions {
  clock: Clock;
  logger: ModuleLogger;
  /** Raises (`on`) or clears the MODULE_FAILED alert with its message. */
  alert(on: boolean, message: string, atMs: number): void;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
}

interface Slot {
  readonly module: Module;
  state: ModuleRunState;
  /** Incremented at every start: the outcome of an older start is ignored. */
  attempt: number;
  /** Failed and not yet running again (feeds the alert). */
  down: boolean;
  failuresInRow: number;
  restarts: number;
  lastError: string | null;
  runningSinceMs: number | null;
  retryTimer: TimerHandle | null;
  retryAtMs: number | null;
  /** The stop() of a failed module, while it runs. */
  releasing: Promise<void> | null;
}

type Outcome = { kind: "ok" } | { kind: "error"; err: unknown } | { kind: "timeout" };

/** Starts, supervises and stops the integration modules. */
export class ModuleHost {
  private readonly slots: Slot[] = [];
  private readonly byName = new Map<string, Slot>();
  private readonly backoff: BackoffOptions;
  private closed = false;
  private stopping: Promise<void> | null = null;

  constructor(private readonly o: ModuleHostOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...o.backoff };
  }

  private get startTimeoutMs(): number {
    return this.o.startTimeoutMs ?? START_TIMEOUT_MS;
  }

  private get stopTimeoutMs(): number {
    return this.o.stopTimeoutMs ?? STOP_TIMEOUT_MS;
  }

  /**
   * Starts `modules` in order (each `start()` is called before this returns, so a synchronous start has
   * run); resolves when every first attempt has settled (running, failed or timed out). Never rejects.
   */
  start(modules: readonly Module[]): Promise<void> {
    const first: Promise<void>[] = [];
    for (const module of modules) {
      if (this.closed) break;
      if (this.byName.has(module.name)) {
        this.o.logger.error({ module: module.name, code: "MODULE_DUPLICATE" }, `module ${module.name} is configured twice; the second is not started`);
        continue;
      }
      const slot: Slot = {
        module,
        state: "stopped",
        attempt: 0,
        down: false,
        failuresInRow: 0,
        restarts: 0,
        lastError: null,
        runningSinceMs: null,
        retryTimer: null,
        retryAtMs: null,
        releasing: null,
      };
      this.slots.push(slot);
      this.byName.set(module.name, slot);
      first.push(this.launch(slot));
    }
    return Promise.all(first).then(() => undefined);
  }

  /** Reports a failure of a running (or starting) module; the same as its `ctx.fail(err)`. */
  fail(name: string, err: unknown): void {
    const slot = this.byName.get(name);
    if (!slot || (slot.state !== "starting" && slot.state !== "running")) {
      this.o.logger.debug({ module: name, reason: failureReason(err) }, `module ${name}: failure reported while not running (ignored)`);
      return;
    }
    this.failed(slot, slot.attempt, err);
  }

  /** Stops every module in reverse start order (each stop() timed out); retries are cancelled. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  /** Every module's state, in start order. */
  status(): ModuleStatus[] {
    return this.slots.map((s) => ({
      name: s.module.name,
      state: s.state,
      lastError: s.lastError,
      restarts: s.restarts,
      retryAtMs: s.retryAtMs,
    }));
  }

  private launch(slot: Slot): Promise<void> {
    const attempt = ++slot.attempt;
    slot.state = "starting";
    let result: void | Promise<void>;
    try {
      result = slot.module.start();
    } catch (err) {
      this.failed(slot, attempt, err);
      return Promise.resolve();
    }
    if (!isPromise(result)) {
      if (slot.attempt === attempt && slot.state === "starting") this.running(slot);
      return Promise.resolve();
    }
    return this.settle(result, this.startTimeoutMs).then((outcome) => {
      if (slot.attempt !== attempt || slot.state !== "starting") {
        if (outcome.kind === "ok") this.o.logger.debug({ module: slot.module.name }, `module ${slot.module.name}: a start given up on has finished late`);
        return;
      }
      if (outcome.kind === "ok") this.running(slot);
      else if (outcome.kind === "error") this.failed(slot, attempt, outcome.err);
      else this.failed(slot, attempt, new Error(`start did not finish within ${this.startTimeoutMs / 1000} s`));
    });
  }

  private running(slot: Slot): void {
    slot.state = "running";
    slot.runningSinceMs = this.o.clock.now();
    if (!slot.down) return;
    slot.down = false;
    this.o.logger.info(
      { module: slot.module.name, code: "MODULE_RECOVERED", restarts: slot.restarts },
      `module ${slot.module.name} is running again (after ${slot.restarts} restart${slot.restarts === 1 ? "" : "s"})`,
    );
    this.updateAlert();
  }

  private failed(slot: Slot, attempt: number, err: unknown): void {
    if (this.closed || slot.attempt !== attempt || (slot.state !== "starting" && slot.state !== "running")) return;
    const now = this.o.clock.now();
    const reason = failureReason(err);
    slot.failuresInRow = nextFailureCount(slot.failuresInRow, slot.runningSinceMs === null ? null : now - slot.runningSinceMs, this.backoff);
    slot.state = "failed";
    slot.down = true;
    slot.lastError = reason;
    slot.runningSinceMs = null;
    const delay = restartDelayMs(slot.failuresInRow, this.backoff);
    this.o.logger.error(
      { module: slot.module.name, code: "MODULE_FAILED", reason, restarts: slot.restarts, retryInMs: delay },
      `module ${slot.module.name} failed (${reason}); restarting in ${formatDelay(delay)}`,
    );
    this.updateAlert();
    slot.releasing = this.stopModule(slot).finally(() => {
      slot.releasing = null;
    });
    slot.retryAtMs = now + delay;
    slot.retryTimer = this.o.clock.setTimeout(() => void this.restart(slot, attempt), delay);
  }

  private async restart(slot: Slot, attempt: number): Promise<void> {
    slot.retryTimer = null;
    slot.retryAtMs = null;
    if (slot.releasing) await slot.releasing;
    if (this.closed || slot.attempt !== attempt || slot.state !== "failed") return;
    slot.restarts++;
    await this.launch(slot);
  }

  private updateAlert(): void {
    const down = this.slots.filter((s) => s.down);
    const list = down.map((s) => `${s.module.name} (${s.lastError ?? "unknown"})`).join("; ");
    const message =
      down.length === 1
        ? `Module ${list} failed; it is restarted with back-off`
        : `${down.length} modules failed: ${list}; they are restarted with back-off`;
    try {
      this.o.alert(down.length > 0, down.length > 0 ? message : "", this.o.clock.now());
    } catch (err) {
      this.o.logger.error({ err, code: "MODULE_FAILED" }, "raising the module alert failed");
    }
  }

  /** Calls stop(), never throws, gives up waiting after the stop timeout. */
  private async stopModule(slot: Slot): Promise<void> {
    const name = slot.module.name;
    let result: void | Promise<void>;
    try {
      result = slot.module.stop();
    } catch (err) {
      this.o.logger.warn({ module: name, reason: failureReason(err) }, `module ${name}: stop failed (${failureReason(err)})`);
      return;
    }
    if (!isPromise(result)) return;
    const outcome = await this.settle(result, this.stopTimeoutMs);
    if (outcome.kind === "error")
      this.o.logger.warn({ module: name, reason: failureReason(outcome.err) }, `module ${name}: stop failed (${failureReason(outcome.err)})`);
    else if (outcome.kind === "timeout")
      this.o.logger.warn({ module: name, code: "MODULE_STOP_TIMEOUT" }, `module ${name} did not stop within ${this.stopTimeoutMs / 1000} s; carrying on`);
  }

  private async stopAll(): Promise<void> {
    this.closed = true;
    for (const slot of this.slots) {
      if (slot.retryTimer) this.o.clock.clearTimeout(slot.retryTimer);
      slot.retryTimer = null;
      slot.retryAtMs = null;
    }
    for (const slot of [...this.slots].reverse()) {
      const wasActive = slot.state === "starting" || slot.state === "running";
      slot.state = "stopping";
      slot.attempt++;
      if (slot.releasing) await slot.releasing;
      else if (wasActive) await this.stopModule(slot);
      slot.state = "stopped";
    }
  }

  /** Waits for `p` at most `ms` on the clock. */
  private settle(p: Promise<void>, ms: number): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const timer = this.o.clock.setTimeout(() => resolve({ kind: "timeout" }), ms);
      p.then(
        () => {
          this.o.clock.clearTimeout(timer);
          resolve({ kind: "ok" });
        },
        (err: unknown) => {
          this.o.clock.clearTimeout(timer);
          resolve({ kind: "error", err });
        },
      );
    });
  }
}

/** True for a promise (or any thenable) returned by start()/stop(). */
function isPromise(v: void | Promise<void>): v is Promise<void> {
  return typeof (v as { then?: unknown } | undefined)?.then === "function";
}

/** "4 s", "2 min". */
function formatDelay(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 100) / 10} s`;
}
