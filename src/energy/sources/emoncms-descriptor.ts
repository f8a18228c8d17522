/** Catalogue entry of `sources.EmonCMS` (energy-sources.md §12): its schema and lazy factory. */
import { Type, type Static } from "typebox";
import { defineSource } from "../catalogue.ts";
import { enabledKey, idKey, optionalText, pollIntervalKey, portKey, serverIpKey } from "./module-schema.ts";

/** `sources.EmonCMS` (upstream keys and defaults). */
export const EmonCmsSchema = Type.Object({
  enabled: enabledKey(),
  serverIP: serverIpKey("EmonCMS host"),
  serverPort: portKey(80),
  serverPath: optionalText("Path prefix when EmonCMS lives in a subdirectory (a trailing slash is ignored)"),
  useHttps: Type.Boolean({ default: false }),
  apiKey: Type.Optional(Type.String({ minLength: 1, "x-secret": true, description: "Read API key" })),
  consumptionFeed: idKey("Consumption feed ID; unset = not read"),
  generationFeed: idKey("Generation feed ID; unset = not read"),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.EmonCMS` section. */
export type EmonCmsConfig = Static<typeof EmonCmsSchema>;

/** The EmonCMS module. */
export const EMONCMS_SOURCE = defineSource({
  key: "EmonCMS",
  registeredName: "EmonCMS",
  schema: EmonCmsSchema,
  required: ["serverIP", "apiKey"],
  attributes: ["consumedW", "generatedW"],
  load: async () => (await import("./emoncms.ts")).createEmonCmsSource,
});
