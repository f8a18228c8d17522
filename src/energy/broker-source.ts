/**
 * What the MQTT-fed energy sources (sources.MQTT, sources.DSMRreader) share: one lease on a broker
 * connection from the connection manager, a logged connect, a throttled warning for each failure (the
 * previous reading is kept), and a release on stop. Subclasses only parse their messages.
 */
import { brokerSettings, brokerUrl, type MqttBrokerSettings } from "../integrations/mqtt/broker.ts";
import type { MqttConnections, MqttLease } from "../integrations/mqtt/connections.ts";
import type { EnergySource, EnergySourceName, SourceDeps } from "./source.ts";
import { ReadingSource, WarnThrottle } from "./source.ts";

/** An energy source subscribed to MQTT topics. */
export abstract class BrokerReadingSource extends ReadingSource implements EnergySource {
  abstract readonly name: EnergySourceName;
  /** The lease while started; messages arriving without one are ignored. */
  protected lease: MqttLease | null = null;
  private readonly throttle: WarnThrottle;

  constructor(protected readonly deps: SourceDeps) {
    super(deps.logger);
    this.throttle = new WarnThrottle(deps.clock, deps.logger);
  }

  abstract start(): void;

  /** Leases a connection to the broker of `cfg` for `owner` and subscribes to `topics`. */
  protected subscribe(
    connections: MqttConnections,
    owner: string,
    cfg: Parameters<typeof brokerSettings>[0],
    topics: readonly string[],
  ): void {
    const broker: MqttBrokerSettings = brokerSettings(cfg);
    this.lease = connections.acquire({
      owner,
      broker,
      handlers: {
        onConnect: () =>
          this.deps.logger.info(
            { source: this.name, url: brokerUrl(broker) },
            `${this.name} energy source connected`,
          ),
        onDisconnect: () => this.fail(`broker ${brokerUrl(broker)} unreachable`),
        onError: (message) => this.fail(message),
        onMessage: (topic, payload) => {
          if (this.lease) this.onMessage(topic, payload.toString("utf8"));
        },
      },
    });
    this.lease.subscribe([...topics]);
  }

  /** Handles one message (only while started). */
  protected abstract onMessage(topic: string, payload: string): void;

  async stop(): Promise<void> {
    const lease = this.lease;
    this.lease = null;
    await lease?.release();
  }

  /** Keeps `message` as the source's error and warns (throttled). */
  protected fail(message: string): void {
    this.error = message;
    this.throttle.fail({ source: this.name, error: message }, `${this.name} energy source: ${message}`);
  }
}
