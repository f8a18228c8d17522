/**
 * Bus interface selection (config.md §4.1): Dummy → RS485 → TCP, the first enabled and usable one is
 * active. Also parses `socket://host:port`, `rfc2217://host:port` and TCP `server` strings; TCP `listen`
 * mode listens on `server` (default every IPv4 address). Pure.
 */
import type { BusConfig } from "./app-config.ts";
import { coerceBooleanLike } from "./coerce.ts";
import { DummySchema, Rs485Schema, TcpSchema, TWCID_PATTERN } from "./schema-bus.ts";
import {
  addError,
  addRaw,
  addWarning,
  checkSchema,
  isRecord,
  joinPath,
  show,
  type Issue,
} from "./schema-walk.ts";

/** The no-interface error text (config.md §4.1). */
export const NO_BUS_MESSAGE =
  "no bus interface: set interface.RS485.port, or enable interface.TCP or interface.Dummy";

/** Reads a module's `enabled` flag (boolean-like accepted with a warning); absent → `dflt`. */
export function readEnabled(section: unknown, path: string, dflt: boolean, issues: Issue[]): boolean {
  if (section === undefined || section === null) return dflt;
  if (!isRecord(section)) {
    addError(issues, path, `must be an object (found ${show(section)})`);
    return false;
  }
  const v = section.enabled;
  if (v === undefined || v === null) return dflt;
  if (typeof v === "boolean") return v;
  const b = coerceBooleanLike(v);
  if (b.ok) {
    addWarning(issues, joinPath(path, "enabled"), `${show(v)} is not a boolean, using ${String(b.value)}`);
    return b.value;
  }
  addError(issues, joinPath(path, "enabled"), `must be true or false (found ${show(v)})`);
  return false;
}

/** Splits "host", "host:port", "[v6]:port" or a bare IPv6 address; null when the port is invalid. */
export function parseHostPort(s: string, defaultPort: number): { host: string; port: number } | null {
  const t = s.trim();
  let host = t;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (bracket) {
    host = bracket[1] ?? "";
    portText = bracket[2];
  } else if ((t.match(/:/g) ?? []).length === 1) {
    const i = t.indexOf(":");
    host = t.slice(0, i);
    portText = t.slice(i + 1);
  }
  if (host === "") return null;
  if (portText === undefined) return { host, port: defaultPort };
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  return port >= 1 && port <= 65535 ? { host, port } : null;
}

/** Normalised TWCID (4 upper-case hex digits) of a config twcID string. */
export function twcIdKey(s: string): string {
  if (s.length === 2)
    return ((s.charCodeAt(0) << 8) | s.charCodeAt(1)).toString(16).toUpperCase().padStart(4, "0");
  return s.toUpperCase();
}

interface CoreBusKeys {
  rs485adapter?: string | undefined;
  baud?: number | undefined;
}

function dummyBus(raw: unknown, issues: Issue[]): { bus: BusConfig; slaveTimeoutS: number } | null {
  const d = checkSchema(DummySchema, raw, "interface.Dummy", issues);
  if (!d) return null;
  if (d.scenario !== undefined) addWarning(issues, "interface.Dummy.scenario", "accepted and ignored");
  const slaves = d.slaves ?? [{ twcID: d.twcID }];
  const seen = new Map<string, number>();
  let ok = true;
  slaves.forEach((s, i) => {
    const key = twcIdKey(s.twcID);
    const prev = seen.get(key);
    if (prev !== undefined) {
      addError(
        issues,
        `interface.Dummy.slaves[${i}].twcID`,
        `duplicate slave ID ${key} (also used by slaves[${prev}])`,
      );
      ok = false;
    }
    seen.set(key, i);
  });
  if (!ok) return null;
  return {
    bus: { kind: "Dummy", slaves, seed: d.seed ?? null, realisticTiming: d.realisticTiming },
    slaveTimeoutS: d.slaveTimeout,
  };
}

function tcpBus(raw: unknown, issues: Issue[]): { bus: BusConfig; slaveTimeoutS: number } | null {
  const t = checkSchema(TcpSchema, raw, "interface.TCP", issues);
  if (!t) return null;
  if (t.listen === true) return tcpListenBus(t.server, t.port, t.slaveTimeout, issues);
  if (t.server === undefined) {
    addError(issues, "interface.TCP.server", "is required when interface.TCP is enabled");
    return null;
  }
  const hp = parseHostPort(t.server, t.port);
  if (!hp) {
    addError(issues, "interface.TCP.server", `must be "host" or "host:port" (found ${show(t.server)})`);
    return null;
  }
  return {
    bus: { kind: "TCP", host: hp.host, port: hp.port, viaRs485Port: false },
    slaveTimeoutS: t.slaveTimeout,
  };
}

/** Listening address when `interface.TCP.listen` is true and `server` is absent: every IPv4 address. */
export const DEFAULT_LISTEN_HOST = "0.0.0.0";

/** `interface.TCP.listen: true`: `server` (optional) is the local address to listen on. */
function tcpListenBus(
  server: string | undefined,
  port: number,
  slaveTimeoutS: number,
  issues: Issue[],
): { bus: BusConfig; slaveTimeoutS: number } | null {
  const hp = parseHostPort(server ?? DEFAULT_LISTEN_HOST, port);
  if (!hp) {
    addError(
      issues,
      "interface.TCP.server",
      `must be the "host" or "host:port" to listen on (found ${show(server)})`,
    );
    return null;
  }
  return { bus: { kind: "TCPListen", host: hp.host, port: hp.port }, slaveTimeoutS };
}

/** `rfc2217://host:port[?options]`: the port required, pyserial's query options ignored with a warning. */
function rfc2217Bus(port: string, path: string, baud: number, issues: Issue[]): BusConfig | null {
  const rest = port.slice("rfc2217://".length);
  const q = rest.indexOf("?");
  const hp = parseHostPort((q < 0 ? rest : rest.slice(0, q)).replace(/\/$/, ""), 0);
  if (!hp || hp.port === 0 || /[/\s]/.test(hp.host)) {
    addError(issues, path, `must be rfc2217://host:port (found ${show(port)})`);
    return null;
  }
  if (q >= 0 && rest.slice(q + 1) !== "") {
    addWarning(issues, path, `URL options "${rest.slice(q + 1)}" are ignored`);
  }
  return { kind: "RFC2217", host: hp.host, port: hp.port, baud };
}

type Rs485Result = { bus: BusConfig; slaveTimeoutS: number } | "unusable" | "error";

function rs485Bus(raw: unknown, core: CoreBusKeys, issues: Issue[]): Rs485Result {
  const r = checkSchema(Rs485Schema, raw, "interface.RS485", issues);
  if (!r) return "error";
  const fromSection = r.port !== undefined && r.port.trim() !== "";
  const port = (fromSection ? r.port : core.rs485adapter)?.trim() ?? "";
  if (port === "") return "unusable";
  const path = fromSection ? "interface.RS485.port" : "config.rs485adapter";
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(port)?.[1]?.toLowerCase();
  if (scheme === "socket") {
    const hp = parseHostPort(port.slice("socket://".length).replace(/\/.*$/, ""), 0);
    if (!hp || hp.port === 0) {
      addError(issues, path, `must be socket://host:port (found ${show(port)})`);
      return "error";
    }
    return {
      bus: { kind: "TCP", host: hp.host, port: hp.port, viaRs485Port: true },
      slaveTimeoutS: r.slaveTimeout,
    };
  }
  if (scheme === "rfc2217") {
    const bus = rfc2217Bus(port, path, r.baud ?? core.baud ?? 9600, issues);
    return bus ? { bus, slaveTimeoutS: r.slaveTimeout } : "error";
  }
  if (scheme !== undefined) {
    addError(
      issues,
      path,
      `${scheme}:// is not supported; use a serial device path, socket://host:port or rfc2217://host:port`,
    );
    return "error";
  }
  return {
    bus: { kind: "RS485", path: port, baud: r.baud ?? core.baud ?? 9600 },
    slaveTimeoutS: r.slaveTimeout,
  };
}

/** Selects and validates the active bus interface; null when there is an error (reported in `issues`). */
export function resolveBus(
  rawInterface: unknown,
  core: CoreBusKeys,
  issues: Issue[],
): { bus: BusConfig; slaveTimeoutS: number } | null {
  let iface: Record<string, unknown> = {};
  if (rawInterface !== undefined && rawInterface !== null) {
    if (!isRecord(rawInterface)) {
      addError(issues, "interface", `must be an object (found ${show(rawInterface)})`);
      return null;
    }
    iface = rawInterface;
  }
  for (const key of Object.keys(iface)) {
    if (key !== "Dummy" && key !== "RS485" && key !== "TCP")
      addWarning(issues, `interface.${key}`, "unknown interface, ignored");
  }
  const dummyOn = readEnabled(iface.Dummy, "interface.Dummy", false, issues);
  const rs485On = readEnabled(iface.RS485, "interface.RS485", true, issues);
  const tcpOn = readEnabled(iface.TCP, "interface.TCP", false, issues);
  const on = (v: unknown, enabled: boolean): Record<string, unknown> => ({
    ...(isRecord(v) ? v : {}),
    enabled,
  });
  if (dummyOn) {
    if (tcpOn) addWarning(issues, "interface.TCP", "ignored: interface.Dummy is used");
    return dummyBus(on(iface.Dummy, true), issues);
  }
  if (rs485On) {
    const r = rs485Bus(on(iface.RS485, true), core, issues);
    if (r === "error") return null;
    if (r !== "unusable") {
      if (tcpOn) addWarning(issues, "interface.TCP", "ignored: interface.RS485 is used");
      return r;
    }
  }
  if (tcpOn) return tcpBus(on(iface.TCP, true), issues);
  addRaw(issues, "error", "interface", NO_BUS_MESSAGE);
  return null;
}

/** Exposed for documentation and tests: the twcID pattern of config.md §4.4. */
export const TWCID_REGEXP = new RegExp(TWCID_PATTERN, "u");
