/**
 * SolarEdge inverter over Modbus TCP (energy-sources.md §5.5): SunSpec holding registers of unit 1 —
 * AC power and its scale factor, and per configured smart meter its presence (DID) and total real power
 * with scale. One connection per read, closed afterwards (the inverter takes one client at a time).
 * A reading is produced only when every register it needs was read and implemented.
 */
import { SourceFetchError } from "../polling-source.ts";
import type { SourceDeps } from "../source.ts";
import { withModbusTcp } from "./modbus-client.ts";
import { scaledInt, sunspecInt16, sunspecUint16 } from "./modbus-decode.ts";
import type { SolarEdgeConfig } from "./solaredge-schema.ts";
import type { Attributes, ModuleDeps, ModuleReading } from "./module-source.ts";

/** Unit id the library uses by default. */
export const SOLAREDGE_UNIT_ID = 1;
/** Per-request timeout (ms) and tries, as the upstream library (§1.6). */
export const SOLAREDGE_MODBUS_TIMEOUT_MS = 1000;
/** Tries per request after a timeout. */
export const SOLAREDGE_MODBUS_TRIES = 3;
/** Inverter AC power (int16) followed by its scale factor. */
export const AC_POWER_ADDRESS = 40083;

/** Register addresses of a meter slot: presence (DID, uint16) and the block power, 3 phases, scale. */
export const METER_ADDRESSES = {
  Meter1: { did: 40188, power: 40206 },
  Meter2: { did: 40362, power: 40380 },
  Meter3: { did: 40537, power: 40554 },
} as const;

/** A configured meter slot. */
export type MeterName = keyof typeof METER_ADDRESSES;

/** One meter as read: its type, DID word and the 5 words from its power register. */
export interface MeterWords {
  name: MeterName;
  type: "consumption" | "export";
  did: number;
  block: readonly number[];
}

/** Generation, consumption and the export meter's net flow (W) of one Modbus read. */
export interface SolarEdgeModbusValues {
  generatedW: number;
  consumedW: number;
  /** Σ export meters (positive = exporting), null when none is configured. */
  exportMeterW: number | null;
}

/** A SunSpec value × 10^scale, failing on a "not implemented" marker. */
function scaled(what: string, valueWord: number | undefined, scaleWord: number | undefined): number {
  const v = sunspecInt16(valueWord ?? 0x8000);
  const sf = sunspecInt16(scaleWord ?? 0x8000);
  if (v === null) throw new SourceFetchError(`${what}: not implemented (0x8000)`);
  if (sf === null) throw new SourceFetchError(`${what} scale factor: not implemented (0x8000)`);
  return scaledInt(v, sf);
}

/** Pure formula of §5.5 from the inverter words [power_ac, power_ac_scale] and the meters read. */
export function solarEdgeModbusValues(
  inverter: readonly number[],
  meters: readonly MeterWords[],
): SolarEdgeModbusValues {
  const generatedW = scaled("inverter AC power (40083)", inverter[0], inverter[1]);
  let consumption = 0;
  let exported: number | null = null;
  for (const m of meters) {
    const did = sunspecUint16(m.did);
    if (did === null || did === 0) throw new SourceFetchError(`${m.name}: not present (DID ${m.did})`);
    const p = scaled(`${m.name} power (${METER_ADDRESSES[m.name].power})`, m.block[0], m.block[4]);
    if (m.type === "export") exported = (exported ?? 0) + p;
    else consumption += p;
  }
  return {
    generatedW,
    consumedW: exported === null ? consumption : consumption + generatedW - exported,
    exportMeterW: exported,
  };
}

/** The Modbus poll: returns the poll function of a module source. */
export function solarEdgeModbusPoll(
  cfg: SolarEdgeConfig,
  deps: ModuleDeps & SourceDeps,
): (signal: AbortSignal) => Promise<ModuleReading> {
  const host = (cfg.inverterHost ?? "").trim();
  return async (signal) => {
    const { inverter, meters } = await withModbusTcp(
      {
        host,
        port: cfg.inverterPort,
        unitId: SOLAREDGE_UNIT_ID,
        clock: deps.clock,
        timeoutMs: deps.timeoutMs ?? SOLAREDGE_MODBUS_TIMEOUT_MS,
        tries: SOLAREDGE_MODBUS_TRIES,
        signal,
      },
      async (r) => {
        const inverter = await r.read(AC_POWER_ADDRESS, 2);
        const meters: MeterWords[] = [];
        for (const m of cfg.smartMeters) {
          const at = METER_ADDRESSES[m.name];
          const [did = 0] = await r.read(at.did, 1);
          if (did === 0 || did === 0xffff) throw new SourceFetchError(`${m.name}: not present (DID ${did})`);
          meters.push({ name: m.name, type: m.type, did, block: await r.read(at.power, 5) });
        }
        return { inverter, meters };
      },
    );
    const v = solarEdgeModbusValues(inverter, meters);
    const attributes: Attributes = {
      generatedW: v.generatedW,
      consumedW: v.consumedW,
      pollMode: 0,
      importW: v.exportMeterW !== null && v.exportMeterW < 0 ? -v.exportMeterW : 0,
      exportW: v.exportMeterW !== null && v.exportMeterW > 0 ? v.exportMeterW : 0,
      voltage: 0,
    };
    return { values: { generationW: v.generatedW, consumptionW: v.consumedW }, attributes };
  };
}
