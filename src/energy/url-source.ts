/**
 * URL energy source (config.md §5.4): `GET <url>/<item>` for the generation and consumption items, body
 * such as `1234`, `1234 W` or `1.5kW`; an empty item is not fetched (0). Both configured items must
 * succeed for a new reading; otherwise the previous reading and its timestamp are kept.
 */
import { parsePowerText } from "./parse.ts";
import {
  DEFAULT_POLL_INTERVAL_S,
  PollingSource,
  bothValues,
  REQUEST_TIMEOUT_MS,
  SourceFetchError,
  fetchWithTimeout,
} from "./polling-source.ts";
import type { FetchFn, PolledValues } from "./polling-source.ts";
import type { SourceDeps } from "./source.ts";
import { redactText } from "../shared/redact.ts";

/** `sources.URL` keys used here. */
export interface UrlSourceConfig {
  url: string;
  generationItem?: string;
  consumptionItem?: string;
  /** Seconds, default 10. */
  pollIntervalS?: number;
}

/** Dependencies of the URL source. */
export interface UrlSourceDeps extends SourceDeps {
  fetchImpl?: FetchFn;
  /** Request timeout (ms), default 2000. */
  timeoutMs?: number;
}

/** `<url>/<item>` without doubling the slash. */
export function itemUrl(base: string, item: string): string {
  return `${base.replace(/\/+$/, "")}/${item.replace(/^\/+/, "")}`;
}

async function fetchItem(url: string, deps: UrlSourceDeps, signal: AbortSignal): Promise<number> {
  const { status, body } = await fetchWithTimeout(
    url,
    { method: "GET", headers: { accept: "text/plain, */*" } },
    {
      clock: deps.clock,
      timeoutMs: deps.timeoutMs ?? REQUEST_TIMEOUT_MS,
      signal,
      ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
    },
  );
  if (status < 200 || status > 299) throw new SourceFetchError(`${redactText(url)}: HTTP ${status}`);
  const watts = parsePowerText(body);
  if (watts === null)
    throw new SourceFetchError(`${redactText(url)}: unparsable value ${JSON.stringify(body.slice(0, 40))}`);
  return watts;
}

/** Creates the URL source (not started). */
export function createUrlSource(cfg: UrlSourceConfig, deps: UrlSourceDeps): PollingSource {
  const gen = cfg.generationItem?.trim() ?? "";
  const cons = cfg.consumptionItem?.trim() ?? "";
  const poll = async (signal: AbortSignal): Promise<PolledValues> => {
    const [generationW, consumptionW] = await bothValues(
      gen === "" ? null : () => fetchItem(itemUrl(cfg.url, gen), deps, signal),
      cons === "" ? null : () => fetchItem(itemUrl(cfg.url, cons), deps, signal),
    );
    return { generationW, consumptionW };
  };
  return new PollingSource("URL", deps, cfg.pollIntervalS ?? DEFAULT_POLL_INTERVAL_S, poll);
}
