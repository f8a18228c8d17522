/**
 * Combines the readings of every energy meter, applies staleness (controller.md §17.1) and reports
 * transitions of any meter between usable and unusable (or into/out of stale) so the runtime can evaluate
 * the policy at once. A timer on the injected clock fires exactly when a reading would age out. The
 * meters' lifecycle is not here: the module host starts and stops them (integrations/host.ts).
 */
import type { EnergyMeter } from "../integrations/capabilities.ts";
import type { Clock, TimerHandle } from "../shared/clock.ts";
import { redactText } from "../shared/redact.ts";
import type { EnergySourceStatus } from "../state/types.ts";
import type { AttributeSource, SourceDescriptor } from "./catalogue.ts";
import { SOURCE_CATALOGUE } from "./source-list.ts";
import type { EnergyLogger } from "./source.ts";
import { Listeners } from "./source.ts";
import {
  DEFAULT_STALE_AFTER_S,
  assess,
  isStale,
  isUsable,
  nextHealthChangeAt,
  sumUsable,
  transitions,
} from "./staleness.ts";
import type { HealthTransition, SourceHealth, SourceReading, SummedReadings } from "./staleness.ts";

/** Status of one source for the state document. */
export type { EnergySourceStatus } from "../state/types.ts";

/** The catalogue entry answering to `modules.<name>` (its registered name or an alias), or undefined. */
export function descriptorByModuleName(
  name: string,
  catalogue: readonly SourceDescriptor[] = SOURCE_CATALOGUE,
): SourceDescriptor | undefined {
  return catalogue.find((d) => d.registeredName === name || (d.aliases ?? []).includes(name));
}

function hasAttributes(m: EnergyMeter): m is EnergyMeter & Pick<AttributeSource, "attributes"> {
  return typeof (m as Partial<AttributeSource>).attributes === "function";
}

/** Read counters a meter may offer (the polled sources do; push sources do not). */
interface ReadCounting {
  readCounts(): { ok: number; failed: number };
}

function hasReadCounts(m: EnergyMeter): m is EnergyMeter & ReadCounting {
  return typeof (m as Partial<ReadCounting>).readCounts === "function";
}

/** Options of the poller. */
export interface PollerOptions {
  clock: Clock;
  logger: EnergyLogger;
  /** The meters known at construction; more can be added with `add()`. */
  sources?: readonly EnergyMeter[];
  /** config.energyStaleAfterS, default 300. */
  staleAfterS?: number;
}

/** Watches the meters; pure staleness maths on top of their latest readings. */
export class EnergyPoller {
  private readonly clock: Clock;
  private readonly logger: EnergyLogger;
  private readonly sources: EnergyMeter[];
  private readonly staleAfterS: number;
  private startedAt: number;
  private health: SourceHealth[] = [];
  private timer: TimerHandle | null = null;
  private running = false;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly listeners: Listeners<HealthTransition[]>;

  constructor(o: PollerOptions) {
    this.clock = o.clock;
    this.logger = o.logger;
    this.sources = [...(o.sources ?? [])];
    this.staleAfterS = o.staleAfterS ?? DEFAULT_STALE_AFTER_S;
    this.startedAt = o.clock.now();
    this.listeners = new Listeners(o.logger);
  }

  /** Adds a meter (in configuration order, before start() as the composition root does). */
  add(meter: EnergyMeter): void {
    this.sources.push(meter);
    if (this.running) {
      this.unsubscribe.push(meter.on("reading", () => this.check()));
      this.check();
    }
  }

  /** Starts watching the meters; start-up time (for never-delivering meters) is now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.clock.now();
    this.health = assess(this.snapshot(), this.startedAt, this.opts());
    for (const s of this.sources) this.unsubscribe.push(s.on("reading", () => this.check()));
    this.schedule();
  }

  /** Stops watching the meters and the staleness timer (the host stops the meters themselves). */
  stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const u of this.unsubscribe.splice(0)) u();
    return Promise.resolve();
  }

  /** Number of configured sources. */
  get size(): number {
    return this.sources.length;
  }

  /** Summed usable readings at `nowMs` with the aggregate usable/stale flags. */
  readings(nowMs: number): SummedReadings {
    return sumUsable(this.snapshot(), nowMs, this.opts());
  }

  /** Per-source status for the state document. */
  status(nowMs: number): EnergySourceStatus[] {
    return this.sources.map((s) => {
      const r = s.latest();
      const error = s.lastError();
      return {
        name: s.name,
        ok: isUsable(r, nowMs, this.opts()) && error === null,
        stale: isStale(r, nowMs, this.opts()),
        updatedAt: r ? new Date(r.at).toISOString() : null,
        generationW: r ? r.generationW : null,
        consumptionW: r ? r.consumptionW : null,
        consumptionA: r?.consumptionA ?? null,
        error: error === null ? null : redactText(error),
        ...(hasReadCounts(s) ? { readsOk: s.readCounts().ok, readsFailed: s.readCounts().failed } : {}),
      };
    });
  }

  /**
   * `modules.<Module>.<attr>` (energy-sources.md §1.7): the attribute of the running source with that
   * registered name or alias, from its latest reading; undefined (the macro yields its own text) when the
   * module is unknown or not running, the attribute is absent or null, or the reading is not usable.
   */
  moduleAttribute(module: string, attr: string, nowMs: number): { value: unknown } | undefined {
    const d = descriptorByModuleName(module);
    const meter = d ? this.sources.find((s) => s.name === d.key) : undefined;
    if (!meter || !hasAttributes(meter) || !isUsable(meter.latest(), nowMs, this.opts())) return undefined;
    const attrs = meter.attributes();
    if (!Object.prototype.hasOwnProperty.call(attrs, attr)) return undefined;
    const value = attrs[attr];
    return value === null || value === undefined ? undefined : { value };
  }

  /** Subscribes to health transitions; returns an unsubscribe function. */
  on(_event: "transition", cb: (changes: HealthTransition[]) => void): () => void {
    return this.listeners.add(cb);
  }

  private opts(): { staleAfterS: number; startedAt: number } {
    return { staleAfterS: this.staleAfterS, startedAt: this.startedAt };
  }

  private snapshot(): SourceReading[] {
    return this.sources.map((s) => ({ name: s.name, reading: s.latest() }));
  }

  private check(): void {
    if (!this.running) return;
    const now = this.clock.now();
    const next = assess(this.snapshot(), now, this.opts());
    const changes = transitions(this.health, next);
    this.health = next;
    if (changes.length > 0) {
      for (const c of changes) {
        this.logger.info(
          { source: c.name, usable: c.to.usable, stale: c.to.stale },
          c.to.usable ? "energy source usable" : "energy source has no usable reading",
        );
      }
      this.listeners.emit(changes);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (!this.running) return;
    const now = this.clock.now();
    const at = nextHealthChangeAt(this.snapshot(), now, this.opts());
    if (at !== null) this.timer = this.clock.setTimeout(() => this.check(), at - now);
  }
}
