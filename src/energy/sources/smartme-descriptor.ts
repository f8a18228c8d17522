/** Catalogue entry of `sources.SmartMe` (energy-sources.md §13): its schema and lazy factory. */
import { defineSource } from "../catalogue.ts";
import { SmartMeSchema } from "./smartme-schema.ts";

/** The SmartMe module. */
export const SMARTME_SOURCE = defineSource({
  key: "SmartMe",
  registeredName: "SmartMe",
  schema: SmartMeSchema,
  required: ["username", "password", "serialNumber"],
  attributes: ["generatedW"],
  load: async () => (await import("./smartme.ts")).createSmartMeSource,
});
