/**
 * Volkszähler (energy-sources.md §11): `GET http://<serverIP>:<serverPort>/api/data.txt?from=now&uuid=<uuid>`
 * for the PV channel (P) and the grid channel (G, import positive), each answering `<value> W`.
 * consumption = max(0, P + G), generation = max(0, P); both channels must succeed for a reading.
 */
import { bothValues, SourceFetchError } from "../polling-source.ts";
import type { VolkszahlerConfig } from "./volkszahler-schema.ts";
import { createModuleSource, hostPort, request, toNumber } from "./module-source.ts";
import type { ModuleDeps, ModuleReading } from "./module-source.ts";

/** Upstream request timeout (ms, §1.6). */
export const VOLKSZAHLER_TIMEOUT_MS = 2000;

/** The value of a `data.txt` body `<value> W` (upstream `^(.+) W$`), or throws. */
export function volkszahlerValue(channel: string, body: string): number {
  const m = /^(.+) W\n?$/s.exec(body);
  const n = m?.[1] !== undefined ? toNumber(m[1]) : null;
  if (n === null)
    throw new SourceFetchError(
      `channel ${channel}: expected "<value> W", got ${JSON.stringify(body.slice(0, 40))}`,
    );
  return n;
}

/** consumption = P + G and generation = P, each 0 when not positive (upstream formula). */
export function volkszahlerFigures(
  pvW: number,
  gridW: number,
): { consumptionW: number; generationW: number } {
  const c = pvW + gridW;
  return { consumptionW: c > 0 ? c : 0, generationW: pvW > 0 ? pvW : 0 };
}

/** Creates the Volkszähler source (not started). */
export function createVolkszahlerSource(
  cfg: VolkszahlerConfig,
  deps: ModuleDeps,
): ReturnType<typeof createModuleSource> {
  const base = `http://${hostPort(cfg.serverIP ?? "", cfg.serverPort)}/api/data.txt?from=now&uuid=`;
  const pv = cfg.uuidPhotovoltaikW.trim();
  const grid = (cfg.uuidTotalGridW ?? "").trim();
  const channel = async (uuid: string, signal: AbortSignal): Promise<number> =>
    volkszahlerValue(
      uuid,
      await request(
        `channel ${uuid}`,
        base + encodeURIComponent(uuid),
        { method: "GET", headers: { "content-type": "text/plain" } },
        deps,
        VOLKSZAHLER_TIMEOUT_MS,
        signal,
      ),
    );
  const poll = async (signal: AbortSignal): Promise<ModuleReading> => {
    const [pvW, gridW] = await bothValues(
      pv === "" ? null : () => channel(pv, signal),
      grid === "" ? null : () => channel(grid, signal),
    );
    return { values: volkszahlerFigures(pvW, gridW), attributes: { PhotovoltaikW: pvW, TotalGridW: gridW } };
  };
  return createModuleSource("Volkszahler", deps, cfg.pollIntervalS, poll);
}
