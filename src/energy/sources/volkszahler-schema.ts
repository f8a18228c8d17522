/** Config schema of `sources.Volkszahler` (energy-sources.md §11). */
import { Type, type Static } from "typebox";
import { enabledKey, optionalText, pollIntervalKey, portKey, serverIpKey } from "./module-schema.ts";

/** `sources.Volkszahler` (upstream keys and defaults). */
export const VolkszahlerSchema = Type.Object({
  enabled: enabledKey(),
  serverIP: serverIpKey("Host of the Volkszähler frontend (not the vzlogger)"),
  serverPort: portKey(80),
  uuidPhotovoltaikW: optionalText("Channel UUID of PV power (positive W); empty = not read (0)"),
  uuidTotalGridW: Type.Optional(
    Type.String({
      minLength: 1,
      description: "Channel UUID of grid power: import positive, export negative",
    }),
  ),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.Volkszahler` section. */
export type VolkszahlerConfig = Static<typeof VolkszahlerSchema>;
