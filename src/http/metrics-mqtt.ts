/**
 * The MQTT part of `GET /metrics` (issue 10 item 4): each connection from the state document, and the
 * counters of the MQTT modules (commands received / accepted by command / rejected by reason; status
 * messages published and values deferred by the rate limit). Pure.
 */
import type { StateDocument } from "../state/types.ts";

/** What one MQTT module reports (integrations/mqtt/hub.ts MqttModuleReport). */
export interface MqttModuleMetrics {
  module: string;
  commands: {
    received: number;
    accepted: Readonly<Record<string, number>>;
    rejected: Readonly<Record<string, number>>;
  };
  published?: number;
  deferred?: number;
}

/** A metric family writer (metrics.ts's Writer.metric). */
export type MetricWriter = (
  name: string,
  type: "gauge" | "counter",
  help: string,
  samples: readonly (readonly [Readonly<Record<string, string>>, number])[],
) => void;

/** Writes the MQTT metric families. */
export function writeMqttMetrics(
  metric: MetricWriter,
  doc: Readonly<StateDocument>,
  modules: readonly MqttModuleMetrics[],
): void {
  const conns = doc.mqtt.connections;
  metric(
    "twc_mqtt_connected",
    "gauge",
    "1 while the MQTT broker connection is up.",
    conns.map((c) => [{ broker: c.broker }, c.connected ? 1 : 0]),
  );
  metric(
    "twc_mqtt_connects_total",
    "counter",
    "Successful connects to the MQTT broker.",
    conns.map((c) => [{ broker: c.broker }, c.connects]),
  );
  metric(
    "twc_mqtt_commands_received_total",
    "counter",
    "MQTT command messages received, by module (control.MQTT topics, status.MQTT Home Assistant controls).",
    modules.map((m) => [{ module: m.module }, m.commands.received]),
  );
  metric(
    "twc_mqtt_commands_accepted_total",
    "counter",
    "MQTT commands run through the commands facade, by module and command.",
    modules.flatMap((m) =>
      Object.entries(m.commands.accepted).map(([command, n]) => [{ module: m.module, command }, n] as const),
    ),
  );
  metric(
    "twc_mqtt_commands_rejected_total",
    "counter",
    "MQTT command messages refused, by module and reason (retained, unknownTopic, malformed, outOfRange, failed).",
    modules.flatMap((m) =>
      Object.entries(m.commands.rejected).map(([reason, n]) => [{ module: m.module, reason }, n] as const),
    ),
  );
  metric(
    "twc_mqtt_status_published_total",
    "counter",
    "MQTT status messages handed to the broker (values, availability, discovery configs).",
    modules.flatMap((m) => (m.published === undefined ? [] : [[{ module: m.module }, m.published] as const])),
  );
  metric(
    "twc_mqtt_status_deferred",
    "gauge",
    "MQTT status values waiting for their rate-limit window.",
    modules.flatMap((m) => (m.deferred === undefined ? [] : [[{ module: m.module }, m.deferred] as const])),
  );
}
