/** The list of catalogued energy sources (catalogue.ts): one line per `sources.<Key>` module. */
import type { RefusedSource, SourceDescriptor } from "./catalogue.ts";
import { EFERGY_SOURCE } from "./sources/efergy-descriptor.ts";
import { EMONCMS_SOURCE } from "./sources/emoncms-descriptor.ts";
import { ENPHASE_SOURCE } from "./sources/enphase-descriptor.ts";
import { FRONIUS_SOURCE } from "./sources/fronius-descriptor.ts";
import { IOTAWATT_SOURCE } from "./sources/iotawatt-descriptor.ts";
import { KOSTAL_SOURCE } from "./sources/kostal-descriptor.ts";
import { OPENHAB_SOURCE } from "./sources/openhab-descriptor.ts";
import { OPENWEATHERMAP_SOURCE } from "./sources/openweathermap-descriptor.ts";
import { P1MONITOR_SOURCE } from "./sources/p1monitor-descriptor.ts";
import { POWERWALL2_SOURCE } from "./sources/powerwall2-descriptor.ts";
import { SMARTME_SOURCE } from "./sources/smartme-descriptor.ts";
import { SMARTPI_SOURCE } from "./sources/smartpi-descriptor.ts";
import { SOLAREDGE_SOURCE } from "./sources/solaredge-descriptor.ts";
import { SOLARLOG_SOURCE } from "./sources/solarlog-descriptor.ts";
import { TED_SOURCE } from "./sources/ted-descriptor.ts";
import { VOLKSZAHLER_SOURCE } from "./sources/volkszahler-descriptor.ts";

/** Every implemented catalogue source, in upstream load order (energy-sources.md §1.1). */
export const SOURCE_CATALOGUE: readonly SourceDescriptor[] = [
  // one line per module: e.g. FRONIUS_SOURCE (imported from ./sources/fronius-descriptor.ts)
  POWERWALL2_SOURCE,
  FRONIUS_SOURCE,
  SOLAREDGE_SOURCE,
  ENPHASE_SOURCE,
  SOLARLOG_SOURCE,
  IOTAWATT_SOURCE,
  P1MONITOR_SOURCE,
  OPENHAB_SOURCE,
  VOLKSZAHLER_SOURCE,
  EMONCMS_SOURCE,
  SMARTME_SOURCE,
  SMARTPI_SOURCE,
  TED_SOURCE,
  EFERGY_SOURCE,
  KOSTAL_SOURCE,
  OPENWEATHERMAP_SOURCE,
];

/** Modules the spec marks "do not implement" (energy-sources.md §20–§23). */
export const REFUSED_SOURCES: readonly RefusedSource[] = [
  {
    key: "Growatt",
    message:
      "sources.Growatt is not supported: it depends on Growatt's unofficial cloud API; publish the values to Home Assistant, MQTT or a URL and use sources.HASS, sources.MQTT or sources.URL.",
  },
  {
    key: "DSMR",
    message: "sources.DSMR is not supported (not functional in TWCManager either); use sources.DSMRreader or sources.P1Monitor.",
  },
  {
    key: "Victron",
    message: "sources.Victron is not supported (not enabled in TWCManager either); use MQTT from the GX device or Home Assistant.",
  },
  { key: "ScenarioEMS", message: "sources.ScenarioEMS is a TWCManager test fixture and is ignored." },
];
