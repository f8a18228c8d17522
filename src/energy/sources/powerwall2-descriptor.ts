/** Catalogue entry of `sources.Powerwall2` (energy-sources.md §3): its schema and lazy factory. */
import { defineSource } from "../catalogue.ts";
import { Powerwall2Schema, POWERWALL2_ATTRIBUTES } from "./powerwall2-schema.ts";

/** The Powerwall 2 module (registered as TeslaPowerwall2; `modules.Powerwall2` accepted too). */
export const POWERWALL2_SOURCE = defineSource({
  key: "Powerwall2",
  registeredName: "TeslaPowerwall2",
  aliases: ["Powerwall2"],
  schema: Powerwall2Schema,
  required: ["serverIP"],
  attributes: POWERWALL2_ATTRIBUTES,
  load: async () => (await import("./powerwall2.ts")).createPowerwall2Source,
});
