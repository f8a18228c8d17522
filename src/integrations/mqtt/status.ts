/**
 * MQTT status (`status.MQTT`, config.md §5.2–5.3): publishes the status topics from the state stream
 * (retained, QoS 0) on change with the per-topic rate limit and its bypass cases, `availability` with
 * `offline` as the last will, everything again on every (re)connect; with `homeassistantDiscovery`, the
 * Home Assistant discovery configs (again when Home Assistant announces itself on
 * `<discoveryPrefix>/status`), cleared when a charger goes or discovery is turned off, and the controls
 * whose commands go through the commands facade.
 */
import { hostname } from "node:os";
import type { HttpConfig, MqttStatusConfig } from "../../config/app-config.ts";
import type { TimerHandle } from "../../shared/clock.ts";
import type { Module, ModuleContext, ModuleFactory } from "../module.ts";
import { brokerSettings } from "./broker.ts";
import type { MqttConnections, MqttLease } from "./connections.ts";
import { sharedMqttConnections } from "./connections.ts";
import { ControlCounters, type ControlCounts } from "./control-counters.ts";
import { showPayload } from "./control-parse.ts";
import { MAX_PAYLOAD_BYTES } from "./control.ts";
import {
  chargerControlDiscovery,
  chargerDiscovery,
  controllerDiscovery,
  isStaleConfig,
  type DiscoveryOptions,
} from "./discovery.ts";
import { controlStates, parseHaCommand, runHaCommand, type ChargeNowChoice } from "./ha-controls.ts";
import { RateLimiter } from "./rate-limit.ts";
import { availabilityTopic, planPublishes, statusValues } from "./status-topics.ts";

/** What the composition root adds to a status module. */
export interface MqttStatusOptions {
  /** The shared connection manager (default: the process-wide one). */
  connections?: MqttConnections;
  /** The web interface URL when the config gives none (derived from control.HTTP), or null. */
  configurationUrl?: string | null;
}

/** A charger's discovery configs: its sensors and, with the controls, its start/stop buttons. */
function chargerConfigs(id: string, o: DiscoveryOptions): Map<string, string> {
  return new Map([...chargerDiscovery(id, o), ...chargerControlDiscovery(id, o)]);
}

/** How long after a connect retained discovery configs are examined for clean-up (ms). */
export const SWEEP_WINDOW_MS = 10_000;

/** The running status module. */
export class MqttStatusModule implements Module {
  readonly name = "status.MQTT";
  private lease: MqttLease | null = null;
  private readonly limiter: RateLimiter;
  private current = new Map<string, string>();
  private ids: string[] = [];
  private readonly choice: ChargeNowChoice = { amps: null, seconds: null };
  /** Discovery configs to clear (empty retained payload) at the next connect. */
  private readonly toClear = new Set<string>();
  private unsubscribePatch: (() => void) | null = null;
  private sweepTimer: TimerHandle | null = null;
  private readonly commandCounters = new ControlCounters();
  private publishedCount = 0;
  private readonly prefix: string;
  private readonly controlBase: string;
  private readonly discoveryStatusTopic: string;
  private readonly sweepFilter: string;

  constructor(
    private readonly cfg: MqttStatusConfig,
    private readonly ctx: ModuleContext,
    private readonly opts: MqttStatusOptions = {},
  ) {
    this.prefix = cfg.topicPrefix;
    this.controlBase = `${cfg.topicPrefix}/ha/`;
    this.discoveryStatusTopic = `${cfg.discoveryPrefix}/status`;
    this.sweepFilter = `${cfg.discoveryPrefix}/+/+/+/config`;
    this.limiter = new RateLimiter(
      ctx.clock,
      cfg.ratelimit * 1000,
      (topic, payload) => this.send(topic, payload, true),
    );
  }

  private get discovery(): boolean {
    return this.cfg.homeassistantDiscovery;
  }

  private get controls(): boolean {
    return this.cfg.homeassistantDiscovery && this.cfg.homeassistantControls;
  }

  /** Leases the connection (with the `offline` will) and follows the state stream; returns at once. */
  start(): void {
    if (this.lease) return;
    const connections = this.opts.connections ?? sharedMqttConnections(this.ctx.logger);
    this.lease = connections.acquire({
      owner: this.name,
      broker: brokerSettings(this.cfg),
      will: { topic: availabilityTopic(this.prefix), payload: "offline", retain: true },
      handlers: {
        onConnect: () => this.onConnect(),
        onDisconnect: () => this.limiter.reset(),
        onMessage: (topic, payload, retained) => this.onMessage(topic, payload, retained),
      },
    });
    const filters: string[] = [];
    if (this.discovery) filters.push(this.discoveryStatusTopic);
    if (this.controls) filters.push(`${this.controlBase}+/set`, `${this.controlBase}+/+/set`);
    if (filters.length > 0) this.lease.subscribe(filters);
    this.unsubscribePatch = this.ctx.state.onPatch(() => this.refresh());
    this.refresh();
  }

  /** Publishes `offline`, stops following the state and releases the connection. */
  async stop(): Promise<void> {
    this.unsubscribePatch?.();
    this.unsubscribePatch = null;
    this.endSweep();
    this.limiter.reset();
    const lease = this.lease;
    this.lease = null;
    if (!lease) return;
    lease.publish(availabilityTopic(this.prefix), "offline", true);
    await lease.release();
  }

  /** True while the connection is up. */
  get connected(): boolean {
    return this.lease?.connected ?? false;
  }

  /** Counters of the Home Assistant control commands. */
  stats(): ControlCounts {
    return this.commandCounters.read();
  }

  /** Messages handed to the broker so far (status values, availability, discovery configs and clears). */
  get published(): number {
    return this.publishedCount;
  }

  /** Values deferred by the rate limit right now. */
  get deferred(): number {
    return this.limiter.pendingCount;
  }

  /** Publishes one message, counting it when the connection took it. */
  private send(topic: string, payload: string, retain: boolean): boolean {
    const sent = this.lease?.publish(topic, payload, retain) ?? false;
    if (sent) this.publishedCount++;
    return sent;
  }

  private discoveryOptions(): DiscoveryOptions {
    const doc = this.ctx.state.snapshot;
    return {
      topicPrefix: this.prefix,
      discoveryPrefix: this.cfg.discoveryPrefix,
      deviceNamePrefix: this.cfg.deviceNamePrefix,
      version: doc.version,
      configurationUrl: this.cfg.configurationUrl ?? this.opts.configurationUrl ?? null,
      controls: this.controls,
      wiringMaxAmpsAllTWCs: doc.budget.wiringMaxAmpsAllTWCs,
    };
  }

  private values(): Map<string, string> {
    const doc = this.ctx.state.snapshot;
    const v = statusValues(doc, this.prefix, this.discovery);
    if (this.controls) for (const [t, p] of controlStates(doc, this.prefix, this.choice)) v.set(t, p);
    return v;
  }

  private refresh(): void {
    try {
      const next = this.values();
      const nextIds = this.ctx.state.snapshot.chargers.map((c) => c.id);
      for (const p of planPublishes(this.current, next, this.ids, nextIds, this.prefix)) {
        this.limiter.offer(p.topic, p.payload, p.bypass || p.topic.startsWith(this.controlBase));
      }
      if (this.discovery) this.followChargers(this.ids, nextIds);
      this.current = next;
      this.ids = nextIds;
    } catch (err) {
      this.ctx.logger.error({ err }, "MQTT status: publishing a state change failed");
    }
  }

  private followChargers(prevIds: readonly string[], nextIds: readonly string[]): void {
    const o = this.discoveryOptions();
    for (const id of nextIds) {
      if (prevIds.includes(id)) continue;
      const configs = chargerConfigs(id, o);
      for (const topic of configs.keys()) this.toClear.delete(topic);
      if (this.lease?.connected) this.publishConfigs(configs);
    }
    for (const id of prevIds) {
      if (nextIds.includes(id)) continue;
      for (const topic of chargerConfigs(id, o).keys()) this.toClear.add(topic);
    }
    this.clearPending();
  }

  private publishConfigs(configs: ReadonlyMap<string, string>): void {
    for (const [topic, payload] of configs) this.send(topic, payload, true);
  }

  private clearPending(): void {
    if (!this.lease?.connected) return;
    for (const topic of [...this.toClear]) {
      if (this.send(topic, "", true)) this.toClear.delete(topic);
    }
  }

  private wantedConfigs(): Map<string, string> {
    const o = this.discoveryOptions();
    const all = new Map(controllerDiscovery(o));
    for (const id of this.ids) for (const [t, p] of chargerConfigs(id, o)) all.set(t, p);
    return all;
  }

  private publishEverything(): void {
    const lease = this.lease;
    if (!lease) return;
    this.send(availabilityTopic(this.prefix), "online", true);
    if (this.discovery) this.publishConfigs(this.wantedConfigs());
    this.clearPending();
    this.current = this.values();
    this.limiter.republish(this.current);
  }

  private onConnect(): void {
    this.publishEverything();
    this.startSweep();
  }

  private startSweep(): void {
    this.endSweep();
    this.lease?.subscribe([this.sweepFilter]);
    this.sweepTimer = this.ctx.clock.setTimeout(() => this.endSweep(), SWEEP_WINDOW_MS);
  }

  private endSweep(): void {
    if (this.sweepTimer !== null) this.ctx.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
    this.lease?.unsubscribe([this.sweepFilter]);
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    if (topic === this.discoveryStatusTopic) {
      if (this.discovery && !retained && payload.toString("utf8").trim() === "online") {
        this.ctx.logger.info({ topic }, "Home Assistant is online: publishing discovery and states again");
        this.publishEverything();
      }
      return;
    }
    if (topic.startsWith(this.controlBase) && topic.endsWith("/set")) {
      this.onCommand(topic, payload, retained);
      return;
    }
    if (this.sweepTimer !== null && retained && topic.endsWith("/config")) {
      const wanted = this.discovery ? new Set(this.wantedConfigs().keys()) : new Set<string>();
      if (isStaleConfig(topic, payload.toString("utf8"), wanted, this.discoveryOptions(), this.discovery)) {
        this.ctx.logger.info(
          { topic },
          "clearing a retained Home Assistant config this controller no longer publishes",
        );
        this.send(topic, "", true);
      }
    }
  }

  private onCommand(topic: string, payload: Buffer, retained: boolean): void {
    if (!this.controls) return;
    this.commandCounters.receive();
    const key = topic.slice(this.controlBase.length, -"/set".length);
    const doc = this.ctx.state.snapshot;
    const parsed = retained
      ? { ok: false as const, reason: "retained" as const, message: "retained commands are ignored" }
      : payload.length > MAX_PAYLOAD_BYTES
        ? {
            ok: false as const,
            reason: "malformed" as const,
            message: `payload longer than ${MAX_PAYLOAD_BYTES} bytes`,
          }
        : parseHaCommand(key, payload.toString("utf8"), doc.budget.wiringMaxAmpsAllTWCs);
    if (!parsed.ok) {
      this.commandCounters.reject(parsed.reason);
      this.ctx.logger.warn(
        { topic, reason: parsed.reason, payload: showPayload(payload.toString("utf8", 0, 64)) },
        `Home Assistant command ${topic} ignored: ${parsed.message}`,
      );
      return;
    }
    const failed = runHaCommand(parsed.command, doc, this.choice, this.ctx.commands, this.ctx.clock.now());
    if (failed !== null) {
      this.commandCounters.reject("failed");
      this.ctx.logger.warn({ topic, reason: "failed" }, `Home Assistant command ${topic} failed: ${failed}`);
    } else {
      this.commandCounters.accept(parsed.command.kind);
      this.ctx.logger.info(
        { topic, command: parsed.command },
        `Home Assistant command: ${parsed.command.kind}`,
      );
    }
    // The choice may have changed without a state change: show it at once.
    this.refresh();
  }
}

/** The factory of `status.MQTT` for the module host. */
export function mqttStatusFactory(opts: MqttStatusOptions = {}): ModuleFactory<MqttStatusConfig> {
  return (cfg, ctx) => new MqttStatusModule(cfg, ctx, opts);
}

/** The web interface URL Home Assistant links to: `http(s)://<host>:<port>/`, or null without HTTP. */
export function webInterfaceUrl(
  http: { listenPort: number; tls: unknown } | null,
  host: string,
): string | null {
  if (!http) return null;
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${http.tls ? "https" : "http"}://${h}:${http.listenPort}/`;
}

/** The web interface URL of this installation: control.HTTP's bound address, else this machine's name. */
export function localWebInterfaceUrl(
  http: Pick<HttpConfig, "listenPort" | "listenAddress" | "tls"> | null,
): string | null {
  const bound = http?.listenAddress ?? null;
  const wildcard = bound === null || bound === "::" || bound === "0.0.0.0" || bound === "";
  return webInterfaceUrl(http, wildcard ? hostname() : bound);
}
