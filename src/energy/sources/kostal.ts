/**
 * Kostal Plenticore / PIKO IQ over Modbus TCP (energy-sources.md §17): holding registers of unit
 * `unitID`. The first session reads register 5 (1 = big-endian ABCD words, else little-endian CDAB) and
 * the product, power class and serial strings for a log line; every read takes the 32-bit floats 100
 * (total DC power = generation), 108 + 116 (home consumption from grid and from PV) and 152 (grid
 * frequency), and — our default, switchable off — 106 (home consumption from battery). A register that
 * cannot be read fails the whole read (no zeros).
 */
import { SourceFetchError } from "../polling-source.ts";
import type { SourceDeps } from "../source.ts";
import { withModbusTcp } from "./modbus-client.ts";
import type { HoldingReader } from "./modbus-client.ts";
import { float32, registerString } from "./modbus-decode.ts";
import type { WordOrder } from "./modbus-decode.ts";
import type { KostalConfig } from "./kostal-schema.ts";
import { createModuleSource } from "./module-source.ts";
import type { Attributes, ModuleDeps, ModuleReading } from "./module-source.ts";

/** Per-request timeout (ms): pyModbusTCP waits 30 s, which is longer than the poll interval. */
export const KOSTAL_TIMEOUT_MS = 3000;

/** The float registers read each time (two words each). */
export const KOSTAL_REGISTERS = {
  TotalDCPower: 100,
  HomeFromBattery: 106,
  HomeFromGrid: 108,
  HomeFromPV: 116,
  GridFrequency: 152,
} as const;

/** Register 5: byte order note (1 = big-endian). */
export const BYTE_ORDER_REGISTER = 5;

/** The identification strings (address, words) logged once. */
export const KOSTAL_STRINGS = { product: [768, 32], powerClass: [800, 32], serial: [559, 16] } as const;

/** Word order from register 5 (1 → ABCD, anything else → CDAB). */
export function kostalWordOrder(register5: number): WordOrder {
  return register5 === 1 ? "ABCD" : "CDAB";
}

/** A float32 with the digits it carries (7 significant), failing on NaN or infinity. */
export function kostalFloat(name: string, words: readonly number[], order: WordOrder): number {
  const v = float32(words, order);
  if (!Number.isFinite(v)) throw new SourceFetchError(`${name}: not a number`);
  return Number(v.toPrecision(7));
}

/** The floats of one read, by attribute name. */
export type KostalFloats = Record<keyof typeof KOSTAL_REGISTERS, number>;

/** Generation and consumption (W) of §17 from the floats. */
export function kostalValues(
  f: KostalFloats,
  includeBattery: boolean,
): { generationW: number; consumptionW: number } {
  const consumption = f.HomeFromGrid + f.HomeFromPV + (includeBattery ? f.HomeFromBattery : 0);
  return { generationW: f.TotalDCPower, consumptionW: Number(consumption.toPrecision(7)) };
}

/** Reads the identification strings for the log; a failure there is only logged. */
async function identify(r: HoldingReader, deps: SourceDeps): Promise<void> {
  try {
    const [product, powerClass, serial] = [
      registerString(await r.read(...KOSTAL_STRINGS.product)),
      registerString(await r.read(...KOSTAL_STRINGS.powerClass)),
      registerString(await r.read(...KOSTAL_STRINGS.serial)),
    ];
    deps.logger.info(
      { source: "Kostal", product, powerClass, serial },
      `Kostal: ${product} ${powerClass}, serial ${serial}`,
    );
  } catch (err) {
    if (err instanceof SourceFetchError && err.message === "stopped") throw err;
    deps.logger.debug(
      { source: "Kostal", error: String(err) },
      "Kostal: identification strings not readable",
    );
  }
}

/** Creates the Kostal source (not started). */
export function createKostalSource(
  cfg: KostalConfig,
  deps: ModuleDeps,
): ReturnType<typeof createModuleSource> {
  let order: WordOrder | null = null;
  const includeBattery = cfg.consumptionIncludesBattery;
  const poll = async (signal: AbortSignal): Promise<ModuleReading> => {
    const floats = await withModbusTcp(
      {
        host: (cfg.serverIP ?? "").trim(),
        port: cfg.modbusPort,
        unitId: cfg.unitID,
        clock: deps.clock,
        timeoutMs: deps.timeoutMs ?? KOSTAL_TIMEOUT_MS,
        signal,
      },
      async (r) => {
        if (order === null) {
          const [reg5 = 0] = await r.read(BYTE_ORDER_REGISTER, 1);
          await identify(r, deps);
          order = kostalWordOrder(reg5);
        }
        const wordOrder = order;
        const read = async (name: keyof typeof KOSTAL_REGISTERS): Promise<number> =>
          kostalFloat(
            `${name} (${KOSTAL_REGISTERS[name]})`,
            await r.read(KOSTAL_REGISTERS[name], 2),
            wordOrder,
          );
        return {
          TotalDCPower: await read("TotalDCPower"),
          HomeFromBattery: includeBattery ? await read("HomeFromBattery") : 0,
          HomeFromGrid: await read("HomeFromGrid"),
          HomeFromPV: await read("HomeFromPV"),
          GridFrequency: await read("GridFrequency"),
        };
      },
    );
    const attributes: Attributes = { ...floats };
    return { values: kostalValues(floats, includeBattery), attributes };
  };
  return createModuleSource("Kostal", deps, cfg.pollIntervalS, poll);
}
