/**
 * Certificate checking for the two devices that ship self-signed HTTPS certificates, the Powerwall
 * gateway and the local Envoy (energy-sources.md §1.6). Default, as upstream: not verified — for that
 * device's own requests only (per-request options, no shared agent, nothing process-wide). Our
 * extensions: `verifyCertificate: true` verifies as for any host (system CAs and host name); `caFile`
 * pins a PEM file (the device's own certificate, or the CA that issued it): the chain must lead to it,
 * and the host name is checked only together with `verifyCertificate` (device certificates name the
 * device, e.g. "teslapw" or "envoy", not the address it is reached at).
 */
import { readFile } from "node:fs/promises";
import type { checkServerIdentity } from "node:tls";
import { SourceFetchError } from "../polling-source.ts";

/** The TLS keys of `sources.Powerwall2` and `sources.Enphase`. */
export interface DeviceTlsConfig {
  verifyCertificate?: boolean;
  caFile?: string;
}

/** The options handed to `https.request` for one device request. */
export interface TlsRequestOptions {
  rejectUnauthorized: boolean;
  ca?: string;
  checkServerIdentity?: typeof checkServerIdentity;
}

/** Skips only the host-name comparison (the chain is still verified against the pinned file). */
const anyHostName: typeof checkServerIdentity = () => undefined;

/**
 * The TLS options of a device's requests, read once (the CA file on first use; a read failure fails
 * that fetch with a message naming `caFile` and is retried at the next one).
 */
export function deviceTls(cfg: DeviceTlsConfig, key: string): () => Promise<TlsRequestOptions> {
  const caFile = (cfg.caFile ?? "").trim();
  const verify = cfg.verifyCertificate === true;
  if (caFile === "") {
    const fixed: TlsRequestOptions = { rejectUnauthorized: verify };
    return () => Promise.resolve(fixed);
  }
  let loaded: TlsRequestOptions | null = null;
  return async () => {
    if (loaded) return loaded;
    let ca: string;
    try {
      ca = await readFile(caFile, "utf8");
    } catch (err) {
      const code = (err as { code?: string }).code ?? String(err);
      throw new SourceFetchError(`sources.${key}.caFile ${caFile}: cannot be read (${code})`);
    }
    if (!ca.includes("-----BEGIN CERTIFICATE-----"))
      throw new SourceFetchError(`sources.${key}.caFile ${caFile}: no PEM certificate in the file`);
    loaded = { rejectUnauthorized: true, ca, ...(verify ? {} : { checkServerIdentity: anyHostName }) };
    return loaded;
  };
}
