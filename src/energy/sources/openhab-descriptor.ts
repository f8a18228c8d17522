/** Catalogue entry of `sources.openHAB` (energy-sources.md §10; registered name `OpenHab`): schema and lazy factory. */
import { Type, type Static } from "typebox";
import { defineSource } from "../catalogue.ts";
import { enabledKey, optionalText, pollIntervalKey, portKey, serverIpKey } from "./module-schema.ts";

/** `sources.openHAB` (upstream keys and defaults). */
export const OpenHabSchema = Type.Object({
  enabled: enabledKey(),
  serverIP: serverIpKey("openHAB host"),
  serverPort: portKey(8080),
  consumptionItem: optionalText("Consumption item name; empty = not read"),
  generationItem: optionalText("Generation item name; empty = not read"),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.openHAB` section. */
export type OpenHabConfig = Static<typeof OpenHabSchema>;

/** The openHAB module. */
export const OPENHAB_SOURCE = defineSource({
  key: "openHAB",
  registeredName: "OpenHab",
  schema: OpenHabSchema,
  required: ["serverIP"],
  attributes: ["consumedW", "generatedW"],
  load: async () => (await import("./openhab.ts")).createOpenHabSource,
});
