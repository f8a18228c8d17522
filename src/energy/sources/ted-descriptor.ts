/** Catalogue entry of `sources.TED` (energy-sources.md §15): its schema and lazy factory. */
import { Type, type Static } from "typebox";
import { defineSource } from "../catalogue.ts";
import { enabledKey, pollIntervalKey, portKey, serverIpKey } from "./module-schema.ts";

/** `sources.TED` (upstream keys and defaults). */
export const TedSchema = Type.Object({
  enabled: enabledKey(),
  serverIP: serverIpKey("TED gateway host"),
  serverPort: portKey(80),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.TED` section. */
export type TedConfig = Static<typeof TedSchema>;

/** The TED module. */
export const TED_SOURCE = defineSource({
  key: "TED",
  registeredName: "TED",
  schema: TedSchema,
  required: ["serverIP"],
  attributes: ["generatedW", "voltage", "importW", "exportW"],
  load: async () => (await import("./ted.ts")).createTedSource,
});
