/**
 * `--listen ADDR` and `--port N` (issue 12 §3): they replace control.HTTP.listenAddress and listenPort
 * of the demo or of a real config. Without control.HTTP there is nothing to override: an error that
 * says how to switch it on. Pure.
 */
import type { AppConfig } from "../config/app-config.ts";

/** The command line's HTTP overrides. */
export interface HttpOverride {
  listen?: string;
  port?: number;
}

/** Applies the overrides to `config` (in place); returns the error message, or null. */
export function applyHttpOverride(config: AppConfig, o: HttpOverride): string | null {
  if (o.listen === undefined && o.port === undefined) return null;
  const flags = [o.listen !== undefined ? "--listen" : null, o.port !== undefined ? "--port" : null].filter((f) => f !== null).join(" and ");
  if (config.http === null)
    return `${flags}: there is no web interface to move: control.HTTP is not enabled (add "control": {"HTTP": {"enabled": true}} to the config)`;
  config.http = {
    ...config.http,
    ...(o.listen !== undefined ? { listenAddress: o.listen } : {}),
    ...(o.port !== undefined ? { listenPort: o.port } : {}),
  };
  return null;
}
