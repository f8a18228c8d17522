/**
 * The policy runtime (controller.md §16.5–16.9, §17.3) owns the policy's two timers: it evaluates the
 * pure decide() every check interval and on triggers, applies the decision to the master budget, runs
 * the energy step and reports policy changes for webhooks; and once a day (01:00 local) and on a home
 * location change it recomputes sunrise/sunset into the settings, re-evaluating when they moved. Every
 * evaluation is synchronous, so an HTTP response that triggered one never races it. The result is the
 * PolicyView, a new object after each evaluation, which the engine publishes and pushes to the bus.
 *
 * Time fields end in their unit as in the bus runtime: …AtMs epoch ms, …AtS epoch seconds, …S a
 * duration in seconds; the policy/ types it passes through keep their names (ForcedPolicy.until and
 * the latch expiries are epoch seconds).
 */
import type { Settings } from "../config/settings-schema.ts";
import { decide } from "../policy/decide.ts";
import { toLocalTime } from "../policy/local-time.ts";
import { sunHoursAt } from "../policy/sun.ts";
import type { DecidedPolicy, FlexVehicleData, ForcedPolicy, ModuleResolver, Policy } from "../policy/types.ts";
import type { Clock, TimerHandle } from "../shared/clock.ts";
import type { ControllerLogger } from "../bus/controller-types.ts";
import { effectiveBudget } from "../bus/offer.ts";
import type { SettingsAccess } from "./settings-access.ts";

/** Result of the energy step for the runtime. */
export interface EnergyStepResult {
  /** Green budget, or null for a non-green policy. */
  maxAmpsToDivide: number | null;
  limitAmps: number;
}

/** Options of the policy runtime. */
export interface PolicyRuntimeOptions {
  clock: Clock;
  logger: ControllerLogger;
  policies: readonly Policy[];
  /** The `config` section for `config.K` macros. */
  configSection: Readonly<Record<string, unknown>>;
  wiringMaxAmpsAllTWCs: number;
  /** config.maxAmpsAllowedFromGrid (null when unset). */
  gridCapAmps: number | null;
  intervalS: number;
  /** Read for every evaluation; written with the sunrise/sunset hours. */
  settings: Pick<SettingsAccess, "get" | "update">;
  /** The energy step (§17.3) for the given policy kind and the current effective budget. */
  energy(green: boolean, effectiveBudget: number): EnergyStepResult;
  /** `getMaxAmpsForTargetGridUsage(0)` for macros. */
  greenAmps(effectiveBudget: number): number;
  /** `modules.<Module>.<attr>` macros: the live attribute of a running source (energy-sources.md §1.7). */
  moduleAttr?: ModuleResolver;
  /** The flex start's vehicle data (vehicles.md §3.6), null when it does not apply; absent: never. */
  flexVehicle?: () => FlexVehicleData | null;
  /** A policy was entered or left (fires its webhook). */
  onPolicyEvent(event: "enter" | "exit", policy: Policy): void;
  /** An evaluation finished (publish state). */
  onEvaluated(): void;
  timeZone?: string;
}

/** What the runtime exposes after each evaluation. */
export interface PolicyView {
  active: DecidedPolicy | null;
  activePolicy: Policy | null;
  /** maxAmpsToDivideAmongSlaves as requested (clamped to wiring). */
  policyAmps: number;
  limitAmps: number;
  /** Effective budget M. */
  maxAmpsToDivide: number;
  allowedFlex: number;
  chargeLimit: number;
  forced: ForcedPolicy | null;
  /** Expiry of the active policy's latch (epoch seconds), or null. */
  latchEndsAtS: number | null;
  /** When the last evaluation ran (epoch ms), or null before the first. */
  lastEvaluatedAtMs: number | null;
}

/** Milliseconds from `nowMs` to the next sunrise/sunset refresh: 01:00 local, at least a minute ahead. */
export function msToNextSunRefresh(nowMs: number, timeZone?: string): number {
  const l = toLocalTime(nowMs, timeZone);
  const hoursAhead = (25 - l.hour) % 24 || 24;
  return Math.max(60_000, (hoursAhead * 3600 - l.min * 60 - l.sec) * 1000);
}

/** Runs the policy engine on the injected clock. */
export class PolicyRuntime {
  private active: DecidedPolicy | null = null;
  private policyAmps = 0;
  private limitAmps: number;
  private allowedFlex = 0;
  private chargeLimit = -1;
  private latches: ReadonlyMap<number, number> = new Map();
  private forced: ForcedPolicy | null = null;
  private lastEvaluatedAtMs: number | null = null;
  /** The view of the current values; dropped whenever one of them changes. */
  private cachedView: PolicyView | null = null;
  private timer: TimerHandle | null = null;
  private sunTimer: TimerHandle | null = null;
  private running = false;

  constructor(private readonly o: PolicyRuntimeOptions) {
    // S-15: with a grid cap nothing can be offered until the first fresh energy reading.
    this.limitAmps = o.gridCapAmps !== null ? 0 : o.wiringMaxAmpsAllTWCs;
  }

  /** The effective list. */
  get policies(): readonly Policy[] {
    return this.o.policies;
  }

  /** Sunrise/sunset for today, the first evaluation, the interval timer and the daily sun timer. */
  start(): void {
    this.running = true;
    this.refreshSun(false);
    this.evaluate("startup");
    this.scheduleSun();
  }

  /** Stops both timers. */
  stop(): void {
    this.running = false;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.sunTimer) this.o.clock.clearTimeout(this.sunTimer);
    this.sunTimer = null;
  }

  /** Recomputes sunrise/sunset from the home location; a change is saved and (when `evaluate`) evaluated. */
  refreshSun(evaluate = true): void {
    const s = this.o.settings.get();
    const hours = sunHoursAt(s.homeLat, s.homeLon, this.o.clock.now(), this.o.timeZone);
    if (hours.sunrise !== s.sunrise || hours.sunset !== s.sunset) {
      this.o.settings.update({ sunrise: hours.sunrise, sunset: hours.sunset });
      if (evaluate && this.running) this.evaluate("sun");
    }
  }

  private scheduleSun(): void {
    this.sunTimer = this.o.clock.setTimeout(
      () => {
        this.refreshSun(true);
        this.scheduleSun();
      },
      msToNextSunRefresh(this.o.clock.now(), this.o.timeZone),
    );
  }

  /** Active latches: policy index → expiry (epoch seconds). */
  latchMap(): ReadonlyMap<number, number> {
    return this.latches;
  }

  /** Current values: the same object until an evaluation (or clearForced) changes them. */
  view(): PolicyView {
    if (this.cachedView) return this.cachedView;
    const latch = this.active ? this.latches.get(this.active.index) : undefined;
    this.cachedView = {
      active: this.active,
      activePolicy: this.active ? (this.o.policies[this.active.index] ?? null) : null,
      policyAmps: this.policyAmps,
      limitAmps: this.limitAmps,
      maxAmpsToDivide: effectiveBudget(this.policyAmps, this.limitAmps),
      allowedFlex: this.allowedFlex,
      chargeLimit: this.chargeLimit,
      forced: this.forced,
      latchEndsAtS: latch ?? null,
      lastEvaluatedAtMs: this.lastEvaluatedAtMs,
    };
    return this.cachedView;
  }

  /** Forces `name` for one check interval (controller.md §16.6) and evaluates at once. */
  force(name: string): void {
    this.forced = { name, until: this.o.clock.now() / 1000 + this.o.intervalS };
    this.cachedView = null;
    this.evaluate("setPolicy");
  }

  /** Clears a forced policy (chargeNow / cancelChargeNow) without evaluating. */
  clearForced(): void {
    this.forced = null;
    this.cachedView = null;
  }

  /** One evaluation: selection, enforcement, energy step (controller.md §16.5). Restarts the timer. */
  evaluate(reason: string): void {
    const nowMs = this.o.clock.now();
    const settings: Readonly<Settings> = this.o.settings.get();
    const previous = this.active;
    let decision;
    try {
      decision = decide({
        now: nowMs / 1000,
        local: toLocalTime(nowMs, this.o.timeZone),
        settings,
        config: { config: this.o.configSection, wiringMaxAmpsAllTWCs: this.o.wiringMaxAmpsAllTWCs },
        policies: this.o.policies,
        active: this.active?.name ?? null,
        activeIndex: this.active?.index ?? null,
        latches: this.latches,
        forced: this.forced,
        greenAmps: () => this.o.greenAmps(effectiveBudget(this.policyAmps, this.limitAmps)),
        ...(this.o.moduleAttr ? { moduleAttr: this.o.moduleAttr } : {}),
        ...(this.o.flexVehicle ? { flexVehicle: this.o.flexVehicle() } : {}),
      });
    } catch (err) {
      this.o.logger.error({ err, code: "POLICY_EVALUATION_FAILED" }, "policy evaluation failed");
      this.schedule();
      return;
    }
    for (const ev of decision.events) {
      if (ev.type === "log") this.o.logger[ev.level]({ code: ev.code }, ev.message);
    }
    this.active = decision.policy;
    this.latches = decision.latches;
    this.forced = decision.forced;
    this.cachedView = null;
    this.allowedFlex = decision.allowedFlex;
    this.chargeLimit = decision.chargeLimit;
    if (decision.policy === null) {
      this.policyAmps = 0;
    } else if (decision.requestedAmps !== null) {
      this.policyAmps = this.clampBudget(decision.requestedAmps);
    }
    const green = decision.policy?.green ?? false;
    if (green || this.o.gridCapAmps !== null) {
      try {
        const r = this.o.energy(green, effectiveBudget(this.policyAmps, this.limitAmps));
        if (green && r.maxAmpsToDivide !== null) this.policyAmps = this.clampBudget(r.maxAmpsToDivide);
        this.limitAmps = Math.min(Math.max(0, r.limitAmps), this.o.wiringMaxAmpsAllTWCs);
      } catch (err) {
        this.o.logger.error({ err, code: "ENERGY_COMPUTATION_FAILED" }, "energy computation failed");
      }
    } else {
      this.limitAmps = this.o.wiringMaxAmpsAllTWCs;
    }
    this.lastEvaluatedAtMs = nowMs;
    this.cachedView = null;
    if (previous?.name !== decision.policy?.name) {
      this.o.logger.info(
        { code: "POLICY_CHANGED", reason, from: previous?.name ?? null, to: decision.policy?.name ?? null },
        `policy changed to ${decision.policy?.name ?? "None"}`,
      );
    }
    for (const ev of decision.events) {
      if (ev.type === "enter" || ev.type === "exit") {
        const policy = this.o.policies.find((p) => p.name === ev.policy);
        if (policy) this.o.onPolicyEvent(ev.type, policy);
      }
    }
    this.schedule();
    this.o.onEvaluated();
  }

  private clampBudget(amps: number): number {
    if (!Number.isFinite(amps) || amps < 0) return 0;
    if (amps > this.o.wiringMaxAmpsAllTWCs) {
      this.o.logger.error(
        { code: "BUDGET_ABOVE_WIRING", amps },
        `requested budget ${amps} A is above wiringMaxAmpsAllTWCs; using ${this.o.wiringMaxAmpsAllTWCs} A`,
      );
      return this.o.wiringMaxAmpsAllTWCs;
    }
    return amps;
  }

  private schedule(): void {
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
    if (!this.running) return;
    this.timer = this.o.clock.setTimeout(() => this.evaluate("timer"), this.o.intervalS * 1000);
  }
}
