/** Config schema of `sources.SolarEdge` (energy-sources.md §5). */
import { Type, type Static } from "typebox";
import { enabledKey, idKey, portKey } from "./module-schema.ts";

/** One smart meter on the inverter's bus (§5.2). */
export const SolarEdgeMeterSchema = Type.Object({
  name: Type.Union([Type.Literal("Meter1"), Type.Literal("Meter2"), Type.Literal("Meter3")], {
    description: "Meter slot on the inverter",
  }),
  type: Type.Union([Type.Literal("consumption"), Type.Literal("export")], {
    description: "consumption meter, or export+import meter at the grid connection",
  }),
});

/** `sources.SolarEdge` (upstream keys and defaults): cloud with apiKey + siteID, Modbus TCP with inverterHost. */
export const SolarEdgeSchema = Type.Object({
  enabled: enabledKey(),
  apiKey: Type.Optional(Type.String({ "x-secret": true, description: "Cloud: monitoring API key" })),
  siteID: idKey("Cloud: site ID"),
  inverterHost: Type.Optional(
    Type.String({ description: "Modbus TCP host; when set, Modbus is used instead of the cloud" }),
  ),
  inverterPort: portKey(1502),
  smartMeters: Type.Array(SolarEdgeMeterSchema, {
    default: [],
    description: "Modbus: meters on the inverter's bus",
  }),
  pollMode: Type.Integer({
    minimum: 0,
    maximum: 2,
    default: 0,
    "x-quiet": true,
    description: "Cloud: 0 auto-detect, 1 overview (no consumption meter), 2 currentPowerFlow",
  }),
  debugMode: Type.Optional(
    Type.Union([Type.Boolean(), Type.Number()], {
      description: "Upstream debug file; here: debug-level request logging",
    }),
  ),
  pollIntervalS: Type.Optional(
    Type.Number({
      minimum: 2,
      maximum: 3600,
      description: "Our extension: poll interval (s); default 300 cloud (at least 90), 10 Modbus",
    }),
  ),
});

/** Normalised `sources.SolarEdge` section. */
export type SolarEdgeConfig = Static<typeof SolarEdgeSchema>;
