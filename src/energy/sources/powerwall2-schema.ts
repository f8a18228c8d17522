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
  cloudID: idKey("Tesla energy site ID for Storm Watch (found from the Fleet API products when absent)"),
  verifyCertificate: Type.Optional(
    Type.Boolean({ description: "Our extension: verify the gateway's HTTPS certificate (default false: it ships a self-signed one)" }),
  ),
  caFile: Type.Optional(
    Type.String({ description: "Our extension: PEM file (the gateway's certificate or its CA) the certificate must chain to" }),
  ),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.Powerwall2` section. */
export type Powerwall2Config = Static<typeof Powerwall2Schema>;

/**
 * The attributes the Powerwall exposes (§3.5). `stormWatch` is read (powerwall2-storm.ts) only with the
 * Fleet API token of the `vehicle.teslaAPI` module: without that module a condition on it is warned at load.
 */
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
  "stormWatch",
  "minSOE",
  "suppressGeneration",
] as const;
