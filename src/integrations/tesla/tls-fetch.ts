/**
 * A fetch-compatible HTTPS client with per-request TLS options (node:https, no shared agent), for the
 * vehicle-command proxy's certificate (`teslaProxyCert`: a PEM bundle or no verification) and for
 * tests' fakes. System-CA requests use Node's fetch. Every request carries the caller's timeout signal.
 */
import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { request as httpRequest } from "node:http";

/** The fetch signature the module uses. */
export type FetchFn = (url: string, init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal }) => Promise<Response>;

/** Node's fetch. */
export const systemFetch: FetchFn = (url, init) => fetch(url, init);

/** Fetch over node:https with `ca` (PEM text) or without verification. Plain http is passed through. */
export function tlsFetch(tls: { ca?: string; rejectUnauthorized?: boolean }): FetchFn {
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const isHttps = url.startsWith("https:");
      const fn = isHttps ? request : httpRequest;
      const req = fn(url, { method: init.method, headers: init.headers, agent: false, signal: init.signal, ...(isHttps ? tls : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (v === undefined) continue;
            for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
          }
          const status = res.statusCode ?? 500;
          resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers }));
        });
      });
      req.on("error", reject);
      req.end(init.body);
    });
}

/** The fetch for vehicle requests per `teslaProxyCert` (true: system CAs; false: none; a path: that PEM). */
export async function proxyFetch(cert: boolean | string): Promise<FetchFn> {
  if (cert === true) return systemFetch;
  if (cert === false) return tlsFetch({ rejectUnauthorized: false });
  return tlsFetch({ ca: await readFile(cert, "utf8") });
}
