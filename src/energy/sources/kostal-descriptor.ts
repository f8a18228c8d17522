/** Catalogue entry of `sources.Kostal` (energy-sources.md §17): its schema and lazy factory. */
import { defineSource } from "../catalogue.ts";
import { KostalSchema } from "./kostal-schema.ts";

/** The Kostal Plenticore / PIKO IQ module. */
export const KOSTAL_SOURCE = defineSource({
  key: "Kostal",
  registeredName: "Kostal",
  schema: KostalSchema,
  required: ["serverIP"],
  attributes: ["TotalDCPower", "HomeFromGrid", "HomeFromPV", "GridFrequency", "HomeFromBattery"],
  load: async () => (await import("./kostal.ts")).createKostalSource,
});
