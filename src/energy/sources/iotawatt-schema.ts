/** Config schema of `sources.IotaWatt` (energy-sources.md §8). */
import { Type, type Static } from "typebox";
import { enabledKey, optionalText, pollIntervalKey, serverIpKey } from "./module-schema.ts";

/** `sources.IotaWatt` (upstream keys and defaults). */
export const IotaWattSchema = Type.Object({
  enabled: enabledKey(),
  serverIP: serverIpKey("IoTaWatt host (a host:port value works)"),
  outputConsumption: optionalText("IoTaWatt output name for consumption; empty = not read"),
  outputGeneration: optionalText("IoTaWatt output name for generation; empty = not read"),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.IotaWatt` section. */
export type IotaWattConfig = Static<typeof IotaWattSchema>;
