/**
 * Broker settings of every MQTT module (config.md §5.1, issue 10 item 4) and the pure helpers around
 * them: the sharing key, the URL without credentials, the reconnect back-off and MQTT topic matching.
 */

/** MQTT protocol versions offered: 3.1.1 (the spec's default) and 5. */
export type MqttVersion = "3.1.1" | "5";

/** The settings that decide whether two modules may share one connection. */
export interface MqttBrokerSettings {
  host: string;
  port: number;
  tls: boolean;
  /** PEM CA bundle (our extension); null = the system CAs. */
  caFile: string | null;
  username: string | null;
  password: string | null;
  version: MqttVersion;
}

/** The last-will message of a connection (status.MQTT: `<prefix>/availability` = `offline`, retained). */
export interface MqttWill {
  topic: string;
  payload: string;
  retain: boolean;
}

/** Smallest and largest reconnect delay (config.md §5.1: back-off 1–120 s). */
export const BACKOFF_MIN_MS = 1000;
/** Largest reconnect delay. */
export const BACKOFF_MAX_MS = 120_000;

/** Keep-alive of every connection (config.md §5.1). */
export const KEEPALIVE_S = 30;

/** Identity of the settings: equal keys share one connection (the password is part of it, never shown). */
export function brokerKey(s: MqttBrokerSettings): string {
  return JSON.stringify([s.host, s.port, s.tls, s.caFile, s.username, s.password, s.version]);
}

/** `mqtt://host:port` or `mqtts://…` (IPv6 literals bracketed), without credentials. */
export function brokerUrl(s: Pick<MqttBrokerSettings, "host" | "port" | "tls">): string {
  const host = s.host.includes(":") && !s.host.startsWith("[") ? `[${s.host}]` : s.host;
  return `${s.tls ? "mqtts" : "mqtt"}://${host}:${s.port}`;
}

/** Delay before reconnect attempt `attempt` (1, 2, …): min × 2^(attempt−1), capped at max. */
export function backoffDelayMs(attempt: number, minMs = BACKOFF_MIN_MS, maxMs = BACKOFF_MAX_MS): number {
  const n = Math.max(1, Math.floor(attempt));
  return Math.min(maxMs, minMs * 2 ** Math.min(n - 1, 30));
}

/** True when `topic` matches the subscription `filter` (`+` one level, `#` the rest, MQTT 3.1.1 §4.7). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  // Topics starting with `$` are not matched by wildcards at the first level (§4.7.2).
  if (topic.startsWith("$") && (f[0] === "+" || f[0] === "#")) return false;
  for (let i = 0; i < f.length; i++) {
    const part = f[i];
    if (part === "#") return true;
    if (i >= t.length) return false;
    if (part !== "+" && part !== t[i]) return false;
  }
  return f.length === t.length;
}

/** The MQTT connection settings common to the config sections (`brokerIP`, `brokerPort`, …). */
export interface BrokerSectionKeys {
  brokerIP: string;
  brokerPort?: number | string | null;
  brokerTLS?: boolean | null;
  brokerCAFile?: string | null;
  username?: string | null;
  password?: string | null;
  mqttVersion?: MqttVersion | null;
}

/**
 * Settings from a config section: port 1883, or 8883 with TLS; username and password only when set
 * (non-empty).
 */
export function brokerSettings(c: BrokerSectionKeys): MqttBrokerSettings {
  const tls = c.brokerTLS === true;
  const rawPort =
    c.brokerPort === undefined || c.brokerPort === null || String(c.brokerPort).trim() === ""
      ? null
      : Number(String(c.brokerPort).trim());
  const nonEmpty = (v: string | null | undefined): string | null =>
    v === undefined || v === null || v === "" ? null : v;
  return {
    host: c.brokerIP.trim(),
    port: rawPort !== null && Number.isInteger(rawPort) ? rawPort : tls ? 8883 : 1883,
    tls,
    caFile: nonEmpty(c.brokerCAFile),
    username: nonEmpty(c.username),
    password: nonEmpty(c.password),
    version: c.mqttVersion === "5" ? "5" : "3.1.1",
  };
}
