/** Config schema of `sources.Powerwall2` (energy-sources.md §3). */
import { Type, type Static } from "typebox";
import { enabledKey, idKey, pollIntervalKey, portKey, serverIpKey } from "./module-schema.ts";

/** `sources.Powerwall2` (upstream keys and defaults). */
export const Powerwall2Schema = Type.Object({
  enabled: enabledKey(),
  serverIP: serverIpKey("Powerwall gateway host or IP"),
  serverPort: portKey(443),
  password: Type.Optional(
    Type.String({ "x-secret": true, description: "Customer password; when absent no login is made" }),
  ),
  minBatteryLevel: Type.Number({ minimum: 0, maximum: 100, default: 0, "x-quiet": true, description: "Battery gate for generation (%)" }),
  cloudID: idKey("Tesla energy site ID for Storm Watch (not used yet)"),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.Powerwall2` section. */
export type Powerwall2Config = Static<typeof Powerwall2Schema>;

/** The attributes the Powerwall exposes (§3.5; `stormWatch` needs a vehicle module and is not offered yet). */
export const POWERWALL2_ATTRIBUTES = [
  "generatedW",
  "consumedW",
  "importW",
  "exportW",
  "voltage",
  "gridStatus",
  "batteryLevel",
  "operatingMode",
  "reservePercent",
  "minSOE",
  "suppressGeneration",
] as const;
