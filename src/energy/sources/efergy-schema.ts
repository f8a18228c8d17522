/** Config schema of `sources.Efergy` (energy-sources.md §16). */
import { Type, type Static } from "typebox";
import { enabledKey, pollIntervalKey } from "./module-schema.ts";

/** `sources.Efergy` (upstream keys and defaults). */
export const EfergySchema = Type.Object({
  enabled: enabledKey(),
  token: Type.Optional(
    Type.String({
      minLength: 1,
      "x-secret": true,
      description: "App token from the Engage account settings",
    }),
  ),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.Efergy` section. */
export type EfergyConfig = Static<typeof EfergySchema>;
