/** Config schema of `sources.Kostal` (energy-sources.md §17). */
import { Type, type Static } from "typebox";
import { enabledKey, pollIntervalKey, portKey, serverIpKey } from "./module-schema.ts";

/** `sources.Kostal` (upstream keys and defaults, plus the battery switch of §17). */
export const KostalSchema = Type.Object({
  enabled: enabledKey(),
  serverIP: serverIpKey("Inverter host (Modbus TCP)"),
  modbusPort: portKey(1502),
  unitID: Type.Integer({
    minimum: 0,
    maximum: 255,
    default: 71,
    "x-quiet": true,
    description: "Modbus unit id",
  }),
  consumptionIncludesBattery: Type.Boolean({
    default: true,
    description:
      "Our extension: add register 106 (home consumption from battery) to consumption; false = upstream",
  }),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.Kostal` section. */
export type KostalConfig = Static<typeof KostalSchema>;
