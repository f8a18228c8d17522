/**
 * status.HASS (upstream HASSStatus): pushes the status values to Home Assistant's REST API,
 * `POST http[s]://<serverIP>:<serverPort>/api/states/sensor.twcmanager_<id>_<key>` with the long-lived
 * token. Per sensor: a changed value goes out at once, or when `msgRateInSeconds` have passed since its
 * previous push (the latest value; nothing is lost); an unchanged value is pushed again every
 * `resendRateInSeconds` (so a Home Assistant restart recovers); a failed push is retried after
 * `retryRateInSeconds`. One request at a time, 2 s timeout; failures are logged (a warning at most once
 * a minute) and never reach the rest of the product.
 */
import type { HassStatusConfig } from "../../config/app-config.ts";
import { fetchWithTimeout, type FetchFn } from "../../energy/polling-source.ts";
import type { TimerHandle } from "../../shared/clock.ts";
import { redactText } from "../../shared/redact.ts";
import type { Module, ModuleContext, ModuleFactory } from "../module.ts";
import { hassSensors, type HassSensor } from "./hass-values.ts";

/** Request timeout (ms), as upstream. */
export const HASS_TIMEOUT_MS = 2000;

/** What the composition root (or a test) adds. */
export interface HassStatusOptions {
  fetchImpl?: FetchFn;
}

interface SensorState {
  latest: HassSensor;
  sent: string | null;
  sentAtMs: number | null;
  /** Earliest time of the next attempt after a failure. */
  retryAtMs: number | null;
}

/** Counters of the pushes. */
export interface HassPushCounts {
  sent: number;
  failed: number;
}

/** The running push module. */
export class HassStatusModule implements Module {
  readonly name = "status.HASS";
  private readonly sensors = new Map<string, SensorState>();
  private unsubscribe: (() => void) | null = null;
  private timer: TimerHandle | null = null;
  private running = false;
  private pumping: Promise<void> | null = null;
  private stopCtl = new AbortController();
  private counts: HassPushCounts = { sent: 0, failed: 0 };
  private lastWarnAtMs: number | null = null;
  private readonly base: string;

  constructor(
    private readonly cfg: HassStatusConfig,
    private readonly ctx: ModuleContext,
    private readonly opts: HassStatusOptions = {},
  ) {
    const host =
      cfg.serverIP.includes(":") && !cfg.serverIP.startsWith("[") ? `[${cfg.serverIP}]` : cfg.serverIP;
    this.base = `${cfg.useHttps ? "https" : "http"}://${host}:${cfg.serverPort}/api/states/`;
  }

  /** Follows the state stream and pushes what is due. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopCtl = new AbortController();
    this.unsubscribe = this.ctx.state.onPatch(() => this.refresh());
    this.refresh();
  }

  /** Stops following the state; an unfinished push is aborted. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = null;
    this.stopCtl.abort();
    await this.pumping;
  }

  /** Pushes sent and failed so far. */
  stats(): HassPushCounts {
    return { ...this.counts };
  }

  private refresh(): void {
    try {
      for (const s of hassSensors(this.ctx.state.snapshot)) {
        const st = this.sensors.get(s.entityId);
        if (st) st.latest = s;
        else this.sensors.set(s.entityId, { latest: s, sent: null, sentAtMs: null, retryAtMs: null });
      }
      this.schedule();
    } catch (err) {
      this.ctx.logger.error({ err }, "status.HASS: reading the state failed");
    }
  }

  /** When `st` should be pushed next (epoch ms), or null when nothing is due. */
  private dueAt(st: SensorState): number | null {
    const c = this.cfg;
    let at: number | null;
    if (st.sentAtMs === null) at = this.ctx.clock.now();
    else if (st.sent !== st.latest.state) at = st.sentAtMs + c.msgRateInSeconds * 1000;
    else at = c.resendRateInSeconds > 0 ? st.sentAtMs + c.resendRateInSeconds * 1000 : null;
    if (at !== null && st.retryAtMs !== null) at = Math.max(at, st.retryAtMs);
    return at;
  }

  private schedule(): void {
    if (!this.running || this.pumping) return;
    if (this.timer) this.ctx.clock.clearTimeout(this.timer);
    this.timer = null;
    let next: number | null = null;
    for (const st of this.sensors.values()) {
      const at = this.dueAt(st);
      if (at !== null && (next === null || at < next)) next = at;
    }
    if (next === null) return;
    const delay = Math.max(0, next - this.ctx.clock.now());
    if (delay === 0) this.pump();
    else this.timer = this.ctx.clock.setTimeout(() => this.pump(), delay);
  }

  private pump(): void {
    this.timer = null;
    if (!this.running || this.pumping) return;
    this.pumping = this.pushDue().finally(() => {
      this.pumping = null;
      this.schedule();
    });
  }

  private async pushDue(): Promise<void> {
    for (const st of [...this.sensors.values()]) {
      if (!this.running) return;
      const at = this.dueAt(st);
      if (at === null || at > this.ctx.clock.now()) continue;
      await this.push(st);
    }
  }

  private async push(st: SensorState): Promise<void> {
    const s = st.latest;
    try {
      const res = await fetchWithTimeout(
        this.base + s.entityId,
        {
          method: "POST",
          headers: { Authorization: `Bearer ${this.cfg.apiKey}`, "Content-Type": "application/json" },
          body: JSON.stringify({ state: s.state, attributes: s.attributes }),
        },
        {
          clock: this.ctx.clock,
          timeoutMs: HASS_TIMEOUT_MS,
          signal: this.stopCtl.signal,
          ...(this.opts.fetchImpl ? { fetchImpl: this.opts.fetchImpl } : {}),
        },
      );
      if (res.status !== 200 && res.status !== 201)
        throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 80)}`);
      st.sent = s.state;
      st.sentAtMs = this.ctx.clock.now();
      st.retryAtMs = null;
      this.counts.sent++;
    } catch (err) {
      if (!this.running) return;
      st.retryAtMs = this.ctx.clock.now() + Math.max(1, this.cfg.retryRateInSeconds) * 1000;
      this.counts.failed++;
      this.warn(s.entityId, err);
    }
  }

  private warn(entity: string, err: unknown): void {
    const error = redactText(err instanceof Error ? err.message : String(err));
    const now = this.ctx.clock.now();
    const obj = { entity, error, server: `${this.cfg.serverIP}:${this.cfg.serverPort}` };
    if (this.lastWarnAtMs === null || now - this.lastWarnAtMs >= 60_000) {
      this.lastWarnAtMs = now;
      this.ctx.logger.warn(
        obj,
        `status.HASS: pushing ${entity} failed (retrying in ${this.cfg.retryRateInSeconds} s): ${error}`,
      );
    } else {
      this.ctx.logger.debug(obj, `status.HASS: pushing ${entity} failed`);
    }
  }
}

/** The factory of `status.HASS` for the module host. */
export function hassStatusFactory(opts: HassStatusOptions = {}): ModuleFactory<HassStatusConfig> {
  return (cfg, ctx) => new HassStatusModule(cfg, ctx, opts);
}
