/**
 * Makes a bus link that cannot be opened visible (issue 12 §1): wraps the configured BusBinding so that
 * every failed open raises the BUS_OPEN_FAILED alert with its reason and fix (bus/open-failure.ts),
 * logged once per distinct reason, and a successful open clears it. The transports stay unaware of it.
 */
import type { AlertSet } from "../bus/alerts.ts";
import { explainOpenError, type BusLinkTarget } from "../bus/open-failure.ts";
import type { BusConfig } from "../config/app-config.ts";
import type { Clock } from "../shared/clock.ts";
import type { BusBinding, BusPort } from "../transport/port.ts";
import type { TransportLogger } from "../transport/reconnecting.ts";

/** Where the alert goes: the engine's alert set and its refresh (absent until the engine exists). */
export interface OpenAlertSink {
  alerts: AlertSet;
  refresh(): void;
}

/** Options of watchBusOpen. */
export interface WatchBusOpenOptions {
  /** The sink, read at each open (null: not yet there, nothing is raised). */
  sink: () => OpenAlertSink | null;
  clock: Clock;
  logger: TransportLogger;
}

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * What the configured bus opens, for the explanations: serial device, TCP bridge (interface.TCP or an
 * RS485 `socket://`), `rfc2217://`, or a TCP listener; null for the built-in simulator.
 */
export function busLinkTarget(bus: BusConfig): BusLinkTarget | null {
  switch (bus.kind) {
    case "Dummy":
      return null;
    case "RS485":
      return { kind: "serial", target: bus.path, configKey: "interface.RS485.port" };
    case "TCP":
      return { kind: "tcp", target: hostPort(bus.host, bus.port), configKey: bus.viaRs485Port ? "interface.RS485.port" : "interface.TCP.server" };
    case "RFC2217":
      return { kind: "rfc2217", target: hostPort(bus.host, bus.port), configKey: "interface.RS485.port" };
    case "TCPListen":
      return { kind: "tcp-listen", target: hostPort(bus.host, bus.port), configKey: "interface.TCP" };
  }
}

/** The binding with its open() watched; every other member is the binding's own. */
export function watchBusOpen(binding: BusBinding, target: BusLinkTarget, o: WatchBusOpenOptions): BusBinding {
  let lastLogged = "";
  const failed = (err: unknown): void => {
    const e = explainOpenError(err, target);
    const sink = o.sink();
    if (e.message !== lastLogged) {
      lastLogged = e.message;
      o.logger.warn({ code: "BUS_OPEN_FAILED", endpoint: target.target, reason: e.reason, fix: e.fix }, e.message);
    }
    if (sink?.alerts.raise("BUS_OPEN_FAILED", e.message, o.clock.now())) sink.refresh();
  };
  const opened = (): void => {
    lastLogged = "";
    const sink = o.sink();
    if (sink?.alerts.clear("BUS_OPEN_FAILED")) sink.refresh();
  };
  const open = async (): Promise<BusPort> => {
    try {
      const port = await binding.open();
      opened();
      return port;
    } catch (err) {
      failed(err);
      throw err;
    }
  };
  return new Proxy(binding, {
    get(b, prop) {
      if (prop === "open") return open;
      const v: unknown = Reflect.get(b, prop, b);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(b) : v;
    },
  });
}
