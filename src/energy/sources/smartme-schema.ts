/** Config schema of `sources.SmartMe` (energy-sources.md §13). */
import { Type, type Static } from "typebox";
import { enabledKey, idKey, pollIntervalKey } from "./module-schema.ts";

/** `sources.SmartMe` (upstream keys and defaults). */
export const SmartMeSchema = Type.Object({
  enabled: enabledKey(),
  username: Type.Optional(Type.String({ minLength: 1, description: "smart-me account" })),
  password: Type.Optional(Type.String({ minLength: 1, "x-secret": true, description: "smart-me password" })),
  serialNumber: idKey("Meter serial number"),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.SmartMe` section. */
export type SmartMeConfig = Static<typeof SmartMeSchema>;
