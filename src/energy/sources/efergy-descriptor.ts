/** Catalogue entry of `sources.Efergy` (energy-sources.md §16): its schema and lazy factory. */
import { defineSource } from "../catalogue.ts";
import { EfergySchema } from "./efergy-schema.ts";

/** The Efergy module. */
export const EFERGY_SOURCE = defineSource({
  key: "Efergy",
  registeredName: "Efergy",
  schema: EfergySchema,
  required: ["token"],
  attributes: ["consumedW"],
  load: async () => (await import("./efergy.ts")).createEfergySource,
});
