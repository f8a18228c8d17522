/** Config schema of `sources.EmonCMS` (energy-sources.md §12). */
import { Type, type Static } from "typebox";
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
