/** Config schema of `sources.SmartPi` (energy-sources.md §14). */
import { Type, type Static } from "typebox";
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
