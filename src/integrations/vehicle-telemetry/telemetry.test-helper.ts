/**
 * Test helper of the telemetry modules: a real mosquitto (mosquitto.test-helper.ts), the engine
 * harness on a fake clock (home set), a publisher client, and the module's MQTT connection on real
 * timers so it connects by itself. `waitSubscribed()` waits until mosquitto logged the module's
 * SUBSCRIBE, so live messages published after it reach the module.
 */
import { connectAsync, type MqttClient } from "mqtt";
import { startHarness, type Harness } from "../../engine/engine-harness.test-helper.ts";
import { captureLogger, type CaptureLogger } from "../../shared/capture-logger.test-helper.ts";
import { systemClock } from "../../shared/clock.ts";
import type { ModuleContext } from "../module.ts";
import { MqttConnections } from "../mqtt/connections.ts";
import { startMosquitto, waitFor, type Mosquitto } from "../mqtt/mosquitto.test-helper.ts";

/** Home of the harness settings. */
export const HOME = { lat: 52.52, lon: 13.405 };
/** About 5 km north of home (outside the 10560 ft square). */
export const AWAY = { lat: 52.565, lon: 13.405 };

/** What a telemetry test runs on. */
export interface TelemetryRig {
  broker: Mosquitto;
  h: Harness;
  logs: CaptureLogger;
  ctx: ModuleContext;
  connections: MqttConnections;
  pub: MqttClient;
  /** Publishes `value` JSON-encoded, as Fleet Telemetry's datastore does (QoS 1, awaited). */
  publish(topic: string, value: unknown, retain?: boolean): Promise<void>;
  /** Publishes `text` as is (TeslaMate's plain payloads, malformed ones). */
  publishRaw(topic: string, text: string, retain?: boolean): Promise<void>;
  /** Waits until mosquitto saw `n` SUBSCRIBE packets in total (each module subscribes once per connection). */
  waitSubscribed(n?: number): Promise<void>;
  /** Every log line as text. */
  lines(): string[];
  close(): Promise<void>;
}

/** Starts mosquitto, the harness and the publisher. */
export async function startTelemetryRig(settings: Record<string, unknown> = {}): Promise<TelemetryRig> {
  const broker = await startMosquitto();
  const h = await startHarness({ settings: { homeLat: HOME.lat, homeLon: HOME.lon, ...settings } });
  const logs = captureLogger();
  const ctx: ModuleContext = { clock: h.clock, logger: logs, state: h.engine.state, commands: h.commands, fail: (err) => logs.error({ err: String(err) }, "module failed") };
  const connections = new MqttConnections({ clock: systemClock, logger: logs, backoffMinMs: 50 });
  const pub = await connectAsync(broker.url, { reconnectPeriod: 0, clientId: "test-publisher" });
  return {
    broker,
    h,
    logs,
    ctx,
    connections,
    pub,
    async publish(topic, value, retain = false) {
      await pub.publishAsync(topic, JSON.stringify(value), { qos: 1, retain });
    },
    async publishRaw(topic, text, retain = false) {
      await pub.publishAsync(topic, text, { qos: 1, retain });
    },
    async waitSubscribed(n = 1) {
      await waitFor(() => (broker.log().match(/Received SUBSCRIBE from (?!test-)/g) ?? []).length >= n, "the module's SUBSCRIBE at mosquitto");
    },
    lines: () => logs.records.map((r) => `${r.level} ${JSON.stringify(r.obj)} ${r.msg ?? ""}`),
    async close() {
      await pub.endAsync(true);
      await connections.closeAll();
      await h.stop();
      await broker.dispose();
    },
  };
}
