/** Catalogue entry of `sources.Fronius` (energy-sources.md §4): its schema and lazy factory. */
import { defineSource } from "../catalogue.ts";
import { FroniusSchema } from "./fronius-schema.ts";

/** The Fronius module. */
export const FRONIUS_SOURCE = defineSource({
  key: "Fronius",
  registeredName: "Fronius",
  schema: FroniusSchema,
  required: ["serverIP"],
  attributes: ["generatedW", "consumedW", "voltage", "importW", "exportW"],
  load: async () => (await import("./fronius.ts")).createFroniusSource,
});
