/**
 * Catalogue entry of `sources.P1Monitor` (energy-sources.md §9): its schema and lazy factory. Upstream's
 * module never reads `enabled`, so (spec's product rule) it runs when its block has `serverIP` and
 * `enabled` is not explicitly false: the schema's `enabled` defaults to true here.
 */
import { defineSource } from "../catalogue.ts";
import { P1MonitorSchema } from "./p1monitor-schema.ts";

/** The P1Monitor module. */
export const P1MONITOR_SOURCE = defineSource({
  key: "P1Monitor",
  registeredName: "P1Monitor",
  schema: P1MonitorSchema,
  required: ["serverIP"],
  attributes: ["consumedW", "generatedW", "samples"],
  load: async () => (await import("./p1monitor.ts")).createP1MonitorSource,
});
