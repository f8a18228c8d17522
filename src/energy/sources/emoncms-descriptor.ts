/** Catalogue entry of `sources.EmonCMS` (energy-sources.md §12): its schema and lazy factory. */
import { defineSource } from "../catalogue.ts";
import { EmonCmsSchema } from "./emoncms-schema.ts";

/** The EmonCMS module. */
export const EMONCMS_SOURCE = defineSource({
  key: "EmonCMS",
  registeredName: "EmonCMS",
  schema: EmonCmsSchema,
  required: ["serverIP", "apiKey"],
  attributes: ["consumedW", "generatedW"],
  load: async () => (await import("./emoncms.ts")).createEmonCmsSource,
});
