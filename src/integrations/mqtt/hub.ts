/**
 * The MQTT side of one running product (issue 10, second round): the one connection manager, created
 * on first use with the one MQTT logger (`{ module: "mqtt" }`), so its lines never depend on which module
 * asked first; the MQTT modules it serves; and what they report for the state document and `/metrics`.
 * The connection manager's files are loaded only when a module asks for it (issue 9 §7).
 */
import type { Clock } from "../../shared/clock.ts";
import type { MqttConnectionState, MqttLogger } from "./connection.ts";
import type { MqttConnections } from "./connections.ts";
import type { ControlCounts } from "./control-counters.ts";

/** What an MQTT module reports (the control and status modules; energy sources report nothing). */
export interface MqttModuleReport {
  /** The module's name (control.MQTT, status.MQTT). */
  module: string;
  /** Command counters: received, accepted by command, rejected by reason. */
  commands: ControlCounts;
  /** Messages published so far (status modules). */
  published?: number;
  /** Values deferred by the rate limit right now (status modules). */
  deferred?: number;
}

/** A module whose counters the hub reports. */
export interface ReportingMqttModule {
  readonly name: string;
  stats(): ControlCounts;
  readonly published?: number;
  readonly deferred?: number;
}

/** Options of the hub. */
export interface MqttHubOptions {
  /** The one MQTT logger (`{ module: "mqtt" }`). */
  logger: MqttLogger;
  clock: Clock;
}

/** The product's MQTT connections and modules. */
export class MqttHub {
  private manager: Promise<MqttConnections> | null = null;
  private created: MqttConnections | null = null;
  private readonly modules = new Map<string, ReportingMqttModule>();

  constructor(private readonly o: MqttHubOptions) {}

  /** The one connection manager (loaded and created on the first call). */
  connections(): Promise<MqttConnections> {
    this.manager ??= import("./connections.ts").then((m) => {
      this.created = new m.MqttConnections({ logger: this.o.logger, clock: this.o.clock });
      return this.created;
    });
    return this.manager;
  }

  /** Reports `m`'s counters from now on (a module created again under the same name replaces it). */
  track(m: ReportingMqttModule): void {
    this.modules.set(m.name, m);
  }

  /** The state of every live connection (empty before any MQTT module started). */
  states(): MqttConnectionState[] {
    return this.created?.states() ?? [];
  }

  /** The counters of the tracked modules, by name. */
  reports(): MqttModuleReport[] {
    return [...this.modules.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((m) => ({
        module: m.name,
        commands: m.stats(),
        ...(m.published !== undefined ? { published: m.published } : {}),
        ...(m.deferred !== undefined ? { deferred: m.deferred } : {}),
      }));
  }
}
