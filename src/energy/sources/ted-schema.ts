/** Config schema of `sources.TED` (energy-sources.md §15). */
import { Type, type Static } from "typebox";
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
