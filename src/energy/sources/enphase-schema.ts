/** Config schema of `sources.Enphase` (energy-sources.md §6). */
import { Type, type Static } from "typebox";
import { enabledKey, idKey, portKey } from "./module-schema.ts";

/** `sources.Enphase` (upstream keys and defaults): cloud v2 with apiKey + userID + systemID, else the local Envoy. */
export const EnphaseSchema = Type.Object({
  enabled: enabledKey(),
  apiKey: Type.Optional(Type.String({ "x-secret": true, description: "Cloud: application key" })),
  systemID: idKey("Cloud: system ID"),
  userID: idKey("Cloud: user ID"),
  serverIP: Type.Optional(Type.String({ description: "Local: Envoy host" })),
  serverPort: portKey(80),
  token: Type.Optional(
    Type.String({
      "x-secret": true,
      description: "Local: Envoy JWT (firmware 7+), sent as Bearer over HTTPS",
    }),
  ),
  verifyCertificate: Type.Boolean({
    default: false,
    description: "Our extension: verify the Envoy's HTTPS certificate (it ships a self-signed one)",
  }),
  caFile: Type.Optional(
    Type.String({ description: "Our extension: PEM file (the Envoy's certificate or its CA) the certificate must chain to" }),
  ),
  pollIntervalS: Type.Optional(
    Type.Number({
      minimum: 2,
      maximum: 3600,
      description: "Our extension: poll interval (s); default 60 cloud, 10 local",
    }),
  ),
});

/** Normalised `sources.Enphase` section. */
export type EnphaseConfig = Static<typeof EnphaseSchema>;
