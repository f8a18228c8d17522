/** Config schema of `sources.SolarLog` (energy-sources.md §7). */
import { Type, type Static } from "typebox";
import { enabledKey, pollIntervalKey, serverIpKey } from "./module-schema.ts";

/** `sources.SolarLog` (upstream keys and defaults). */
export const SolarLogSchema = Type.Object({
  enabled: enabledKey(),
  serverIP: serverIpKey("Solar-Log host (port 80)"),
  excludeConsumptionInverters: Type.Array(Type.Integer({ minimum: 0 }), {
    default: [],
    description: "Device indices whose power is subtracted from consumption (experimental)",
  }),
  pollIntervalS: pollIntervalKey(15),
});

/** Normalised `sources.SolarLog` section. */
export type SolarLogConfig = Static<typeof SolarLogSchema>;
