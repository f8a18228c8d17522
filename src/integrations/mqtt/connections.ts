/**
 * The one MQTT connection manager (issue 10 item 4): every MQTT module — control, status, the MQTT and
 * DSMR-reader energy sources, later ones — asks it for a lease. Modules whose broker settings are equal
 * share one connection; a connection that carries a last will is shared only with modules that need no
 * other will. Connecting starts on the next turn of the clock, so a broker that is down at start delays
 * nothing, and modules started together can share (and agree on the will) before the connection opens.
 */
import { systemClock, type Clock } from "../../shared/clock.ts";
import type { MqttBrokerSettings, MqttWill } from "./broker.ts";
import { brokerKey } from "./broker.ts";
import type {
  MqttConnectionState,
  MqttLease,
  MqttLeaseHandlers,
  MqttLoader,
  MqttLogger,
} from "./connection.ts";
import { MqttConnection } from "./connection.ts";

export type { MqttConnectionState, MqttLease, MqttLeaseHandlers, MqttLogger } from "./connection.ts";

/** Options of the manager. */
export interface MqttConnectionsOptions {
  /** Clock of the reconnect back-off (default: the system clock). */
  clock?: Clock;
  logger: MqttLogger;
  /** Loads MQTT.js (default: a dynamic import, so installations without MQTT never load it). */
  load?: MqttLoader;
  /** Smallest reconnect delay (ms), default 1000 (tests use less). */
  backoffMinMs?: number;
}

/** What a module asks for. */
export interface MqttLeaseRequest {
  /** The module's name (e.g. "status.MQTT"), shown in the connection state. */
  owner: string;
  broker: MqttBrokerSettings;
  /** A last will the connection must carry. */
  will?: MqttWill;
  handlers: MqttLeaseHandlers;
}

const sameWill = (a: MqttWill | null, b: MqttWill | null): boolean =>
  a === b ||
  (a !== null && b !== null && a.topic === b.topic && a.payload === b.payload && a.retain === b.retain);

/** The registry of live connections. */
export class MqttConnections {
  private readonly conns = new Set<MqttConnection>();
  private readonly clock: Clock;

  constructor(private readonly o: MqttConnectionsOptions) {
    this.clock = o.clock ?? systemClock;
  }

  /** A lease on a connection to `req.broker` (shared when possible); connecting starts on its own. */
  acquire(req: MqttLeaseRequest): MqttLease {
    const key = brokerKey(req.broker);
    const will = req.will ?? null;
    let conn = [...this.conns].find(
      (c) =>
        !c.isClosed &&
        brokerKey(c.settings) === key &&
        (will === null || sameWill(c.will, will) || (c.will === null && !c.opened)),
    );
    if (!conn) {
      const created: MqttConnection = new MqttConnection(
        req.broker,
        will,
        {
          clock: this.clock,
          logger: this.o.logger,
          load: this.o.load ?? (() => import("mqtt")),
          ...(this.o.backoffMinMs !== undefined ? { backoffMinMs: this.o.backoffMinMs } : {}),
        },
        () => this.conns.delete(created),
      );
      conn = created;
      this.conns.add(conn);
      this.clock.setTimeout(() => created.open(), 0);
    } else if (will !== null && conn.will === null) {
      conn.will = will;
    }
    return conn.lease(req.owner, req.handlers);
  }

  /** The state of every live connection (for the state document, `/metrics` and the dashboard). */
  states(): MqttConnectionState[] {
    return [...this.conns].map((c) => c.state());
  }

  /** Number of live connections. */
  get size(): number {
    return this.conns.size;
  }

  /** Closes every connection (shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.conns].map((c) => c.close()));
  }
}

let shared: MqttConnections | null = null;

/**
 * A process-wide manager for a module created without one (its logger is the first caller's). The
 * product never uses it: the registry hands every MQTT module the MqttHub's manager (hub.ts), whose
 * logger is the one MQTT logger `{ module: "mqtt" }`.
 */
export function sharedMqttConnections(logger: MqttLogger): MqttConnections {
  shared ??= new MqttConnections({ logger });
  return shared;
}

/** The state of the process-wide manager's connections (empty before any MQTT module ran). */
export function sharedMqttConnectionStates(): MqttConnectionState[] {
  return shared?.states() ?? [];
}
