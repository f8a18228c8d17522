/**
 * DSMR-reader energy source (`sources.DSMRreader`, energy-sources.md §18): subscribes to DSMR-reader's
 * JSON telegram (`dsmr/json`) through the shared MQTT connection manager. Each message on exactly that
 * topic is a reading at its arrival time: grid import as consumption, grid export as generation, and the
 * consumption amps of the importing phases (the only source that feeds `consumptionA`). A payload that
 * does not parse is a failed fetch: the previous reading is kept (upstream zeroed it).
 */
import type { MqttVersion } from "../integrations/mqtt/broker.ts";
import type { MqttConnections } from "../integrations/mqtt/connections.ts";
import { sharedMqttConnections } from "../integrations/mqtt/connections.ts";
import { BrokerReadingSource } from "./broker-source.ts";
import type { Reading, SourceDeps } from "./source.ts";

/** `sources.DSMRreader` keys used here. */
export interface DsmrSourceConfig {
  brokerIP: string;
  brokerPort?: number | string;
  brokerTLS?: boolean;
  brokerCAFile?: string | null;
  username?: string | null;
  password?: string | null;
  mqttVersion?: MqttVersion;
  /** Default `dsmr/json`. */
  topic?: string;
}

/** Dependencies of the DSMR-reader source. */
export interface DsmrSourceDeps extends SourceDeps {
  /** The shared connection manager (default: the process-wide one). */
  connections?: MqttConnections;
}

/** The values of one telegram. */
export interface DsmrValues {
  consumptionW: number;
  generationW: number;
  consumptionA: number;
}

/** A telegram field as a number: numbers and numeric strings; missing → 0; anything else → null. */
function field(o: Record<string, unknown>, key: string): number | null {
  const v = o[key];
  if (v === undefined || v === null) return 0;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string" && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) return Number(v);
  return null;
}

/**
 * Parses a DSMR-reader JSON telegram (energy-sources.md §18): consumption W = delivered kW × 1000,
 * generation W = returned kW × 1000, consumption A = the largest `phase_power_current_lN` among the
 * phases that import more than they export (0 when none). Null when the payload is not a JSON object
 * or a field is not a number.
 */
export function parseDsmrTelegram(payload: string): DsmrValues | null {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return null;
  const o = json as Record<string, unknown>;
  const delivered = field(o, "electricity_currently_delivered");
  const returned = field(o, "electricity_currently_returned");
  if (delivered === null || returned === null) return null;
  let amps = 0;
  for (const phase of ["l1", "l2", "l3"]) {
    const d = field(o, `phase_currently_delivered_${phase}`);
    const r = field(o, `phase_currently_returned_${phase}`);
    const a = field(o, `phase_power_current_${phase}`);
    if (d === null || r === null || a === null) return null;
    if (d > r) amps = Math.max(amps, a);
  }
  return { consumptionW: delivered * 1000, generationW: Math.abs(returned * 1000), consumptionA: amps };
}

/** The DSMR-reader source; call start() to subscribe. */
export class DsmrEnergySource extends BrokerReadingSource {
  readonly name = "DSMRreader" as const;
  private readonly topic: string;

  constructor(
    private readonly cfg: DsmrSourceConfig,
    protected override readonly deps: DsmrSourceDeps,
  ) {
    super(deps);
    this.topic = (cfg.topic ?? "").trim() || "dsmr/json";
  }

  start(): void {
    if (this.lease) return;
    const connections = this.deps.connections ?? sharedMqttConnections(this.deps.logger);
    this.subscribe(connections, "sources.DSMRreader", this.cfg, [this.topic]);
  }

  protected onMessage(topic: string, payload: string): void {
    if (topic !== this.topic) return;
    const v = parseDsmrTelegram(payload);
    if (v === null) {
      this.fail(
        `${topic}: not a DSMR-reader telegram ${JSON.stringify(payload.slice(0, 40))} (previous reading kept)`,
      );
      return;
    }
    const reading: Reading = { ...v, at: this.deps.clock.now() };
    this.publish(reading);
  }
}

/** Creates the DSMR-reader source (not started). */
export function createDsmrSource(cfg: DsmrSourceConfig, deps: DsmrSourceDeps): DsmrEnergySource {
  return new DsmrEnergySource(cfg, deps);
}
