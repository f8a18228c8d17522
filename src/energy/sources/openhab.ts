/**
 * openHAB (energy-sources.md §10): `GET http://<serverIP>:<serverPort>/rest/items/<item>/state` per
 * configured item; the plain-text state parsed like the URL source (`2351.2`, `2351.2 W`, `1.2 kW`).
 * `NULL`/`UNDEF`, another unit or a non-2xx status fail the read; both items must succeed.
 */
import { parsePowerText } from "../parse.ts";
import { bothValues, SourceFetchError } from "../polling-source.ts";
import type { OpenHabConfig } from "./openhab-schema.ts";
import { createModuleSource, hostPort, request } from "./module-source.ts";
import type { ModuleDeps, ModuleReading } from "./module-source.ts";

/** Upstream request timeout (ms, §1.6). */
export const OPENHAB_TIMEOUT_MS = 2000;

/** Watts from an item state text, or throws (NULL, UNDEF, unknown unit). */
export function openHabWatts(item: string, text: string): number {
  const w = parsePowerText(text);
  if (w === null)
    throw new SourceFetchError(`item ${item}: unusable state ${JSON.stringify(text.trim().slice(0, 40))}`);
  return w;
}

/** Creates the openHAB source (not started). */
export function createOpenHabSource(
  cfg: OpenHabConfig,
  deps: ModuleDeps,
): ReturnType<typeof createModuleSource> {
  const base = `http://${hostPort(cfg.serverIP ?? "", cfg.serverPort)}/rest/items/`;
  const cons = cfg.consumptionItem.trim();
  const gen = cfg.generationItem.trim();
  const item = async (name: string, signal: AbortSignal): Promise<number> =>
    openHabWatts(
      name,
      await request(
        `item ${name}`,
        `${base}${encodeURIComponent(name)}/state`,
        { method: "GET" },
        deps,
        OPENHAB_TIMEOUT_MS,
        signal,
      ),
    );
  const poll = async (signal: AbortSignal): Promise<ModuleReading> => {
    const [generatedW, consumedW] = await bothValues(
      gen === "" ? null : () => item(gen, signal),
      cons === "" ? null : () => item(cons, signal),
    );
    return {
      values: { generationW: generatedW, consumptionW: consumedW },
      attributes: { consumedW, generatedW },
    };
  };
  return createModuleSource("openHAB", deps, cfg.pollIntervalS, poll);
}
