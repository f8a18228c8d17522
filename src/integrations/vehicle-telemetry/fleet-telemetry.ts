/**
 * The Fleet Telemetry module `vehicle.teslaFleetTelemetryMQTT` (vehicles.md §7.2): reads the MQTT
 * datastore of Tesla's fleet-telemetry server under `<mqtt_prefix>/#` and feeds one record per VIN
 * (the VIN is in the topic, so no name mapping is needed). Never calls the cloud.
 */
import type { FleetTelemetryConfig } from "../../config/app-config.ts";
import type { ModuleContext } from "../module.ts";
import { connectivityEvent, fleetField, nextSyncState, parseFleetTopic, type StateEvent } from "./fleet-telemetry-parse.ts";
import type { TelemetryUpdate } from "./telemetry-car.ts";
import { TelemetryModule, type TelemetryDeps } from "./telemetry-module.ts";

/** The module. */
export class FleetTelemetryModule extends TelemetryModule {
  readonly name = "vehicle.teslaFleetTelemetryMQTT";
  private readonly prefix: string;

  constructor(config: FleetTelemetryConfig, ctx: ModuleContext, deps: TelemetryDeps) {
    super("FleetTelemetry", config.telemetry, config.atHomeRadiusFt, ctx, deps);
    this.prefix = config.telemetry?.prefix ?? "";
  }

  protected filters(): string[] {
    return [this.prefix === "" ? "#" : `${this.prefix}/#`];
  }

  protected handle(topic: string, payload: string): void {
    const t = parseFleetTopic(this.prefix, topic);
    if (t === null) return;
    let value: unknown;
    try {
      value = JSON.parse(payload);
    } catch {
      this.ctx.logger.warn({ topic }, `${this.name}: the payload on ${topic} is not JSON; ignored`);
      return;
    }
    const updates: TelemetryUpdate[] = [];
    let events: StateEvent[] = [];
    if (t.kind === "field") {
      const r = fleetField(t.field, value);
      updates.push(...r.updates);
      events = r.events;
    } else {
      const e = connectivityEvent(value);
      if (e !== null) events = [e];
    }
    const before = this.record(t.vin)?.syncState ?? "asleep";
    const after = events.reduce(nextSyncState, before);
    if (after !== before) updates.push({ field: "syncState", value: after });
    this.feed(t.vin, updates);
  }

  /** The VIN is in the topic: nothing to map. */
  protected remap(): void {}
}

/** Creates the module (registry). */
export function createFleetTelemetryModule(config: FleetTelemetryConfig, ctx: ModuleContext, deps: TelemetryDeps): FleetTelemetryModule {
  return new FleetTelemetryModule(config, ctx, deps);
}
