/** Config schema of `sources.Fronius` (energy-sources.md §4). */
import { Type, type Static } from "typebox";
import { enabledKey, pollIntervalKey, portKey } from "./module-schema.ts";

/** `sources.Fronius` (upstream keys and defaults): one inverter, or several whose values are added. */
export const FroniusSchema = Type.Object({
  enabled: enabledKey(),
  serverIP: Type.Optional(
    Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.Union([Type.String(), Type.Null()]))], {
      description: "Inverter host, or a list of inverter hosts whose values are added",
    }),
  ),
  serverPort: portKey(80),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.Fronius` section. */
export type FroniusConfig = Static<typeof FroniusSchema>;
