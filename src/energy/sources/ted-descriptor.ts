/** Catalogue entry of `sources.TED` (energy-sources.md §15): its schema and lazy factory. */
import { defineSource } from "../catalogue.ts";
import { TedSchema } from "./ted-schema.ts";

/** The TED module. */
export const TED_SOURCE = defineSource({
  key: "TED",
  registeredName: "TED",
  schema: TedSchema,
  required: ["serverIP"],
  attributes: ["generatedW", "voltage", "importW", "exportW"],
  load: async () => (await import("./ted.ts")).createTedSource,
});
