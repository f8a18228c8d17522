/**
 * The endpoint table of the OpenAPI document (http-api.md §5–§9): path, method, summary, success
 * responses, request body schema and the error statuses specific to each endpoint. Pure.
 */
import { Type, type TSchema } from "typebox";
import {
  AddOffsetBody,
  ChargeNowBody,
  DebugCommandBody,
  DeleteOffsetBody,
  HistoryDocSchema,
  HoursQuery,
  LatLonBody,
  LegacyHistorySchema,
  LimitQuery,
  OffsetsSchema,
  PolicyEntrySchema,
  ScheduleBody,
  SessionsDocSchema,
  SetLegacyOffsetBody,
  SetPolicyBody,
  SetSettingBody,
  SlaveTwcsSchema,
  StatusSchema,
  SuccessSchema,
  TeslaApiCommandBody,
} from "./schemas.ts";
import { SourceTestResultSchema } from "./source-test.ts";
import { VehiclesDocSchema } from "../../state/schema-vehicles.ts";

/** A JSON object. */
export type Json = Record<string, unknown>;

/** A TypeBox schema as plain JSON Schema. */
export const plain = (s: TSchema): Json => JSON.parse(JSON.stringify(s)) as Json;
/** Media type of JSON bodies. */
export const JSON_TYPE = "application/json";

const jsonResponse = (description: string, schema: Json): Json => ({
  description,
  content: { [JSON_TYPE]: { schema } },
});
const textResponse = (description: string, type = "text/plain"): Json => ({
  description,
  content: { [type]: { schema: { type: "string" } } },
});

/** One documented operation. */
export interface Endpoint {
  method: "get" | "post";
  path: string;
  summary: string;
  tag: "legacy" | "v2" | "metrics";
  ok: Record<string, Json>;
  body?: TSchema;
  errors?: number[];
  parameters?: Json[];
}

const BODY_ERRORS = [400, 413];
const empty = (description: string): Json => ({ description });

/** Every endpoint; `W` (config.wiringMaxAmpsAllTWCs) is the maximum of chargeNowRate. */
export function endpoints(W: number | undefined): Endpoint[] {
  const ok200 = (description: string, schema: TSchema): Record<string, Json> => ({
    200: jsonResponse(description, plain(schema)),
  });
  const chargeNow = plain(ChargeNowBody);
  if (W !== undefined) {
    const rate = (chargeNow.properties as Record<string, Json>).chargeNowRate as { oneOf: Json[] };
    if (rate.oneOf[0]) rate.oneOf[0].maximum = W;
  }
  const legacyGet = (name: string, summary: string, ok: Record<string, Json>): Endpoint => ({
    method: "get",
    path: `/api/${name}`,
    summary,
    tag: "legacy",
    ok,
  });
  const legacyPost = (
    name: string,
    summary: string,
    ok: Record<string, Json>,
    body?: TSchema,
    errors: number[] = [],
  ): Endpoint => ({
    method: "post",
    path: `/api/${name}`,
    summary,
    tag: "legacy",
    ok,
    ...(body ? { body } : {}),
    errors: body ? [...BODY_ERRORS, ...errors] : [413, ...errors],
  });
  const query = (name: string, schema: TSchema, description: string): Json => ({
    name,
    in: "query",
    required: false,
    description,
    schema: plain(schema),
  });
  return [
    legacyGet("getStatus", "Live status", ok200("Status document (keys in a fixed order)", StatusSchema)),
    legacyGet(
      "getSlaveTWCs",
      "Per-charger state keyed by TWCID plus total",
      ok200("Chargers in link order, then total", SlaveTwcsSchema),
    ),
    legacyGet(
      "getConfig",
      "config.json as loaded, secrets redacted",
      ok200(
        'Config with every secret-named key\'s value replaced by "(hidden)"',
        Type.Record(Type.String(), Type.Unknown()),
      ),
    ),
    legacyGet(
      "getPolicy",
      "Effective policy list",
      ok200("Policies in evaluation order", Type.Array(PolicyEntrySchema)),
    ),
    legacyGet(
      "getActivePolicyAction",
      "Action of the active policy",
      ok200(
        "1 charge, 2 do not charge, 3 track green energy; null when none",
        Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Null()]),
      ),
    ),
    legacyGet(
      "getConsumptionOffsets",
      "Named consumption offsets",
      ok200("Offsets in insertion order", OffsetsSchema),
    ),
    legacyGet(
      "getHistory",
      "48 h of 5-minute charger power",
      ok200("576 entries, oldest first", LegacyHistorySchema),
    ),
    legacyGet("getLastTWCResponse", "Last captured bus message (debug)", {
      200: textResponse("Upper-case hex bytes separated by spaces; empty when none"),
    }),
    legacyGet("getUUID", "Installation identifier", { 200: textResponse("Decimal integer") }),
    legacyPost(
      "chargeNow",
      "Charge at N A for D seconds",
      {
        200: jsonResponse(
          "Started",
          plain(SuccessSchema({ rate: Type.Integer(), duration: Type.Integer() })),
        ),
      },
      Type.Unsafe(chargeNow),
    ),
    legacyPost("cancelChargeNow", "End Charge Now", {
      200: jsonResponse("Cancelled", plain(SuccessSchema())),
    }),
    legacyPost(
      "sendStartCommand",
      "TWC start command to every charger",
      { 204: empty("Queued") },
      undefined,
      [409, 503],
    ),
    legacyPost(
      "sendStopCommand",
      "TWC stop command to every charger",
      { 204: empty("Queued") },
      undefined,
      [409, 503],
    ),
    legacyPost(
      "addConsumptionOffset",
      "Add or replace a named offset",
      {
        200: jsonResponse(
          "Stored",
          plain(
            SuccessSchema({
              offsetName: Type.String(),
              offsetValue: Type.Number(),
              offsetUnit: Type.String(),
            }),
          ),
        ),
      },
      AddOffsetBody,
    ),
    legacyPost(
      "deleteConsumptionOffset",
      "Delete a named offset",
      { 200: jsonResponse("Deleted", plain(SuccessSchema({ offsetName: Type.String() }))) },
      DeleteOffsetBody,
      [404],
    ),
    legacyPost(
      "setConsumptionOffset",
      "Set the legacy whole-house amps offset",
      { 204: empty("Stored") },
      SetLegacyOffsetBody,
    ),
    legacyPost("saveSettings", "Write settings.json now", { 204: empty("Written") }),
    legacyPost("setSetting", "Set one settings key", { 204: empty("Stored") }, SetSettingBody),
    legacyPost(
      "setScheduledChargingSettings",
      "Set the charging schedule",
      { 202: empty("Stored") },
      ScheduleBody,
    ),
    legacyPost("setLatLon", "Set the home location", { 204: empty("Stored") }, LatLonBody),
    legacyPost(
      "setPolicy",
      "Force a policy for one check interval",
      { 200: jsonResponse("Forced", plain(SuccessSchema({ policy: Type.String() }))) },
      SetPolicyBody,
    ),
    legacyPost("checkArrival", "Vehicle arrival check", { 202: empty("Accepted") }),
    legacyPost("checkDeparture", "Vehicle departure check", { 202: empty("Accepted") }),
    legacyPost(
      "sendDebugCommand",
      "Send a firmware query or raw frame",
      { 204: empty("Queued") },
      DebugCommandBody,
      [404, 409, 503],
    ),
    legacyPost(
      "sendTeslaAPICommand",
      "Tesla Fleet API command of the Debug page (vehicles.md §8.5); 501 whatever the body without the module",
      { 200: empty("Sent and accepted") },
      TeslaApiCommandBody,
      [404, 409, 501],
    ),
    {
      method: "get",
      path: "/api/v2/state",
      summary: "State document",
      tag: "v2",
      ok: { 200: jsonResponse("Current state", { $ref: "#/components/schemas/StateDocument" }) },
    },
    {
      method: "get",
      path: "/api/v2/vehicles",
      summary: "The Vehicles page's data: VINs the chargers reported, vehicle groups, the live cars (vehicles.md §8.4)",
      tag: "v2",
      ok: { 200: jsonResponse("Vehicles", plain(VehiclesDocSchema)) },
    },
    {
      method: "get",
      path: "/api/v2/events",
      summary: "State stream (Server-Sent Events)",
      tag: "v2",
      ok: {
        200: textResponse(
          "retry, a `state` event, then `patch` events {from,to,ops} and `: ping` comments",
          "text/event-stream",
        ),
      },
      errors: [503],
      parameters: [
        {
          name: "Last-Event-ID",
          in: "header",
          required: false,
          description: "<bootId>:<revision> to resume",
          schema: { type: "string" },
        },
        {
          name: "lastEventId",
          in: "query",
          required: false,
          description: "Same as the Last-Event-ID header",
          schema: { type: "string" },
        },
      ],
    },
    {
      method: "get",
      path: "/api/v2/history",
      summary: "5-minute history",
      tag: "v2",
      ok: ok200("Points oldest first", HistoryDocSchema),
      errors: [400],
      parameters: [query("hours", HoursQuery, "Hours (1…2160)")],
    },
    {
      method: "get",
      path: "/api/v2/sessions",
      summary: "Charge sessions, newest first",
      tag: "v2",
      ok: ok200("Sessions", SessionsDocSchema),
      errors: [400],
      parameters: [query("limit", LimitQuery, "Sessions (1…1000)")],
    },
    ...logEndpoints(),
    {
      method: "post",
      path: "/api/v2/sources/{name}/test",
      summary: "Poll one energy source once: figures, attributes and raw answers",
      tag: "v2",
      ok: ok200("The test ran (ok false: the error and whatever the device answered)", SourceTestResultSchema),
      errors: [404, 409],
      parameters: [{ name: "name", in: "path", required: true, description: "The source, e.g. Fronius or URL", schema: { type: "string" } }],
    },
    {
      method: "get",
      path: "/api/v2/openapi.json",
      summary: "This document",
      tag: "v2",
      ok: { 200: jsonResponse("OpenAPI 3.1", { type: "object" }) },
    },
    {
      method: "get",
      path: "/metrics",
      summary: "Prometheus metrics",
      tag: "metrics",
      ok: { 200: textResponse("Text exposition format 0.0.4") },
    },
  ];
}

/** `GET /api/v2/logs` and its stream (v2/logs.ts): credentials whenever auth is on; without auth, loopback only. */
function logEndpoints(): Endpoint[] {
  const param = (name: string, description: string, schema: Json): Json => ({ name, in: "query", required: false, description, schema });
  const filters = [
    param("level", "Lowest level: trace, debug, info, warn, error or fatal", { type: "string" }),
    param("module", "Only this module (\"-\": records without one)", { type: "string", maxLength: 64 }),
  ];
  const entry = {
    type: "object",
    required: ["seq", "level", "module", "line", "record"],
    properties: {
      seq: { type: "integer" },
      level: { type: "string" },
      module: { type: ["string", "null"] },
      line: { type: "string", description: "The readable line (time, level, module, message, key=value)" },
      record: { type: "object", description: "The redacted pino record (level, time, msg, fields)" },
    },
  };
  return [
    {
      method: "get",
      path: "/api/v2/logs",
      summary: "Recent log records, oldest first (the Logs page)",
      tag: "v2",
      ok: {
        200: {
          description: "JSON, or the readable lines as a download with format=text",
          content: {
            [JSON_TYPE]: {
              schema: {
                type: "object",
                required: ["bootId", "capacity", "modules", "records"],
                properties: { bootId: { type: "string", description: "lastEventId=<bootId>:<seq> of the stream continues after this answer" }, capacity: { type: "integer" }, modules: { type: "array", items: { type: "string" } }, records: { type: "array", items: entry } },
              },
            },
            "text/plain": { schema: { type: "string" } },
          },
        },
      },
      errors: [400],
      parameters: [
        ...filters,
        param("limit", "At most this many of the newest records (1…10000, default 1000)", { type: "integer", minimum: 1, maximum: 10000, default: 1000 }),
        param("format", "json (default) or text", { type: "string", enum: ["json", "text"] }),
      ],
    },
    {
      method: "get",
      path: "/api/v2/logs/stream",
      summary: "New log records (Server-Sent Events)",
      tag: "v2",
      ok: { 200: textResponse("retry, then a `log` event per record (id <bootId>:<seq>) and `: ping` comments", "text/event-stream") },
      errors: [400, 503],
      parameters: [
        ...filters,
        { name: "Last-Event-ID", in: "header", required: false, description: "<bootId>:<seq> to replay what the server still has", schema: { type: "string" } },
        param("lastEventId", "Same as the Last-Event-ID header", { type: "string" }),
      ],
    },
  ];
}
