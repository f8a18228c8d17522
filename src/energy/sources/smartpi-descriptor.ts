/** Catalogue entry of `sources.SmartPi` (energy-sources.md §14): its schema and lazy factory. */
import { Type, type Static } from "typebox";
import { defineSource } from "../catalogue.ts";
import { enabledKey, pollIntervalKey, portKey, serverIpKey } from "./module-schema.ts";

/** `sources.SmartPi` (upstream keys and defaults). */
export const SmartPiSchema = Type.Object({
  enabled: enabledKey(),
  serverIP: serverIpKey("SmartPi host"),
  serverPort: portKey(80),
  showConsumption: Type.Boolean({
    default: false,
    description: "Report importing phases as consumption (do not combine with subtractChargerLoad)",
  }),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.SmartPi` section. */
export type SmartPiConfig = Static<typeof SmartPiSchema>;

/** The SmartPi module. */
export const SMARTPI_SOURCE = defineSource({
  key: "SmartPi",
  registeredName: "SmartPi",
  schema: SmartPiSchema,
  required: ["serverIP"],
  attributes: ["consumedW", "generatedW", "showConsumption"],
  load: async () => (await import("./smartpi.ts")).createSmartPiSource,
});
