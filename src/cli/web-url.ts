/**
 * Where the web interface is, in words (issue 12 §2–§3): the URL for the startup log, the demo's banner
 * and check-config's summary, from control.HTTP (address, port, TLS, authentication). Pure.
 */
import { isIP } from "node:net";
import type { HttpConfig } from "../config/app-config.ts";

/** `localhost`, 127.0.0.0/8, `::1`, `::ffff:127.x.y.z` (as http/security/listeners.ts, without loading the HTTP layer). */
export function isLoopback(address: string | null): boolean {
  if (address === null) return false;
  const a = address.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (a === "localhost" || a === "::1") return true;
  const v4 = a.startsWith("::ffff:") ? a.slice(7) : a;
  return isIP(v4) === 4 && v4.startsWith("127.");
}

/** The URL of a listener and whether it is reachable from other machines. */
export interface WebUrl {
  /** `http://127.0.0.1:8080/`, `http://0.0.0.0:8080/`, `https://[::1]:8443/`. */
  url: string;
  /** A URL to open on this machine (`localhost` when listening on every interface). */
  localUrl: string;
  loopbackOnly: boolean;
  everyInterface: boolean;
}

function hostPart(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

/** The URL of `address:port` (null or "::"/"0.0.0.0": every interface). */
export function webUrl(address: string | null, port: number, tls: boolean): WebUrl {
  const scheme = tls ? "https" : "http";
  const every = address === null || address === "" || address === "::" || address === "0.0.0.0";
  const shown = address === null || address === "" ? "0.0.0.0" : address;
  const url = `${scheme}://${hostPart(shown)}:${port}/`;
  return {
    url,
    localUrl: every ? `${scheme}://localhost:${port}/` : url,
    loopbackOnly: isLoopback(address),
    everyInterface: every,
  };
}

/** True when control.HTTP asks for a login (tokens or a user with a password). */
function hasAuth(http: HttpConfig): boolean {
  const a = http.auth;
  return a !== null && (a.tokens.length > 0 || (a.username !== null && (a.password !== null || a.passwordHash !== null)));
}

/** One line: "web interface on http://0.0.0.0:8080/ (…)" or "no web interface: control.HTTP is not enabled". */
export function webInterfaceLine(http: HttpConfig | null, port: number | null = null): string {
  if (http === null) return "no web interface: control.HTTP is not enabled";
  const w = webUrl(http.listenAddress, port ?? http.listenPort, http.tls !== null);
  const reach = w.loopbackOnly
    ? "this machine only; control.HTTP.listenAddress or --listen opens it to the network"
    : w.everyInterface
      ? "every network interface"
      : "this address only";
  const auth = hasAuth(http) ? "sign-in required" : w.loopbackOnly ? "no sign-in" : "no sign-in: anyone on the network can control the chargers; configure control.HTTP.auth";
  return `web interface on ${w.url} (${reach}; ${auth})`;
}
