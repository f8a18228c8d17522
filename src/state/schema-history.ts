/**
 * TypeBox schemas of the v2 history and sessions documents (http-api.md §8.3, §8.4): the one source of
 * their shape. state/types.ts derives the TypeScript types (shared with the web interface) from them and
 * the OpenAPI document publishes them. Pure (typebox only).
 */
import { Type } from "typebox";

/** One 5-minute point of `GET /api/v2/history`. */
export const HistoryDocPointSchema = Type.Object({
  t: Type.String({ description: "bucket start, ISO local time" }),
  chargerW: Type.Integer(),
  generationW: Type.Union([Type.Integer(), Type.Null()]),
  consumptionW: Type.Union([Type.Integer(), Type.Null()]),
});

/** `GET /api/v2/history`. */
export const HistoryDocSchema = Type.Object({
  stepS: Type.Literal(300),
  from: Type.String({ description: "start of the first bucket" }),
  to: Type.String({ description: "start of the last (current, live) bucket" }),
  points: Type.Array(HistoryDocPointSchema),
  gaps: Type.Optional(
    Type.Array(Type.Object({ from: Type.Integer(), to: Type.Integer() }), {
      description:
        "index ranges of `points` (to exclusive) with no recorded data (TWCManager was not running): no data, not 0 W",
    }),
  ),
});

/** One charge session of `GET /api/v2/sessions`. */
export const SessionDocSchema = Type.Object({
  id: Type.Integer(),
  twcId: Type.String(),
  vin: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.String(),
  endedAt: Type.Union([Type.String(), Type.Null()]),
  startKWh: Type.Union([Type.Number(), Type.Null()]),
  endKWh: Type.Union([Type.Number(), Type.Null()]),
  energyKWh: Type.Union([Type.Number(), Type.Null()]),
  endReason: Type.Union([
    Type.Literal("stopped"),
    Type.Literal("linkLost"),
    Type.Literal("shutdown"),
    Type.Null(),
  ]),
  stoppedBy: Type.Optional(
    Type.Union(
      [
        Type.Literal("car"),
        Type.Literal("userHttp"),
        Type.Literal("userMqtt"),
        Type.Literal("policy"),
        Type.Literal("controller"),
        Type.Literal("busLost"),
      ],
      {
        description:
          "who ended the session: the car, a user (web interface/HTTP API or MQTT), the policy (no current offered), TWCManager stopping, the lost charger link; absent when unknown",
      },
    ),
  ),
});

/** `GET /api/v2/sessions`. */
export const SessionsDocSchema = Type.Object({ sessions: Type.Array(SessionDocSchema) });
