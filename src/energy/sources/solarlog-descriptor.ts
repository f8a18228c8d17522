/** Catalogue entry of `sources.SolarLog` (energy-sources.md §7): its schema and lazy factory. */
import { defineSource } from "../catalogue.ts";
import { SolarLogSchema } from "./solarlog-schema.ts";

/** The SolarLog module. */
export const SOLARLOG_SOURCE = defineSource({
  key: "SolarLog",
  registeredName: "SolarLog",
  schema: SolarLogSchema,
  required: ["serverIP"],
  attributes: ["generatedW", "consumedW", "excludeConsumedW", "smartEnergyInvertersActive"],
  load: async () => (await import("./solarlog.ts")).createSolarLogSource,
});
