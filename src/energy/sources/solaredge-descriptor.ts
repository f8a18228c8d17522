/** Catalogue entry of `sources.SolarEdge` (energy-sources.md §5): its schema and lazy factory. */
import { defineSource } from "../catalogue.ts";
import { checkSolarEdge } from "./one-of-checks.ts";
import { SolarEdgeSchema } from "./solaredge-schema.ts";

/** The SolarEdge module (cloud REST or local Modbus TCP). */
export const SOLAREDGE_SOURCE = defineSource({
  key: "SolarEdge",
  registeredName: "SolarEdge",
  schema: SolarEdgeSchema,
  attributes: ["generatedW", "consumedW", "pollMode", "importW", "exportW", "voltage"],
  check: checkSolarEdge,
  load: async () => (await import("./solaredge.ts")).createSolarEdgeSource,
});
