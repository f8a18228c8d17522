/** Catalogue entry of `sources.IotaWatt` (energy-sources.md §8): its schema and lazy factory. */
import { defineSource } from "../catalogue.ts";
import { IotaWattSchema } from "./iotawatt-schema.ts";

/** The IotaWatt module. */
export const IOTAWATT_SOURCE = defineSource({
  key: "IotaWatt",
  registeredName: "IotaWatt",
  // §8: the doc page writes the key `Iotawatt`, which upstream ignores; accepted here with a warning.
  configAliases: ["Iotawatt"],
  schema: IotaWattSchema,
  required: ["serverIP"],
  attributes: ["consumedW", "generatedW"],
  load: async () => (await import("./iotawatt.ts")).createIotaWattSource,
});
