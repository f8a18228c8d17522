/**
 * History recorder (controller.md §13, §22): keeps per-slave running means of `reportedAmpsActual`
 * (one sample per accepted heartbeat) and the mean generation/consumption of the current 5-minute
 * bucket; at every 5-minute wall-clock boundary of the injected clock it stores
 * `chargerW = A→W(Σ means) × rpf` and the energy means for the bucket that ended, then resets them.
 * It also records charge sessions from the controller's "session" events (their energy integrated from
 * the power between the counter's steps, energy-integrator.ts, and who ended them, stop-cause.ts) and
 * prunes old data daily. The running sums of the current bucket are kept in the store, so a restart
 * inside a bucket continues it instead of losing it.
 */
import { twcIdHex, type TwcId } from "../protocol/frames.ts";
import { every, type Clock, type TimerHandle } from "../shared/clock.ts";
import {
  BUCKET_MS,
  fillSeries,
  floorBucket,
  type ChargeSession,
  type HistoryLogger,
  type HistoryPoint,
  type HistoryReader,
  type HistoryStore,
  type PartialBucket,
} from "./history-db.ts";
import { sampleCounter, samplePower, startEnergy, type EnergyState } from "./energy-integrator.ts";
import { stopCause, type StopVia } from "./stop-cause.ts";
import type { SessionEvent } from "../bus/effects.ts";
import type { Module } from "../integrations/module.ts";

/** How often generation/consumption are sampled for the bucket means. */
export const ENERGY_SAMPLE_MS = 10_000;
/** How often old data is pruned. */
export const PRUNE_INTERVAL_MS = 86_400_000;
/** How often the running bucket and the energy of open sessions are saved (a crash loses at most this). */
export const PARTIAL_SAVE_MS = 60_000;

/** What the recorder reads from a slave. */
export interface SlaveSample {
  readonly id: TwcId;
  /** Epoch ms of the last slave heartbeat (SlaveState.lastHeartbeatAtMs). */
  readonly lastHeartbeatAtMs: number | null;
  readonly reportedAmpsActual: number;
  /** The charger's lifetime counter (kWh) when `lifetimeKnown`. */
  readonly lifetimeKWh?: number;
  readonly lifetimeKnown?: boolean;
  /** When the counter was last reported (SlaveState.kwhTrack.atMs). */
  readonly kwhTrack?: { readonly atMs: number | null };
  /** The last offer (A; −1 before the first) and the lowest a car accepts here (A). */
  readonly lastAmpsOffered?: number;
  readonly minAmpsTWCSupports?: number;
  /** The controller sent its own stop command (start-stop.ts). */
  readonly stoppedByUs?: boolean;
}

/** The controller events the recorder listens to (BusController satisfies it). */
export interface RecorderSource {
  slaves(): readonly SlaveSample[];
  on(event: "change", listener: () => void): unknown;
  on(event: "session", listener: (ev: SessionEvent) => void): unknown;
  off(event: "change", listener: () => void): unknown;
  off(event: "session", listener: (ev: SessionEvent) => void): unknown;
}

/** Generation and consumption (W, after offsets) when a fresh reading exists. */
export interface EnergySample {
  generationW: number;
  consumptionW: number;
}

/** Constructor options. */
export interface HistoryRecorderOptions {
  clock: Clock;
  store: HistoryStore;
  source: RecorderSource;
  /** `A→W(amps) × rpf(amps)` for a total of amps (controller.md §17.2). */
  toWatts(amps: number): number;
  /** The current energy figures, or null when no source has a fresh reading. */
  energy(): EnergySample | null;
  /** config.historyRetentionDays. */
  retentionDays: number;
  logger: HistoryLogger;
}

interface Mean {
  sum: number;
  n: number;
  lastHeartbeatAt: number | null;
}

/** An open session: its row, the energy integrator and what it last sampled. */
interface OpenSession {
  id: number;
  startedAt: number;
  energy: EnergyState;
  powerSamples: number;
  lastHeartbeatAt: number | null;
  lastCounterAt: number | null;
  lastCounter: number | null;
}

/** Records history buckets and sessions; also the HistoryReader of the HTTP layer. */
export class HistoryRecorder implements HistoryReader, Module {
  /** Its module name (integrations/registry.ts). */
  readonly name = "history";
  private readonly means = new Map<number, Mean>();
  private gen = 0;
  private cons = 0;
  private energyN = 0;
  private bucketStart = 0;
  private boundaryTimer: TimerHandle | null = null;
  private stopTimers: (() => void)[] = [];
  private readonly openSessions = new Map<number, OpenSession>();
  /** The last user stop command per charger (key −1: every charger). */
  private readonly userStops = new Map<number, { atMs: number; via: StopVia }>();
  private running = false;
  private readonly onChange = (): void => this.sampleAmps();
  private readonly onSession = (ev: SessionEvent): void => this.session(ev);

  constructor(private readonly o: HistoryRecorderOptions) {}

  /** Subscribes to the controller and arms the boundary, energy and prune timers. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const now = this.o.clock.now();
    this.bucketStart = floorBucket(now);
    this.restorePartial();
    const dangling = this.o.store.closeDangling("shutdown", null);
    if (dangling > 0)
      this.o.logger.warn(
        { code: "SESSION_DANGLING", count: dangling },
        `${dangling} charge session(s) left open by the previous run marked as ended`,
      );
    this.o.source.on("change", this.onChange);
    this.o.source.on("session", this.onSession);
    this.prune();
    this.stopTimers.push(every(this.o.clock, ENERGY_SAMPLE_MS, () => this.sampleEnergy()));
    this.stopTimers.push(every(this.o.clock, PRUNE_INTERVAL_MS, () => this.prune()));
    this.stopTimers.push(every(this.o.clock, PARTIAL_SAVE_MS, () => this.savePartial()));
    this.armBoundary();
  }

  /** Stops the timers and stores the partial current bucket (call after the controller closed its sessions). */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    for (const s of this.stopTimers) s();
    this.stopTimers = [];
    if (this.boundaryTimer) this.o.clock.clearTimeout(this.boundaryTimer);
    this.boundaryTimer = null;
    this.o.source.off("change", this.onChange);
    this.o.source.off("session", this.onSession);
    this.o.store.putBucket(this.liveBucket());
    this.savePartial();
  }

  /**
   * A user's stop command (`twcId` null: every charger), `via` the web interface / HTTP API or MQTT:
   * a session ending soon after it is recorded as stopped by that user.
   */
  noteUserStop(via: StopVia, twcId: number | null): void {
    this.userStops.set(twcId ?? -1, { atMs: this.o.clock.now(), via });
  }

  /** The running sums of the current bucket (what a restart inside it continues from). */
  partialBucket(): PartialBucket {
    return {
      startMs: this.bucketStart,
      amps: [...this.means].map(([id, m]) => [id, m.sum, m.n]),
      genSum: this.gen,
      consSum: this.cons,
      energyN: this.energyN,
    };
  }

  /** Continues the bucket a previous run saved, or stores it when that bucket is over (after a crash). */
  private restorePartial(): void {
    const p = this.o.store.partial();
    if (!p) return;
    if (p.startMs === this.bucketStart) {
      for (const [id, sum, n] of p.amps) this.means.set(id, { sum, n, lastHeartbeatAt: null });
      this.gen = p.genSum;
      this.cons = p.consSum;
      this.energyN = p.energyN;
      return;
    }
    // The saved sums are never older than a stored row of their bucket (both are written at stop;
    // the sums are dropped once the boundary stores the bucket): they win.
    if (p.startMs < this.bucketStart) this.o.store.putBucket(this.bucketOf(p));
    this.o.store.clearPartial();
  }

  private savePartial(): void {
    this.o.store.putPartial(this.partialBucket());
    for (const s of this.openSessions.values()) {
      if (s.powerSamples > 0) this.o.store.setSessionEnergy(s.id, s.energy.kWh);
    }
  }

  /** Σ of the per-slave running means (A). */
  meanAmps(): number {
    let total = 0;
    for (const m of this.means.values()) if (m.n > 0) total += m.sum / m.n;
    return total;
  }

  /** The current (not yet stored) bucket from the live running means. */
  liveBucket(): HistoryPoint {
    return this.bucketOf(this.partialBucket());
  }

  private bucketOf(p: PartialBucket): HistoryPoint {
    let amps = 0;
    for (const [, sum, n] of p.amps) if (n > 0) amps += sum / n;
    const w = amps > 0 ? this.o.toWatts(amps) : 0;
    return {
      startMs: p.startMs,
      chargerW: Number.isFinite(w) ? Math.max(0, Math.round(w)) : 0,
      generationW: p.energyN > 0 ? Math.round(p.genSum / p.energyN) : null,
      consumptionW: p.energyN > 0 ? Math.round(p.consSum / p.energyN) : null,
    };
  }

  /** HistoryReader: stored buckets, zero-filled, the last one live. */
  series(nowMs: number, count: number): HistoryPoint[] {
    const cur = floorBucket(nowMs);
    const first = cur - (count - 1) * BUCKET_MS;
    const points = fillSeries(this.o.store.buckets(first, cur + BUCKET_MS), first, count);
    if (points.length > 0) points[points.length - 1] = { ...this.liveBucket(), startMs: cur };
    return points;
  }

  /** HistoryReader: recent sessions, newest first. */
  sessions(limit: number): ChargeSession[] {
    return this.o.store.recentSessions(limit);
  }

  private armBoundary(): void {
    const now = this.o.clock.now();
    const next = floorBucket(now) + BUCKET_MS;
    this.boundaryTimer = this.o.clock.setTimeout(() => this.boundary(), next - now);
  }

  private boundary(): void {
    this.boundaryTimer = null;
    if (!this.running) return;
    const now = this.o.clock.now();
    if (floorBucket(now) > this.bucketStart) {
      this.sampleAmps();
      this.o.store.putBucket(this.liveBucket());
      this.reset(floorBucket(now));
      this.o.store.clearPartial();
    }
    this.armBoundary();
  }

  private reset(start: number): void {
    this.bucketStart = start;
    const present = new Set(this.o.source.slaves().map((s) => s.id as number));
    for (const [id, m] of this.means) {
      if (!present.has(id)) this.means.delete(id);
      else this.means.set(id, { sum: 0, n: 0, lastHeartbeatAt: m.lastHeartbeatAt });
    }
    this.gen = 0;
    this.cons = 0;
    this.energyN = 0;
  }

  private sampleAmps(): void {
    for (const s of this.o.source.slaves()) {
      this.sampleSession(s);
      const m = this.means.get(s.id);
      if (s.lastHeartbeatAtMs === null || m?.lastHeartbeatAt === s.lastHeartbeatAtMs) continue;
      const a = Number.isFinite(s.reportedAmpsActual) ? s.reportedAmpsActual : 0;
      this.means.set(s.id, {
        sum: (m?.sum ?? 0) + a,
        n: (m?.n ?? 0) + 1,
        lastHeartbeatAt: s.lastHeartbeatAtMs,
      });
    }
  }

  /** Feeds a new heartbeat's power and a fresh counter report to the slave's open session. */
  private sampleSession(s: SlaveSample): void {
    const open = this.openSessions.get(s.id);
    if (!open) return;
    if (s.lastHeartbeatAtMs !== null && s.lastHeartbeatAtMs !== open.lastHeartbeatAt) {
      open.lastHeartbeatAt = s.lastHeartbeatAtMs;
      const a = Number.isFinite(s.reportedAmpsActual) ? Math.max(0, s.reportedAmpsActual) : 0;
      const w = a > 0 ? this.o.toWatts(a) : 0;
      open.energy = samplePower(open.energy, s.lastHeartbeatAtMs, Number.isFinite(w) ? w : 0);
      open.powerSamples++;
    }
    if (s.lifetimeKnown === true && s.lifetimeKWh !== undefined) {
      const at = s.kwhTrack?.atMs ?? null;
      const fresh = at !== null ? at !== open.lastCounterAt : s.lifetimeKWh !== open.lastCounter;
      if (fresh) {
        open.lastCounterAt = at;
        open.lastCounter = s.lifetimeKWh;
        open.energy = sampleCounter(open.energy, s.lifetimeKWh);
      }
    }
  }

  private sampleEnergy(): void {
    let e: EnergySample | null;
    try {
      e = this.o.energy();
    } catch (err) {
      this.o.logger.warn({ code: "HISTORY_ENERGY_SAMPLE", err }, "energy sample for history failed");
      return;
    }
    if (!e || !Number.isFinite(e.generationW) || !Number.isFinite(e.consumptionW)) return;
    this.gen += e.generationW;
    this.cons += e.consumptionW;
    this.energyN++;
  }

  private prune(): void {
    const days = Math.max(1, this.o.retentionDays);
    const removed = this.o.store.prune(this.o.clock.now() - days * 86_400_000);
    if (removed > 0)
      this.o.logger.info({ code: "HISTORY_PRUNED", removed }, `history: ${removed} old row(s) pruned`);
  }

  private session(ev: SessionEvent): void {
    const key = ev.twcId as number;
    switch (ev.op) {
      case "open": {
        const prev = this.openSessions.get(key);
        if (prev !== undefined)
          this.o.store.closeSession(prev.id, {
            endedAt: ev.at,
            endKWh: null,
            endReason: "stopped",
            ...this.energyOf(prev),
          });
        const id = this.o.store.openSession(twcIdHex(ev.twcId), ev.at, ev.startKWh);
        if (id === null) this.openSessions.delete(key);
        else
          this.openSessions.set(key, {
            id,
            startedAt: ev.at,
            energy: startEnergy(ev.startKWh),
            powerSamples: 0,
            lastHeartbeatAt: null,
            lastCounterAt: null,
            lastCounter: ev.startKWh,
          });
        return;
      }
      case "vin": {
        const open = this.openSessions.get(key);
        if (open !== undefined) this.o.store.setSessionVin(open.id, ev.vin);
        return;
      }
      case "close": {
        const open = this.openSessions.get(key);
        if (open === undefined) return;
        const slave = this.o.source.slaves().find((s) => (s.id as number) === key);
        if (slave) this.sampleSession(slave);
        this.openSessions.delete(key);
        if (ev.endKWh !== null && ev.endKWh !== open.lastCounter)
          open.energy = sampleCounter(open.energy, ev.endKWh);
        const mine = this.userStops.get(key);
        const all = this.userStops.get(-1);
        const userStop = mine && all ? (mine.atMs >= all.atMs ? mine : all) : (mine ?? all ?? null);
        // Without the charger's state a "stopped" session's cause is unknown (unless a user stopped it).
        const known = slave !== undefined || ev.reason !== "stopped" || userStop !== null;
        const stoppedBy = !known
          ? null
          : stopCause({
              reason: ev.reason,
              startedAtMs: open.startedAt,
              closedAtMs: ev.at,
              lastAmpsOffered: slave?.lastAmpsOffered ?? -1,
              minAmps: slave?.minAmpsTWCSupports ?? 6,
              stoppedByUs: slave?.stoppedByUs ?? false,
              userStop,
            });
        this.o.store.closeSession(open.id, {
          endedAt: ev.at,
          endKWh: ev.endKWh,
          endReason: ev.reason,
          vin: ev.vin,
          stoppedBy,
          ...this.energyOf(open),
        });
        return;
      }
    }
  }

  /** The integrated energy of a session (none without a power sample: the counter difference then). */
  private energyOf(s: OpenSession): { energyKWh: number | null } {
    return { energyKWh: s.powerSamples > 0 ? Math.round(s.energy.kWh * 1000) / 1000 : null };
  }
}

/** Settings access for the legacy import. */
export interface LegacyHistorySettings {
  get(): Readonly<Record<string, unknown>>;
  update(patch: Readonly<Record<string, unknown>>): void;
}

/**
 * config.md §2.3 step 5: imports a legacy `settings.history` array into the store (buckets already
 * present are kept), then removes the key. On a database failure the key is kept for the next start.
 */
export function importLegacySettingsHistory(
  store: HistoryStore,
  settings: LegacyHistorySettings,
  log: HistoryLogger,
): number {
  const s = settings.get();
  if (!Object.hasOwn(s, "history")) return 0;
  const n = store.importLegacy(s.history);
  if (n === null) return 0;
  settings.update({ history: undefined });
  log.info(
    { code: "HISTORY_IMPORTED", count: n },
    `imported ${n} legacy history bucket(s) from settings.json`,
  );
  return n;
}
