/**
 * Host header parsing and the Host allow-list against DNS rebinding (http-api.md §3.4). Pure.
 */
import { isIP } from "node:net";

/** A parsed Host header: lower-case host name (IPv6 in brackets, no trailing dot) and explicit port. */
export interface HostPort {
  name: string;
  port: number | null;
}

const HOST_PATTERN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/;

/** Parses a Host header (or an authority); null when absent or malformed. */
export function parseHost(header: string | undefined): HostPort | null {
  if (header === undefined) return null;
  const m = HOST_PATTERN.exec(header.trim());
  if (!m) return null;
  let name: string;
  try {
    name = new URL(`http://${m[1] ?? ""}`).hostname;
  } catch {
    return null;
  }
  if (name.endsWith(".")) name = name.slice(0, -1);
  if (name === "") return null;
  const port = m[2] === undefined ? null : Number(m[2]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  return { name, port };
}

/** True when the host name is an IPv4 or IPv6 literal. */
export function isIpLiteral(name: string): boolean {
  if (name.startsWith("[") && name.endsWith("]")) return isIP(name.slice(1, -1)) === 6;
  return isIP(name) === 4;
}

/** True when `name` matches one allow-list entry (exact, or `*.example.com` for any sub-domain). */
function matchesEntry(name: string, entry: string): boolean {
  let e = entry.trim().toLowerCase();
  if (e.endsWith(".")) e = e.slice(0, -1);
  if (e.startsWith("*.")) {
    const suffix = e.slice(1);
    return name.length > suffix.length && name.endsWith(suffix);
  }
  return name === e;
}

/**
 * The §3.4 decision: with an empty list everything passes; otherwise the Host must be present and name an
 * IP literal, `localhost`, or an allowed host.
 */
export function hostAllowed(header: string | undefined, allowedHosts: readonly string[]): boolean {
  if (allowedHosts.length === 0) return true;
  const host = parseHost(header);
  if (!host) return false;
  if (isIpLiteral(host.name) || host.name === "localhost") return true;
  return allowedHosts.some((entry) => matchesEntry(host.name, entry));
}
