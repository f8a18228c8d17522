/**
 * EmonCMS (energy-sources.md §12): one `GET http[s]://<serverIP>:<serverPort><serverPath>/feed/fetch.json?ids=<c>,<g>`
 * with `Authorization: Bearer <apiKey>`; the answer holds one value per requested feed, in request order.
 * Mapped by position (consumption = first requested feed), not upstream's swap; `null` fails the read.
 */
import { SourceFetchError } from "../polling-source.ts";
import type { EmonCmsConfig } from "./emoncms-schema.ts";
import { createModuleSource, hostPort, parseJsonBody, request, requireNumber } from "./module-source.ts";
import type { ModuleDeps, ModuleReading } from "./module-source.ts";

/** Upstream request timeout (ms, §1.6). */
export const EMONCMS_TIMEOUT_MS = 2000;

/** `/prefix` without a trailing slash ("" stays ""). */
export function emonPath(serverPath: string): string {
  const p = serverPath.trim().replace(/\/+$/, "");
  return p === "" || p.startsWith("/") ? p : `/${p}`;
}

/** The values of a `fetch.json` answer for `ids` (in order); throws on a wrong length or a non-number. */
export function emonValues(doc: unknown, ids: readonly string[]): number[] {
  if (!Array.isArray(doc) || doc.length !== ids.length)
    throw new SourceFetchError(
      `fetch.json: expected ${ids.length} value(s), got ${JSON.stringify(doc)?.slice(0, 60)}`,
    );
  return ids.map((id, i): number => requireNumber(`feed ${id}`, doc[i]));
}

/** Creates the EmonCMS source (not started). */
export function createEmonCmsSource(
  cfg: EmonCmsConfig,
  deps: ModuleDeps,
): ReturnType<typeof createModuleSource> {
  const scheme = cfg.useHttps ? "https" : "http";
  const cons = cfg.consumptionFeed === undefined ? "" : String(cfg.consumptionFeed).trim();
  const gen = cfg.generationFeed === undefined ? "" : String(cfg.generationFeed).trim();
  const ids = [cons, gen].filter((id) => id !== "");
  const url = `${scheme}://${hostPort(cfg.serverIP ?? "", cfg.serverPort)}${emonPath(cfg.serverPath)}/feed/fetch.json?ids=${ids.map(encodeURIComponent).join(",")}`;
  const poll = async (signal: AbortSignal): Promise<ModuleReading> => {
    let values: number[] = [];
    if (ids.length > 0) {
      const init = { method: "GET", headers: { Authorization: `Bearer ${cfg.apiKey ?? ""}` } };
      values = emonValues(
        parseJsonBody("fetch.json", await request("fetch.json", url, init, deps, EMONCMS_TIMEOUT_MS, signal)),
        ids,
      );
    }
    const consumedW = cons === "" ? 0 : (values[0] ?? 0);
    const generatedW = gen === "" ? 0 : (values[ids.length - 1] ?? 0);
    return {
      values: { generationW: generatedW, consumptionW: consumedW },
      attributes: { consumedW, generatedW },
    };
  };
  return createModuleSource("EmonCMS", deps, cfg.pollIntervalS, poll);
}
