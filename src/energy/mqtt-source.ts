/**
 * MQTT energy source (`sources.MQTT`, energy-sources.md §2): subscribes to the generation and
 * consumption topics — upstream's `topicGeneration` / `topicConsumption`, or our `generationTopic` /
 * `consumptionTopic` — through the shared MQTT connection manager, and parses payloads like the URL
 * source (`2500`, `1.2kW`), also JSON numbers and `{"value": n}`. A reading exists once every configured
 * topic has delivered; its `at` is the arrival time of the latest message. Errors are kept and logged,
 * never thrown; the manager reconnects with back-off.
 */
import type { MqttVersion } from "../integrations/mqtt/broker.ts";
import { MqttConnections, sharedMqttConnections } from "../integrations/mqtt/connections.ts";
import { parsePowerPayload } from "./parse.ts";
import { BrokerReadingSource } from "./broker-source.ts";
import type { Reading, SourceDeps } from "./source.ts";

/** `sources.MQTT` keys used here (the validated config, or a hand-made one in tests). */
export interface MqttSourceConfig {
  brokerIP: string;
  /** Default 1883, or 8883 with TLS. */
  brokerPort?: number | string;
  brokerTLS?: boolean;
  brokerCAFile?: string | null;
  username?: string | null;
  password?: string | null;
  mqttVersion?: MqttVersion;
  /** Upstream's key names (they win over ours). */
  topicGeneration?: string;
  topicConsumption?: string;
  generationTopic?: string;
  consumptionTopic?: string;
}

/** Dependencies of the MQTT source. */
export interface MqttSourceDeps extends SourceDeps {
  /** The shared connection manager (default: the process-wide one). */
  connections?: MqttConnections;
  /** Smallest reconnect delay (ms) of a private connection (tests); ignored with `connections`. */
  reconnectPeriodMs?: number;
}

/** The MQTT source; call start() to subscribe. */
export class MqttEnergySource extends BrokerReadingSource {
  readonly name = "MQTT" as const;
  private generationW: number | null = null;
  private consumptionW: number | null = null;
  private readonly genTopic: string;
  private readonly consTopic: string;

  constructor(
    private readonly cfg: MqttSourceConfig,
    protected override readonly deps: MqttSourceDeps,
  ) {
    super(deps);
    this.genTopic = (cfg.topicGeneration ?? cfg.generationTopic ?? "").trim();
    this.consTopic = (cfg.topicConsumption ?? cfg.consumptionTopic ?? "").trim();
  }

  start(): void {
    if (this.lease) return;
    const topics = [this.genTopic, this.consTopic].filter((t) => t !== "");
    if (topics.length === 0) {
      this.error = "no topicGeneration or topicConsumption configured";
      this.deps.logger.warn({ source: this.name }, "MQTT energy source: no topics configured");
      return;
    }
    const connections =
      this.deps.connections ??
      (this.deps.reconnectPeriodMs !== undefined
        ? new MqttConnections({ logger: this.deps.logger, backoffMinMs: this.deps.reconnectPeriodMs })
        : sharedMqttConnections(this.deps.logger));
    this.subscribe(connections, "sources.MQTT", this.cfg, [...new Set(topics)]);
  }

  protected onMessage(topic: string, payload: string): void {
    if (topic !== this.genTopic && topic !== this.consTopic) return;
    const watts = parsePowerPayload(payload);
    if (watts === null) {
      this.fail(`${topic}: unparsable payload ${JSON.stringify(payload.slice(0, 40))}`);
      return;
    }
    if (topic === this.genTopic) this.generationW = Math.abs(watts);
    if (topic === this.consTopic) this.consumptionW = watts;
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
