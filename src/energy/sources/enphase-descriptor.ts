/** Catalogue entry of `sources.Enphase` (energy-sources.md §6): its schema and lazy factory. */
import { defineSource } from "../catalogue.ts";
import { checkEnphase } from "./one-of-checks.ts";
import { EnphaseSchema } from "./enphase-schema.ts";

/** The Enphase module (local Envoy or cloud API v2). */
export const ENPHASE_SOURCE = defineSource({
  key: "Enphase",
  registeredName: "Enphase",
  schema: EnphaseSchema,
  attributes: ["generatedW", "consumedW", "voltage", "importW", "exportW"],
  check: checkEnphase,
  load: async () => (await import("./enphase.ts")).createEnphaseSource,
});
