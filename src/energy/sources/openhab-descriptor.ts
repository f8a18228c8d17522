/** Catalogue entry of `sources.openHAB` (energy-sources.md §10; registered name `OpenHab`): schema and lazy factory. */
import { defineSource } from "../catalogue.ts";
import { OpenHabSchema } from "./openhab-schema.ts";

/** The openHAB module. */
export const OPENHAB_SOURCE = defineSource({
  key: "openHAB",
  registeredName: "OpenHab",
  schema: OpenHabSchema,
  required: ["serverIP"],
  attributes: ["consumedW", "generatedW"],
  load: async () => (await import("./openhab.ts")).createOpenHabSource,
});
