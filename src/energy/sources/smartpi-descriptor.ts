/** Catalogue entry of `sources.SmartPi` (energy-sources.md §14): its schema and lazy factory. */
import { defineSource } from "../catalogue.ts";
import { SmartPiSchema } from "./smartpi-schema.ts";

/** The SmartPi module. */
export const SMARTPI_SOURCE = defineSource({
  key: "SmartPi",
  registeredName: "SmartPi",
  schema: SmartPiSchema,
  required: ["serverIP"],
  attributes: ["consumedW", "generatedW", "showConsumption"],
  load: async () => (await import("./smartpi.ts")).createSmartPiSource,
});
