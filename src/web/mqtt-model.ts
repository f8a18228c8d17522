/** What the web shows about MQTT (issue 10 item 7): the topics a user can publish to, with examples. Pure. */
import type { StateDocument } from "../state/types.ts";

/** One topic a user can publish to. */
export interface MqttTopic {
  topic: string;
  /** An example payload ("" = any, e.g. a button press). */
  example: string;
  what: string;
}

/** The control.MQTT topics (config.md §5.1) and, with the Home Assistant controls, status.MQTT's. */
export function mqttTopics(m: StateDocument["mqtt"], chargerIds: readonly string[], wiringMaxAmps: number): MqttTopic[] {
  const out: MqttTopic[] = [];
  const amps = Math.max(1, Math.floor(wiringMaxAmps));
  const c = m.controlTopicPrefix;
  if (c !== null) {
    out.push(
      { topic: `${c}/control/chargeNow`, example: `${Math.min(16, amps)},3600`, what: `Charge Now at A amps (1–${amps}) for S seconds` },
      { topic: `${c}/control/chargeNowEnd`, example: "", what: "End Charge Now" },
      { topic: `${c}/control/nonScheduledAmpsMax`, example: String(Math.min(6, amps)), what: `Non-scheduled amps (0–${amps})` },
      { topic: `${c}/control/nonScheduledAction`, example: "3", what: "Non-scheduled action: 1 charge at the non-scheduled amps, 2 do not charge, 3 track green energy" },
      { topic: `${c}/control/stop`, example: "", what: "Shut the controller down gracefully" },
    );
  }
  const s = m.statusTopicPrefix;
  if (s !== null && m.homeAssistantControls) {
    out.push(
      { topic: `${s}/ha/chargeNowAmps/set`, example: String(Math.min(16, amps)), what: "Charge Now amps (Home Assistant number)" },
      { topic: `${s}/ha/chargeNowDuration/set`, example: "2.5", what: "Charge Now duration in hours (Home Assistant number)" },
      { topic: `${s}/ha/chargeNowStart/set`, example: "PRESS", what: "Start Charge Now with the amps and duration above" },
      { topic: `${s}/ha/chargeNowCancel/set`, example: "PRESS", what: "End Charge Now" },
      { topic: `${s}/ha/nonScheduledAction/set`, example: "Track green energy", what: "Non-scheduled action (Home Assistant select)" },
      { topic: `${s}/ha/nonScheduledAmpsMax/set`, example: String(Math.min(6, amps)), what: "Non-scheduled amps (Home Assistant number)" },
      { topic: `${s}/ha/startCharging/set`, example: "PRESS", what: "Start command to every charger" },
      { topic: `${s}/ha/stopCharging/set`, example: "PRESS", what: "Stop command to every charger" },
    );
    for (const id of chargerIds) {
      out.push(
        { topic: `${s}/ha/${id}/startCharging/set`, example: "PRESS", what: `Start command to charger ${id}` },
        { topic: `${s}/ha/${id}/stopCharging/set`, example: "PRESS", what: `Stop command to charger ${id}` },
      );
    }
  }
  return out;
}

/** A `mosquitto_pub` command line for a topic (the example of the settings page). */
export function publishExample(t: MqttTopic, brokerHost = "<broker>"): string {
  const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;
  return `mosquitto_pub -h ${brokerHost} -t ${quote(t.topic)} -m ${quote(t.example)}`;
}

/** The host of a broker URL (`mqtt://host:port` → host), or "<broker>". */
export function brokerHost(m: StateDocument["mqtt"]): string {
  const url = m.connections.find((c) => c.users.includes("control.MQTT") || c.users.includes("status.MQTT"))?.broker;
  const match = url === undefined ? null : /^mqtts?:\/\/(\[[^\]]+\]|[^:/]+)/.exec(url);
  return match?.[1] ?? "<broker>";
}
