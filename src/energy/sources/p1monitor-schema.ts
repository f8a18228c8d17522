/**
 * Config schema of `sources.P1Monitor` (energy-sources.md §9). Upstream's
 * module never reads `enabled`, so (spec's product rule) it runs when its block has `serverIP` and
 * `enabled` is not explicitly false: the schema's `enabled` defaults to true here.
 */
import { Type, type Static } from "typebox";
import { pollIntervalKey, serverIpKey } from "./module-schema.ts";

/** `sources.P1Monitor` (upstream keys and defaults). */
export const P1MonitorSchema = Type.Object({
  enabled: Type.Boolean({
    default: true,
    description: "Upstream never reads it: the module runs unless this is explicitly false",
  }),
  serverIP: serverIpKey("P1 Monitor host (a host:port value works)"),
  samples: Type.Integer({
    minimum: 1,
    maximum: 10,
    default: 1,
    "x-quiet": true,
    description: "Rows (10 s apart) averaged with a 10 % trimmed mean, 1–10",
  }),
  pollIntervalS: pollIntervalKey(10),
});

/** Normalised `sources.P1Monitor` section. */
export type P1MonitorConfig = Static<typeof P1MonitorSchema>;
