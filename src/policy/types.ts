/**
 * Types of the pure policy engine (controller.md §16, design.md §7). Nothing in src/policy/ performs
 * I/O: the runtime supplies the snapshot (time, settings, config, list, latches, forced policy) and
 * executes the events of the returned decision (webhooks, logs, state publication).
 */

/** A policy's webhook URLs (controller.md §16.9). */
export interface PolicyWebhooks {
  enter?: string;
  start?: string;
  stop?: string;
  exit?: string;
}

/**
 * One policy record (controller.md §16.1). `match`, `condition` and `value` are parallel lists whose
 * elements are JSON values (macros, literals or nested groups). Absent `charge_amps` ⇒ green policy.
 */
export interface Policy {
  name: string;
  match: readonly unknown[];
  condition: readonly unknown[];
  value: readonly unknown[];
  charge_amps?: unknown;
  charge_limit?: unknown;
  allowed_flex?: unknown;
  background_task?: string;
  /** Minutes the policy stays selected after it last matched. */
  latch_period?: number;
  webhooks?: PolicyWebhooks;
}

/** Broken-down local time as seen by `tm_*` macros (controller.md §16.4). */
export interface LocalTime {
  year: number;
  /** 1–12. */
  mon: number;
  mday: number;
  hour: number;
  min: number;
  sec: number;
  /** Monday = 0 … Sunday = 6. */
  wday: number;
  /** 1–366. */
  yday: number;
  isdst: 0 | 1;
}

/** Runtime settings (settings.json) as an untyped record: every value is read defensively. */
export type PolicySettings = Readonly<Record<string, unknown>>;

/** The config values the policy engine needs. */
export interface PolicyConfig {
  /** The `config` section of config.json, read by `config.K` macros (absent keys resolve to 0). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Every requested budget is clamped to this (controller.md §4). */
  readonly wiringMaxAmpsAllTWCs: number;
}

/**
 * Resolver for `modules.<Module>.<attr>` macros. Returns `{ value }` when the module is implemented and
 * loaded, `undefined` otherwise (the macro then resolves to its own string, controller.md §16.4).
 */
export type ModuleResolver = (module: string, attr: string) => { value: unknown } | undefined;

/**
 * Vehicle data for the flex start (controller.md §18). The caller supplies it only when the
 * preconditions about the vehicle hold: a vehicle module is loaded, exactly one slave is linked, and its
 * current or last VIN is known with battery level and charge limit.
 */
export interface FlexVehicleData {
  /** State of charge, percent. */
  batteryLevel: number;
  /** Charge limit, percent. */
  chargeLimit: number;
  /** Volts per phase (default 240). */
  voltage?: number;
  /** Number of phases (default 1). */
  phases?: number;
  /** Real power factor at `scheduledAmpsMax` (default 1). */
  realPowerFactor?: number;
}

/** A forced policy set by `POST /api/setPolicy` (controller.md §16.6); `until` in epoch seconds. */
export interface ForcedPolicy {
  name: string;
  until: number;
}

/** Everything `decide()` needs; a pure value (callbacks must be pure functions of the same moment). */
export interface PolicySnapshot {
  /** Epoch seconds (may carry a fraction). */
  now: number;
  local: LocalTime;
  settings: PolicySettings;
  config: PolicyConfig;
  policies: readonly Policy[];
  /** Name of the active policy; null when none has ever been active. */
  active: string | null;
  /** Index of the active policy in `policies` when known (two entries may share a name). */
  activeIndex?: number | null;
  /** Policy index → latch expiry (epoch seconds). */
  latches: ReadonlyMap<number, number>;
  forced: ForcedPolicy | null;
  /** The green computation with T = 0 (controller.md §17.4) for `getMaxAmps…()` macros; 0 if absent. */
  greenAmps?: () => number;
  /** `modules.X.y` resolver; without one such macros resolve to their own string. */
  moduleAttr?: ModuleResolver;
  /** Vehicle data enabling the flex start of scheduled charging; absent ⇒ the configured window. */
  flexVehicle?: FlexVehicleData | null;
}

/** The enforced policy of a decision. */
export interface DecidedPolicy {
  index: number;
  name: string;
  /** True when the policy has no `charge_amps` (budget from the energy computation). */
  green: boolean;
}

/** A log record requested by the policy engine; the runtime writes it with the `policy` logger. */
export interface PolicyLogEvent {
  type: "log";
  level: "info" | "warn" | "error";
  /** Stable code, e.g. `POLICY_AMPS_INVALID`. */
  code: string;
  message: string;
}

/** An event of a decision: policy change (fires webhooks) or a log record. */
export type DecisionEvent = { type: "enter" | "exit"; policy: string } | PolicyLogEvent;

/** Result of one evaluation (controller.md §16.7–16.8, design.md §7). */
export interface Decision {
  /** null = safe default (no policy active, budget 0). */
  policy: DecidedPolicy | null;
  /** Resolved and clamped `charge_amps`; null when the policy is green; 0 for the safe default. */
  requestedAmps: number | null;
  allowedFlex: number;
  /** 50–100, or −1 = none (restore the car's own limit). */
  chargeLimit: number;
  latches: ReadonlyMap<number, number>;
  /** Cleared (null) when expired or when it names no policy. */
  forced: ForcedPolicy | null;
  events: readonly DecisionEvent[];
}

/** Signature of the policy decision function. */
export type Decide = (snapshot: PolicySnapshot) => Decision;
