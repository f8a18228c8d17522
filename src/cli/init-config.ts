/**
 * What `twcmanager init` asks and writes (issue 12 §2): the answers, their checks (one message naming
 * the question or flag), the defaults, the serial port candidates, and the commented config.json text
 * built from the answers (JSON with `#` comments, as config.md §3.1 reads it). Pure.
 */

/** The answers a config is written from. */
export interface InitAnswers {
  /** Serial device, `socket://host:port` or `rfc2217://host:port`. */
  port: string;
  wiringMaxAmpsAllTWCs: number;
  wiringMaxAmpsPerTWC: number;
  minAmpsPerTWC: number;
  defaultVoltage: number;
  numberOfPhases: number;
  /** null: no web interface. */
  httpPort: number | null;
  /** null: every interface. */
  listenAddress: string | null;
  settingsPath: string;
}

/** Defaults of the questions that have one. */
export const INIT_DEFAULTS = {
  minAmpsPerTWC: 6,
  defaultVoltage: 240,
  numberOfPhases: 1,
  httpPort: 8080,
} as const;

/** A checked answer, or the message saying what is wrong. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const fail = <T>(message: string): Checked<T> => ({ ok: false, message });

function number(text: string, what: string): Checked<number> {
  const t = text.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) return fail(`${what}: "${text}" is not a number`);
  return { ok: true, value: Number(t) };
}

/** Amps in (0, 1000]: a wiring limit or a minimum. */
export function checkAmps(text: string, what: string): Checked<number> {
  const n = number(text, what);
  if (!n.ok) return n;
  if (n.value <= 0 || n.value > 1000) return fail(`${what}: ${n.value} A is not a current in amps (1–1000)`);
  return n;
}

/** The voltage of one phase, 100–480 V. */
export function checkVoltage(text: string): Checked<number> {
  const n = number(text, "voltage");
  if (!n.ok) return n;
  if (n.value < 100 || n.value > 480) return fail(`voltage: ${n.value} V is outside 100–480 V (the voltage of one phase, e.g. 230 or 240)`);
  return n;
}

/** 1, 2 or 3 phases. */
export function checkPhases(text: string): Checked<number> {
  const t = text.trim();
  if (!/^[123]$/.test(t)) return fail(`phases: "${text}" must be 1, 2 or 3`);
  return { ok: true, value: Number(t) };
}

/** An HTTP port 1–65535, or "off"/"no"/"0" for no web interface. */
export function checkHttpPort(text: string): Checked<number | null> {
  const t = text.trim().toLowerCase();
  if (t === "off" || t === "no" || t === "none" || t === "0") return { ok: true, value: null };
  if (!/^\d{1,5}$/.test(t) || Number(t) > 65535) return fail(`web interface port: "${text}" must be 1–65535, or off`);
  return { ok: true, value: Number(t) };
}

/** A serial device path, `socket://host:port` or `rfc2217://host:port`. */
export function checkBusPort(text: string): Checked<string> {
  const t = text.trim();
  if (t === "") return fail("port: give the RS-485 adapter (e.g. /dev/serial/by-id/usb-FTDI_…) or socket://host:port");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(t)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (scheme !== "socket" && scheme !== "rfc2217") return fail(`port: ${scheme}:// is not a bus link; use a device path, socket://host:port or rfc2217://host:port`);
    if (!/^[a-z0-9+.-]+:\/\/[^/\s:]+:\d{1,5}\/?$/i.test(t) && !/^[a-z0-9+.-]+:\/\/\[[^\]]+\]:\d{1,5}\/?$/i.test(t))
      return fail(`port: "${t}" must be ${scheme}://host:port`);
    return { ok: true, value: t };
  }
  if (!t.startsWith("/") && !/^COM\d+$/i.test(t)) return fail(`port: "${t}" is not a device path (e.g. /dev/ttyUSB0) or socket://host:port`);
  return { ok: true, value: t };
}

/** The serial port candidates: the /dev/serial/by-id names (stable), else ttyUSB/ttyACM devices. */
export function serialCandidates(byId: readonly string[], dev: readonly string[]): string[] {
  if (byId.length > 0) return [...byId].sort().map((n) => `/dev/serial/by-id/${n}`);
  return dev.filter((n) => /^tty(USB|ACM)\d+$/.test(n)).sort().map((n) => `/dev/${n}`);
}

/** The default settings directory for a config written to `configPath` (absolute). */
export function defaultSettingsPath(configPath: string): string {
  if (configPath.startsWith("/etc/")) return "/var/lib/twcmanager";
  const dir = configPath.slice(0, Math.max(configPath.lastIndexOf("/"), 0)) || ".";
  return `${dir}/data`;
}

const q = (s: string): string => JSON.stringify(s);

/** The commented config.json for the answers. */
export function initConfigText(a: InitAnswers, writtenAt: string): string {
  const url = a.port.toLowerCase().startsWith("socket://") || a.port.toLowerCase().startsWith("rfc2217://");
  const http =
    a.httpPort === null
      ? [
          `    # No web interface (set "enabled": true for one on http://<this machine>:8080/).`,
          `    "HTTP": { "enabled": false, "listenPort": 8080 }`,
        ]
      : [
          `    # The web interface and the API: http://<this machine>:${a.httpPort}/`,
          `    "HTTP": {`,
          `      "enabled": true,`,
          `      "listenPort": ${a.httpPort}${a.listenAddress === null ? "" : ","}`,
          ...(a.listenAddress === null
            ? [`      # "listenAddress": "127.0.0.1",   # this machine only (default: every network interface)`]
            : [`      "listenAddress": ${q(a.listenAddress)}`]),
          `      # Sign-in, recommended beyond your own network: "auth": { "username": "admin",`,
          `      #   "passwordHash": "<the output of: twcmanager hash-password>" }`,
          `    }`,
        ];
  return [
    `{`,
    `  # TWCManager configuration, written by \`twcmanager init\` on ${writtenAt}.`,
    `  # Comments (# and //) and trailing commas are fine. Check it with \`twcmanager check-config\`;`,
    `  # every key is described in examples/config.json and the README.`,
    `  "config": {`,
    `    # Where settings.json and the history database live (created when missing).`,
    `    "settingsPath": ${q(a.settingsPath)},`,
    `    # The breaker of the circuit feeding all chargers × 0.8 (a 40 A breaker → 32). Never exceeded.`,
    `    "wiringMaxAmpsAllTWCs": ${a.wiringMaxAmpsAllTWCs},`,
    `    # The same for one charger (the same value when one breaker feeds one charger).`,
    `    "wiringMaxAmpsPerTWC": ${a.wiringMaxAmpsPerTWC},`,
    `    # Never offer a car less than this (6 A is the least a Tesla charges at).`,
    `    "minAmpsPerTWC": ${a.minAmpsPerTWC},`,
    `    # Used until the chargers report theirs: the voltage of one phase, and the number of phases.`,
    `    "defaultVoltage": ${a.defaultVoltage},`,
    `    "numberOfPhases": ${a.numberOfPhases},`,
    `    # 1: the controller is the master of the chargers' bus (set each charger's rotary switch to F).`,
    `    "fakeMaster": 1,`,
    `    # 20: normal operation; 10: every bus frame too.`,
    `    "logLevel": 20`,
    `  },`,
    `  "interface": {`,
    url
      ? `    # The RS-485 bus through a network bridge (socket://host:port) or ser2net (rfc2217://host:port).`
      : `    # The RS-485 adapter; \`ls /dev/serial/by-id\` lists them (those names survive a reboot).`,
    `    "RS485": { "port": ${q(a.port)} }`,
    `  },`,
    `  "control": {`,
    ...http,
    `  },`,
    `  "sources": {`,
    `    # An energy source turns on the solar policies. For a Fronius inverter, remove the # below:`,
    `    # "Fronius": { "enabled": true, "serverIP": "192.168.1.30" },`,
    `    # Others (Powerwall2, SolarEdge, Enphase, HASS, MQTT, URL, …): see examples/config.json.`,
    `  },`,
    `  "logging": {`,
    `    # One readable line per event on the console (journalctl when run as a service).`,
    `    "Console": { "enabled": true }`,
    `  }`,
    `}`,
    ``,
  ].join("\n");
}
