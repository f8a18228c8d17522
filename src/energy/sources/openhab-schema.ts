/** Config schema of `sources.openHAB` (energy-sources.md §10; registered name `OpenHab`). */
import { Type, type Static } from "typebox";
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
