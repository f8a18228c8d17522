/** Catalogue entry of `sources.Volkszahler` (energy-sources.md §11): its schema and lazy factory. */
import { defineSource } from "../catalogue.ts";
import { VolkszahlerSchema } from "./volkszahler-schema.ts";

/** The Volkszähler module. */
export const VOLKSZAHLER_SOURCE = defineSource({
  key: "Volkszahler",
  registeredName: "Volkszahler",
  schema: VolkszahlerSchema,
  required: ["serverIP", "uuidTotalGridW"],
  attributes: ["PhotovoltaikW", "TotalGridW"],
  load: async () => (await import("./volkszahler.ts")).createVolkszahlerSource,
});
