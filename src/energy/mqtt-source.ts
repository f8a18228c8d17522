/**
 * MQTT energy source (our extension): subscribes to `generationTopic` and `consumptionTopic` on a broker
 * and parses payloads like the URL source (`2500`, `1.2kW`), also JSON numbers and `{"value": n}`.
 * A reading exists once every configured topic has delivered; its `at` is the arrival time of the latest
 * message. MQTT.js reconnects on its own (`reconnectPeriod`); errors are logged, never thrown. MQTT.js
 * is loaded when the source starts, so installations without MQTT do not pay its memory.
 */
import type { MqttClient, connect as mqttConnect } from "mqtt";
import { parsePowerPayload } from "./parse.ts";
import type { EnergySource, Reading, SourceDeps } from "./source.ts";
import { ReadingSource, WarnThrottle, errorMessage } from "./source.ts";

/** `sources.MQTT` keys used here. */
export interface MqttSourceConfig {
  brokerIP: string;
  /** Default 1883. */
  brokerPort?: number | string;
  username?: string;
  password?: string;
  generationTopic?: string;
  consumptionTopic?: string;
}

/** Dependencies of the MQTT source. */
export interface MqttSourceDeps extends SourceDeps {
  /** Reconnect delay (ms), default 5000. */
  reconnectPeriodMs?: number;
}

/** `mqtt://host:port` (IPv6 literals bracketed). */
export function brokerUrl(cfg: Pick<MqttSourceConfig, "brokerIP" | "brokerPort">): string {
  const host =
    cfg.brokerIP.includes(":") && !cfg.brokerIP.startsWith("[") ? `[${cfg.brokerIP}]` : cfg.brokerIP;
  return `mqtt://${host}:${String(cfg.brokerPort ?? 1883).trim()}`;
}

/** The MQTT source; call start() to connect. */
export class MqttEnergySource extends ReadingSource implements EnergySource {
  readonly name = "MQTT" as const;
  private client: MqttClient | null = null;
  /** Loading MQTT.js (start() → connected client), null once done. */
  private loading: Promise<void> | null = null;
  private stopped = false;
  private generationW: number | null = null;
  private consumptionW: number | null = null;
  private readonly genTopic: string;
  private readonly consTopic: string;
  private readonly throttle: WarnThrottle;

  constructor(
    private readonly cfg: MqttSourceConfig,
    private readonly deps: MqttSourceDeps,
  ) {
    super(deps.logger);
    this.genTopic = cfg.generationTopic?.trim() ?? "";
    this.consTopic = cfg.consumptionTopic?.trim() ?? "";
    this.throttle = new WarnThrottle(deps.clock, deps.logger);
  }

  start(): void {
    if (this.client || this.loading) return;
    const topics = [this.genTopic, this.consTopic].filter((t) => t !== "");
    if (topics.length === 0) {
      this.error = "no generationTopic or consumptionTopic configured";
      this.deps.logger.warn({ source: this.name }, "MQTT energy source: no topics configured");
      return;
    }
    this.stopped = false;
    this.loading = import("mqtt").then(
      ({ connect }) => {
        this.loading = null;
        if (!this.stopped) this.connect(connect, topics);
      },
      (err: unknown) => {
        this.loading = null;
        this.fail(`cannot load MQTT.js: ${errorMessage(err)}`);
      },
    );
  }

  private connect(connect: typeof mqttConnect, topics: string[]): void {
    const url = brokerUrl(this.cfg);
    try {
      const client = connect(url, {
        reconnectPeriod: this.deps.reconnectPeriodMs ?? 5000,
        connectTimeout: 10_000,
        resubscribe: false,
        ...(this.cfg.username !== undefined && this.cfg.username !== ""
          ? { username: this.cfg.username }
          : {}),
        ...(this.cfg.password !== undefined && this.cfg.password !== ""
          ? { password: this.cfg.password }
          : {}),
      });
      this.client = client;
      client.on("connect", () => {
        this.deps.logger.info({ source: this.name, url }, "MQTT energy source connected");
        client.subscribe(topics, { qos: 0 }, (err) => {
          if (err) this.fail(`subscribe failed: ${errorMessage(err)}`);
        });
      });
      client.on("message", (topic, payload) => this.onMessage(topic, payload.toString("utf8")));
      client.on("error", (err) => this.fail(`broker ${url}: ${errorMessage(err)}`));
      client.on("offline", () => this.fail(`broker ${url} unreachable`));
    } catch (err) {
      this.fail(`cannot connect to ${url}: ${errorMessage(err)}`);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.loading) await this.loading;
    const client = this.client;
    this.client = null;
    if (!client) return;
    try {
      await client.endAsync(true);
    } catch (err) {
      this.deps.logger.debug({ source: this.name, err }, "MQTT energy source: error while closing");
    }
  }

  private fail(message: string): void {
    this.error = message;
    this.throttle.fail({ source: this.name, error: message }, "MQTT energy source: " + message);
  }

  private onMessage(topic: string, payload: string): void {
    const watts = parsePowerPayload(payload);
    if (watts === null) {
      this.fail(`${topic}: unparsable payload ${JSON.stringify(payload.slice(0, 40))}`);
      return;
    }
    if (topic === this.genTopic) this.generationW = Math.abs(watts);
    if (topic === this.consTopic) this.consumptionW = watts;
    if (topic !== this.genTopic && topic !== this.consTopic) return;
    if (
      (this.genTopic !== "" && this.generationW === null) ||
      (this.consTopic !== "" && this.consumptionW === null)
    )
      return;
    const reading: Reading = {
      generationW: this.generationW ?? 0,
      consumptionW: this.consumptionW ?? 0,
      at: this.deps.clock.now(),
    };
    this.publish(reading);
  }
}

/** Creates the MQTT source (not started). */
export function createMqttSource(cfg: MqttSourceConfig, deps: MqttSourceDeps): MqttEnergySource {
  return new MqttEnergySource(cfg, deps);
}
