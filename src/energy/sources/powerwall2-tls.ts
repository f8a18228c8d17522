/**
 * A fetch-compatible HTTPS client with the Powerwall gateway's certificate rules (device-tls.ts; by
 * default not verified, energy-sources.md §1.6, §3.3: the vendor ships a self-signed certificate). The
 * setting is per request (this request's own options, no shared agent), never process-wide.
 */
import { request } from "node:https";
import type { FetchFn } from "../polling-source.ts";
import type { TlsRequestOptions } from "./device-tls.ts";

function headerRecord(h: RequestInit["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(h).forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

/** GET/POST over HTTPS with the device's TLS options; answers a standard Response (Set-Cookie kept). */
export function deviceFetch(tls: () => Promise<TlsRequestOptions>): FetchFn {
  return async (input, init) => send(input, init, await tls());
}

/** {@link deviceFetch} without certificate verification (the upstream default). */
export const insecureFetch: FetchFn = (input, init) => send(input, init, { rejectUnauthorized: false });

function send(input: Parameters<FetchFn>[0], init: Parameters<FetchFn>[1], tls: TlsRequestOptions): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const body = typeof init?.body === "string" ? init.body : undefined;
    const req = request(
      url,
      {
        method: init?.method ?? "GET",
        headers: headerRecord(init?.headers),
        agent: false,
        ...tls,
        ...(init?.signal ? { signal: init.signal } : {}),
      },
      (res) => {
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
          const noBody = status === 204 || status === 304;
          resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, headers }));
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
