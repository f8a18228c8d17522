/**
 * Why the bus link cannot be opened, in words a user can act on (issue 12 §1): an open error (its errno
 * code, or the text serialport and the sockets give) + the kind of link + its target → a reason and one
 * fix sentence, for the BUS_OPEN_FAILED alert, the log and the web interface. Pure.
 */

/** The kind of bus link that failed to open. */
export type BusLinkKind = "serial" | "tcp" | "rfc2217" | "tcp-listen";

/** The open failures told apart; "UNKNOWN" keeps the error's own text. */
export type OpenFailureCode =
  | "ENOENT"
  | "EACCES"
  | "EBUSY"
  | "ENXIO"
  | "ENOTTY"
  | "ECONNREFUSED"
  | "EHOSTUNREACH"
  | "ETIMEDOUT"
  | "ENOTFOUND"
  | "ECONNRESET"
  | "EADDRINUSE"
  | "EADDRNOTAVAIL"
  /** A listener that is up, but no bridge has connected to it yet. */
  | "NO_BRIDGE"
  | "UNKNOWN";

/** What was being opened. */
export interface BusLinkTarget {
  kind: BusLinkKind;
  /** Device path, `host:port`, or the listen address `host:port`. */
  target: string;
  /** The config key that names the target, e.g. `interface.RS485.port`. */
  configKey: string;
}

/** A reason and the fix, and both as one alert message. */
export interface OpenFailureExplanation {
  code: OpenFailureCode;
  /** "cannot open /dev/ttyUSB0: no such file". */
  reason: string;
  /** One sentence: what to check or do. */
  fix: string;
  /** `${reason} — ${fix}`. */
  message: string;
}

/** errno codes that mean the same to a user, folded onto the ones explained. */
const ALIASES: Readonly<Record<string, OpenFailureCode>> = {
  ENOENT: "ENOENT",
  EACCES: "EACCES",
  EPERM: "EACCES",
  EBUSY: "EBUSY",
  EAGAIN: "EBUSY",
  EWOULDBLOCK: "EBUSY",
  ENXIO: "ENXIO",
  ENODEV: "ENXIO",
  ENOTTY: "ENOTTY",
  ECONNREFUSED: "ECONNREFUSED",
  EHOSTUNREACH: "EHOSTUNREACH",
  ENETUNREACH: "EHOSTUNREACH",
  EHOSTDOWN: "EHOSTUNREACH",
  ENETDOWN: "EHOSTUNREACH",
  ETIMEDOUT: "ETIMEDOUT",
  ENOTFOUND: "ENOTFOUND",
  EAI_AGAIN: "ENOTFOUND",
  EAI_NONAME: "ENOTFOUND",
  ECONNRESET: "ECONNRESET",
  EPIPE: "ECONNRESET",
  EADDRINUSE: "EADDRINUSE",
  EADDRNOTAVAIL: "EADDRNOTAVAIL",
};

/** The texts of strerror(3) and of our transports, for errors that carry no `code` (serialport's). */
const TEXTS: readonly [RegExp, OpenFailureCode][] = [
  [/no such file or directory/i, "ENOENT"],
  [/permission denied|operation not permitted/i, "EACCES"],
  [/cannot lock port|resource busy|resource temporarily unavailable|device or resource busy/i, "EBUSY"],
  [/no such device/i, "ENXIO"],
  [/inappropriate ioctl|not a typewriter|not a tty/i, "ENOTTY"],
  [/connection refused/i, "ECONNREFUSED"],
  [/(host|network) is unreachable|no route to host/i, "EHOSTUNREACH"],
  [/time(d)? ?out/i, "ETIMEDOUT"],
  [/getaddrinfo|unknown host|name or service not known/i, "ENOTFOUND"],
  [/connection reset|broken pipe|closed by the remote end/i, "ECONNRESET"],
  [/address already in use/i, "EADDRINUSE"],
  [/cannot assign requested address/i, "EADDRNOTAVAIL"],
  [/no bridge has connected/i, "NO_BRIDGE"],
];

/** The errno of an error: its own `code`, else the transports' `context.errno` (transport/open-error.ts). */
function codeField(v: unknown): string | null {
  if (typeof v !== "object" || v === null) return null;
  const c = (v as { code?: unknown }).code;
  if (typeof c === "string" && ALIASES[c.toUpperCase()] !== undefined) return c.toUpperCase();
  const context = (v as { context?: unknown }).context;
  const errno = typeof context === "object" && context !== null ? (context as { errno?: unknown }).errno : undefined;
  return typeof errno === "string" ? errno.toUpperCase() : null;
}

function messageOf(v: unknown): string {
  if (v instanceof Error) return v.message;
  if (typeof v === "object" && v !== null && typeof (v as { message?: unknown }).message === "string")
    return (v as { message: string }).message;
  return typeof v === "string" ? v : "";
}

/** The errors to look at: the error, its causes and an AggregateError's members (bounded). */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  const todo: unknown[] = [err];
  while (todo.length > 0 && out.length < 16) {
    const e = todo.shift();
    if (e === undefined || e === null || out.includes(e)) continue;
    out.push(e);
    if (typeof e === "object") {
      const o = e as { cause?: unknown; errors?: unknown };
      if (o.cause !== undefined) todo.push(o.cause);
      if (Array.isArray(o.errors)) todo.push(...(o.errors as unknown[]));
    }
  }
  return out;
}

/** Classifies an open error: an errno `code` anywhere in its cause chain wins, then its text. */
export function openFailureCode(err: unknown): OpenFailureCode {
  const errors = chain(err);
  for (const e of errors) {
    const c = codeField(e);
    if (c !== null && ALIASES[c] !== undefined) return ALIASES[c];
  }
  for (const e of errors) {
    const m = messageOf(e);
    const code = /\b(E[A-Z]{3,}|EAI_[A-Z]+)\b/.exec(m)?.[1];
    if (code !== undefined && ALIASES[code] !== undefined) return ALIASES[code];
    for (const [re, c] of TEXTS) if (re.test(m)) return c;
  }
  return "UNKNOWN";
}

/** The innermost message of an error (serialport's "Error: …, cannot open …" without its prefix). */
export function openFailureDetail(err: unknown): string {
  const errors = chain(err);
  const last = errors.length > 1 ? errors[1] : errors[0];
  return messageOf(last).replace(/^Error:?\s*/, "").trim() || messageOf(err) || String(err);
}

function hostOf(target: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(target) ?? /^([^:]+)(?::\d+)?$/.exec(target);
  return m?.[1] ?? target;
}

function portOf(target: string): string {
  return /:(\d+)$/.exec(target)?.[1] ?? "";
}

function serial(code: OpenFailureCode, t: BusLinkTarget, detail: string): [string, string] {
  const open = `cannot open ${t.target}`;
  const known: Partial<Record<OpenFailureCode, [string, string]>> = {
    ENOENT: [`${open}: no such file`, `check \`${t.configKey}\`; \`ls /dev/serial/by-id\` lists the adapters plugged in (use that path, it survives a reboot)`],
    EACCES: [`${open}: permission denied`, "add the user that runs TWCManager to the dialout group (`sudo usermod -aG dialout <user>`, then log in again or restart the service)"],
    EBUSY: [`${open}: the port is in use`, `another program (the old TWCManager service?) has the port: stop it (\`sudo systemctl stop twcmanager\`) or find it with \`fuser ${t.target}\``],
    ENXIO: [`${open}: no such device`, "the adapter is gone (unplugged, or a loose USB cable?); `ls /dev/serial/by-id` lists the adapters plugged in"],
    ENOTTY: [`${open}: not a serial port`, `check \`${t.configKey}\`: it must name the RS-485 adapter (\`ls /dev/serial/by-id\`)`],
  };
  return known[code] ?? [`${open}: ${detail}`, `check \`${t.configKey}\` and the RS-485 adapter (\`ls /dev/serial/by-id\`)`];
}

function client(code: OpenFailureCode, t: BusLinkTarget, detail: string): [string, string] {
  const to = `cannot connect to ${t.target}`;
  const host = hostOf(t.target);
  const server = t.kind === "rfc2217" ? "ser2net" : "the RS-485 bridge";
  const serving =
    t.kind === "rfc2217"
      ? `is ser2net running, serving the adapter with RFC 2217 on port ${portOf(t.target)} (\`telnet(rfc2217)\` in its configuration)?`
      : `is the bridge on, and is its TCP server port ${portOf(t.target)}?`;
  const known: Partial<Record<OpenFailureCode, [string, string]>> = {
    ECONNREFUSED: [`${to}: connection refused`, `nothing listens there: ${serving} Check \`${t.configKey}\``],
    EHOSTUNREACH: [`${to}: host unreachable`, `check the address in \`${t.configKey}\` and that ${server} is on this network (\`ping ${host}\`)`],
    ETIMEDOUT: [`${to}: no answer (timed out)`, `check the address in \`${t.configKey}\`, that ${server} is powered and on the network, and any firewall between`],
    ENOTFOUND: [`${to}: unknown host ${host}`, `check the host name in \`${t.configKey}\`, or use the IP address of ${server}`],
    ECONNRESET: [`${to}: the connection was closed at once`, `${server} may accept one client only: another program (the old TWCManager service?) may hold it`],
    EACCES: [`${to}: not permitted`, "a firewall on this machine refuses the connection"],
  };
  return known[code] ?? [`${to}: ${detail}`, `check \`${t.configKey}\` and that ${server} is reachable`];
}

function listener(code: OpenFailureCode, t: BusLinkTarget, detail: string): [string, string] {
  const on = `cannot listen on ${t.target}`;
  const known: Partial<Record<OpenFailureCode, [string, string]>> = {
    EADDRINUSE: [`${on}: the port is in use`, `another program (the old TWCManager service?) listens on port ${portOf(t.target)}: stop it, or choose another port in \`${t.configKey}\``],
    EACCES: [`${on}: permission denied`, `ports below 1024 need privileges: choose a port of 1024 or above in \`${t.configKey}\``],
    EADDRNOTAVAIL: [`${on}: ${hostOf(t.target)} is not an address of this machine`, `check the listen address in \`${t.configKey}\` (leave it out to listen on every interface)`],
    NO_BRIDGE: [`no RS-485 bridge has connected to ${t.target} yet`, `set the bridge to connect as a TCP client to this machine's address, port ${portOf(t.target)}, and check any firewall between`],
  };
  return known[code] ?? [`${on}: ${detail}`, `check \`${t.configKey}\``];
}

/** The reason and fix for an open failure of `target` (`detail`: the error's own text, for unknown codes). */
export function explainOpenFailure(code: OpenFailureCode, target: BusLinkTarget, detail = "unknown error"): OpenFailureExplanation {
  const [reason, fix] =
    target.kind === "serial"
      ? serial(code, target, detail)
      : target.kind === "tcp-listen"
        ? listener(code, target, detail)
        : client(code, target, detail);
  return { code, reason, fix, message: `${reason} — ${fix}` };
}

/** Classifies `err` and explains it. */
export function explainOpenError(err: unknown, target: BusLinkTarget): OpenFailureExplanation {
  return explainOpenFailure(openFailureCode(err), target, openFailureDetail(err));
}
