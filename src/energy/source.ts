/**
 * The energy-source interface shared by the URL, HASS, MQTT and demo sources, plus the small helpers
 * they share: a typed listener list, the logger shape and the failure-warning throttle.
 */
import type { EnergyMeter } from "../integrations/capabilities.ts";
import type { Clock } from "../shared/clock.ts";
import { redactText } from "../shared/redact.ts";
import type { Reading } from "./staleness.ts";

export type { Reading } from "./staleness.ts";

/** Name of an energy source as shown in the state document: URL, HASS, MQTT, DSMRreader, Demo, or a catalogue key (`sources.<Key>`, catalogue.ts). */
export type EnergySourceName = string;

/** A pino-like logger (`logger.warn({err}, "message")`). */
export interface EnergyLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * A built-in energy source: the energy-meter capability (latest reading, error, "reading" events) with
 * its lifecycle. The module host starts and stops it (integrations/meter-module.ts): a start that throws,
 * rejects or hangs is isolated and retried there; `start()` after `stop()` starts it again.
 */
export interface EnergySource extends EnergyMeter {
  readonly name: EnergySourceName;
  /** Starts polling/subscribing. */
  start(): void | Promise<void>;
  /** Stops all timers, requests and connections. */
  stop(): Promise<void>;
}

/** Common dependencies of the sources. */
export interface SourceDeps {
  clock: Clock;
  logger: EnergyLogger;
  /** The Fleet API of the Tesla vehicle module, when `vehicle.teslaAPI` is configured (Powerwall2 Storm Watch). */
  fleet?: FleetAccess;
  /** `config.cloudUpdateInterval` in ms (the Storm Watch cache); absent: 1800 s. */
  cloudUpdateIntervalMs?: number;
}

/** What the Tesla vehicle module lends an energy source: its Fleet API base, current token and HTTPS client. */
export interface FleetAccess {
  /** `scheme://host[:port]` of the region's Fleet API (or the teslaProxy), null while unknown. */
  baseUrl(): string | null;
  /** The current access token, null while there is none. */
  token(): string | null;
  /** The module's HTTPS client (it trusts teslaProxyCert); absent: Node's fetch. */
  fetch?: typeof fetch;
}

/** A minimal listener list; a throwing listener is logged, never propagated. */
export class Listeners<T> {
  private readonly cbs = new Set<(value: T) => void>();

  constructor(private readonly logger: EnergyLogger) {}

  /** Adds a listener; returns its remover. */
  add(cb: (value: T) => void): () => void {
    this.cbs.add(cb);
    return () => this.cbs.delete(cb);
  }

  /** Calls every listener with `value`. */
  emit(value: T): void {
    for (const cb of [...this.cbs]) {
      try {
        cb(value);
      } catch (err) {
        this.logger.error({ err }, "energy listener failed");
      }
    }
  }
}

/**
 * What every source keeps and shows the same way: the latest reading (kept across failures), the error
 * of the last attempt, and the reading listeners.
 */
export abstract class ReadingSource {
  protected reading: Reading | null = null;
  protected error: string | null = null;
  private readonly listeners: Listeners<Reading>;

  constructor(logger: EnergyLogger) {
    this.listeners = new Listeners(logger);
  }

  /** The latest successful reading, null before the first. */
  latest(): Reading | null {
    return this.reading;
  }

  /** The error of the last attempt, null after a success. */
  lastError(): string | null {
    return this.error;
  }

  /** Subscribes to new readings; returns an unsubscribe function. */
  on(_event: "reading", cb: (reading: Reading) => void): () => void {
    return this.listeners.add(cb);
  }

  /** Keeps `reading`, clears the error and tells the listeners. */
  protected publish(reading: Reading): void {
    this.reading = reading;
    this.error = null;
    this.listeners.emit(reading);
  }
}

/** Logs a source failure as a warning at most once per `intervalMs` (debug otherwise). */
export class WarnThrottle {
  private lastWarnAt: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly logger: EnergyLogger,
    private readonly intervalMs = 60_000,
  ) {}

  /** Reports a failure. */
  fail(obj: object, msg: string): void {
    const now = this.clock.now();
    if (this.lastWarnAt === null || now - this.lastWarnAt >= this.intervalMs) {
      this.lastWarnAt = now;
      this.logger.warn(obj, msg);
    } else {
      this.logger.debug(obj, msg);
    }
  }
}

/** A readable message for an unknown thrown value, with secrets (URL userinfo, tokens) redacted. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return redactText(cause instanceof Error ? `${err.message}: ${cause.message}` : err.message);
  }
  return redactText(String(err));
}
