/**
 * Cross-site request defence (http-api.md §3.3): state-changing requests must come from our own origin,
 * from a configured extra origin, or carry no Origin header at all. Pure.
 */
import { parseHost } from "./hosts.ts";

/** Methods never subject to the Origin check. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function defaultPort(scheme: string): number | null {
  if (scheme === "http:") return 80;
  if (scheme === "https:") return 443;
  return null;
}

/** A serialised origin (`scheme://host[:port]`) as a URL, or null when it is not one (`null`, paths…). */
function parseOrigin(text: string): URL | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (defaultPort(url.protocol) === null) return null;
  if (
    url.username !== "" ||
    url.password !== "" ||
    url.pathname !== "/" ||
    url.search !== "" ||
    url.hash !== ""
  ) {
    return null;
  }
  return url;
}

/** Normalises configured `allowedOrigins` (invalid entries are dropped). */
export function normaliseOrigins(list: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const entry of list) {
    const url = parseOrigin(entry);
    if (url) out.add(url.origin);
  }
  return out;
}

/** What the Origin check needs to know about a request. */
export interface OriginInput {
  method: string;
  origin: string | undefined;
  host: string | undefined;
  /** The connection is TLS (default port 443 for the Host header). */
  tls: boolean;
}

/** True when the request passes the §3.3 Origin check. */
export function originAllowed(req: OriginInput, allowedOrigins: ReadonlySet<string>): boolean {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return true;
  if (req.origin === undefined) return true;
  const origin = parseOrigin(req.origin);
  if (!origin) return false;
  const host = parseHost(req.host);
  if (host) {
    const originPort = origin.port === "" ? defaultPort(origin.protocol) : Number(origin.port);
    const hostPort = host.port ?? (req.tls ? 443 : 80);
    let originName = origin.hostname;
    if (originName.endsWith(".")) originName = originName.slice(0, -1);
    if (originName === host.name && originPort === hostPort) return true;
  }
  return allowedOrigins.has(origin.origin);
}
