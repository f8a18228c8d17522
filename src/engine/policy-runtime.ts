/**
 * The policy runtime (controller.md §16.5–16.9, §17.3): evaluates the pure decide() on a timer and on
 * triggers, applies the decision to the master budget, runs the energy step, and reports policy changes
 * for webhooks. Every evaluation is synchronous, so an HTTP response that triggered one never races it.
 */
import { decide } from "../policy/decide.ts";
import { toLocalTime } from "../policy/local-time.ts";
import type { DecidedPolicy, ForcedPolicy, Policy, PolicySettings } from "../policy/types.ts";
import type { Clock, TimerHandle } from "../shared/clock.ts";
import type { ControllerLogger } from "../bus/controller-types.ts";
import { effectiveBudget } from "../bus/offer.ts";

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
  settings(): PolicySettings;
  /** The energy step (§17.3) for the given policy kind and the current effective budget. */
  energy(green: boolean, effectiveBudget: number): EnergyStepResult;
  /** `getMaxAmpsForTargetGridUsage(0)` for macros. */
  greenAmps(effectiveBudget: number): number;
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
  latchedUntil: number | null;
  lastEvaluatedAt: number | null;
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
  private lastEvaluatedAt: number | null = null;
  private timer: TimerHandle | null = null;
  private running = false;

  constructor(private readonly o: PolicyRuntimeOptions) {
    // S-15: with a grid cap nothing can be offered until the first fresh energy reading.
    this.limitAmps = o.gridCapAmps !== null ? 0 : o.wiringMaxAmpsAllTWCs;
  }

  /** The effective list. */
  get policies(): readonly Policy[] {
    return this.o.policies;
  }

  /** First evaluation and the interval timer. */
  start(): void {
    this.running = true;
    this.evaluate("startup");
  }

  /** Stops the timer. */
  stop(): void {
    this.running = false;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Active latches: policy index → expiry (epoch seconds). */
  latchMap(): ReadonlyMap<number, number> {
    return this.latches;
  }

  /** Current values. */
  view(): PolicyView {
    const latch = this.active ? this.latches.get(this.active.index) : undefined;
    return {
      active: this.active,
      activePolicy: this.active ? (this.o.policies[this.active.index] ?? null) : null,
      policyAmps: this.policyAmps,
      limitAmps: this.limitAmps,
      maxAmpsToDivide: effectiveBudget(this.policyAmps, this.limitAmps),
      allowedFlex: this.allowedFlex,
      chargeLimit: this.chargeLimit,
      forced: this.forced,
      latchedUntil: latch ?? null,
      lastEvaluatedAt: this.lastEvaluatedAt,
    };
  }

  /** Forces `name` for one check interval (controller.md §16.6) and evaluates at once. */
  force(name: string): void {
    this.forced = { name, until: this.o.clock.now() / 1000 + this.o.intervalS };
    this.evaluate("setPolicy");
  }

  /** Clears a forced policy (chargeNow / cancelChargeNow) without evaluating. */
  clearForced(): void {
    this.forced = null;
  }

  /** One evaluation: selection, enforcement, energy step (controller.md §16.5). Restarts the timer. */
  evaluate(reason: string): void {
    const nowMs = this.o.clock.now();
    const now = nowMs / 1000;
    const settings = this.o.settings();
    const previous = this.active;
    let decision;
    try {
      decision = decide({
        now,
        local: toLocalTime(nowMs, this.o.timeZone),
        settings,
        config: { config: this.o.configSection, wiringMaxAmpsAllTWCs: this.o.wiringMaxAmpsAllTWCs },
        policies: this.o.policies,
        active: this.active?.name ?? null,
        activeIndex: this.active?.index ?? null,
        latches: this.latches,
        forced: this.forced,
        greenAmps: () => this.o.greenAmps(effectiveBudget(this.policyAmps, this.limitAmps)),
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
    this.lastEvaluatedAt = nowMs;
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
