/**
 * One HTTPS GET to the local Envoy (energy-sources.md §1.6, §6.3) on `node:https`, with certificate
 * verification off unless asked for (device-tls.ts) — for this request only (its own options, no shared agent, nothing
 * process-wide). Timed out on the injected clock, aborted with the source; answers status, the
 * `Set-Cookie` headers and the body (at most 1 MiB). Redirects are not followed (a login redirect is an
 * answer the caller handles).
 */
import { request as httpsRequest } from "node:https";
import type { Clock } from "../../shared/clock.ts";
import { SourceFetchError } from "../polling-source.ts";
import { errorMessage } from "../source.ts";
import type { TlsRequestOptions } from "./device-tls.ts";
import { traceExchange } from "../source-trace.ts";

/** Largest body read (bytes). */
export const MAX_BODY_BYTES = 1 << 20;

/** The parts of an answer the Envoy client needs. */
export interface EnvoyAnswer {
  status: number;
  contentType: string;
  setCookie: readonly string[];
  body: string;
}

/** Options of {@link envoyGet}. */
export interface EnvoyGetOptions {
  clock: Clock;
  timeoutMs: number;
  /** The certificate rules (device-tls.ts); by default for the Envoy a self-signed one is accepted. */
  tls: TlsRequestOptions;
  signal?: AbortSignal;
}

/** GETs `url` (https) with `headers`; rejects with a SourceFetchError on timeout, stop or a network error. */
export function envoyGet(
  url: string,
  headers: Record<string, string>,
  o: EnvoyGetOptions,
): Promise<EnvoyAnswer> {
  return new Promise<EnvoyAnswer>((resolve, reject) => {
    let settled = false;
    const settle = (err: SourceFetchError | null, answer?: EnvoyAnswer): void => {
      if (settled) return;
      settled = true;
      o.clock.clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      if (err) {
        req.destroy();
        traceExchange(`GET ${url}`, null, "", err.message);
        reject(err);
      } else if (answer) {
        traceExchange(`GET ${url}`, answer.status, answer.body);
        resolve(answer);
      }
    };
    const req = httpsRequest(
      url,
      { method: "GET", headers, agent: false, ...o.tls },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES)
            settle(new SourceFetchError(`answer larger than ${MAX_BODY_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on("error", (err) => settle(new SourceFetchError(`request failed: ${errorMessage(err)}`)));
        res.on("end", () => {
          const cookie = res.headers["set-cookie"];
          settle(null, {
            status: res.statusCode ?? 0,
            contentType: String(res.headers["content-type"] ?? ""),
            setCookie: cookie ?? [],
            body: Buffer.concat(chunks).toString("utf8"),
          });
        });
      },
    );
    const timer = o.clock.setTimeout(
      () => settle(new SourceFetchError(`timeout after ${o.timeoutMs} ms`)),
      o.timeoutMs,
    );
    const onAbort = (): void => settle(new SourceFetchError("stopped"));
    o.signal?.addEventListener("abort", onAbort);
    if (o.signal?.aborted === true) onAbort();
    req.on("error", (err) => settle(new SourceFetchError(`request failed: ${errorMessage(err)}`)));
    req.end();
  });
}
