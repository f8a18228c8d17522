/**
 * A fetch-compatible HTTPS client with per-request TLS options (node:https, no shared agent), for the
 * vehicle-command proxy's certificate (`teslaProxyCert`: a PEM bundle or no verification) and for
 * tests' fakes. System-CA requests use Node's fetch. Every request carries the caller's timeout signal.
 */
import { readFile } from "node:fs/promises";
import { deviceFetch } from "../../energy/sources/powerwall2-tls.ts";

/** The fetch signature the module uses. */
export type FetchFn = (url: string, init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal }) => Promise<Response>;

/** Node's fetch. */
export const systemFetch: FetchFn = (url, init) => fetch(url, init);

/** Fetch over node:https with `ca` (PEM text) or without verification (energy/sources/powerwall2-tls.ts's client). Plain http goes to Node's fetch. */
export function tlsFetch(tls: { ca?: string; rejectUnauthorized?: boolean }): FetchFn {
  const options = { rejectUnauthorized: tls.rejectUnauthorized ?? true, ...(tls.ca !== undefined ? { ca: tls.ca } : {}) };
  const https = deviceFetch(() => Promise.resolve(options));
  return (url, init) => (url.startsWith("https:") ? https(url, init) : fetch(url, init));
}

/** The fetch for vehicle requests per `teslaProxyCert` (true: system CAs; false: none; a path: that PEM). */
export async function proxyFetch(cert: boolean | string): Promise<FetchFn> {
  if (cert === true) return systemFetch;
  if (cert === false) return tlsFetch({ rejectUnauthorized: false });
  return tlsFetch({ ca: await readFile(cert, "utf8") });
}
