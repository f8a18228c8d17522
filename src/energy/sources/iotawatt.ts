/**
 * IoTaWatt (energy-sources.md §8): one `GET http://<serverIP>/status?outputs` per read; consumption and
 * generation are the `value`s of the outputs named by `outputConsumption` / `outputGeneration` (empty =
 * not read, 0). An unknown output name fails the fetch; units other than Watts are warned about once.
 */
import { SourceFetchError } from "../polling-source.ts";
import type { IotaWattConfig } from "./iotawatt-schema.ts";
import { createModuleSource, isObject, parseJsonBody, request, requireNumber } from "./module-source.ts";
import type { ModuleDeps, ModuleReading } from "./module-source.ts";

/** Upstream request timeout (ms, §1.6). */
export const IOTAWATT_TIMEOUT_MS = 2000;

/** One output of `/status?outputs`. */
export interface IotaOutput {
  value: number;
  units: string | null;
}

/** Finds the output called `name` in a `/status?outputs` document; throws when absent or non-numeric. */
export function iotaOutput(doc: unknown, name: string): IotaOutput {
  const outputs = isObject(doc) ? doc.outputs : undefined;
  if (!Array.isArray(outputs)) throw new SourceFetchError("status: no outputs list in the answer");
  const out: unknown = outputs.find((o) => isObject(o) && o.name === name);
  if (!isObject(out)) throw new SourceFetchError(`status: no output named ${JSON.stringify(name)}`);
  return {
    value: requireNumber(`output ${name}`, out.value),
    units: typeof out.units === "string" ? out.units : null,
  };
}

/** Creates the IotaWatt source (not started). */
export function createIotaWattSource(
  cfg: IotaWattConfig,
  deps: ModuleDeps,
): ReturnType<typeof createModuleSource> {
  const url = `http://${(cfg.serverIP ?? "").trim()}/status?outputs`;
  const cons = cfg.outputConsumption.trim();
  const gen = cfg.outputGeneration.trim();
  const warnedUnits = new Set<string>();
  const read = (doc: unknown, name: string): number => {
    if (name === "") return 0;
    const o = iotaOutput(doc, name);
    if (o.units !== "Watts" && !warnedUnits.has(name)) {
      warnedUnits.add(name);
      deps.logger.warn(
        { source: "IotaWatt", output: name, units: o.units },
        "IotaWatt output is not in Watts; used as W",
      );
    }
    return o.value;
  };
  const poll = async (signal: AbortSignal): Promise<ModuleReading> => {
    const doc =
      cons === "" && gen === ""
        ? {}
        : parseJsonBody(
            "status",
            await request(
              "status",
              url,
              { method: "GET", headers: { "content-type": "application/json" } },
              deps,
              IOTAWATT_TIMEOUT_MS,
              signal,
            ),
          );
    const consumedW = read(doc, cons);
    const generatedW = read(doc, gen);
    return {
      values: { generationW: generatedW, consumptionW: consumedW },
      attributes: { consumedW, generatedW },
    };
  };
  return createModuleSource("IotaWatt", deps, cfg.pollIntervalS, poll);
}
