/**
 * A fetch-compatible HTTPS client that does not verify the server certificate, for the Powerwall
 * gateway only (energy-sources.md §1.6, §3.3: the vendor ships a self-signed certificate). The setting
 * is per request (`rejectUnauthorized: false` on this request's agent options), never process-wide.
 */
import { request } from "node:https";
import type { FetchFn } from "../polling-source.ts";

function headerRecord(h: RequestInit["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(h).forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

/** GET/POST over HTTPS without certificate verification; answers a standard Response (Set-Cookie kept). */
export const insecureFetch: FetchFn = (input, init) =>
  new Promise<Response>((resolve, reject) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const body = typeof init?.body === "string" ? init.body : undefined;
    const req = request(
      url,
      {
        method: init?.method ?? "GET",
        headers: headerRecord(init?.headers),
        rejectUnauthorized: false,
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
